import type { BrowserContext, Page } from '@playwright/test';

// Helpers for the call engine's tests (engine.spec.ts): what each RTCPeerConnection
// negotiated, and a signaling filter that keeps a link's first ICE generation from ever
// reaching the other side, so the link stalls until the engine repairs it.

// ---- negotiations per peer connection ----

/** What one RTCPeerConnection of a page negotiated, in the order the page made them. */
export interface Negotiation {
  connectionState: RTCPeerConnectionState;
  /** Descriptions applied with setLocalDescription (sent) and setRemoteDescription (received). */
  localOffers: number;
  remoteOffers: number;
  localAnswers: number;
  remoteAnswers: number;
  rollbacks: number;
  /** The current descriptions' media sections: their directions, one per `m=` line. */
  localSections: string[];
  remoteSections: string[];
}

/**
 * Counts every description each RTCPeerConnection applies, by wrapping the prototype's
 * setLocalDescription / setRemoteDescription (the app's own debug subclass inherits them).
 * Only applied descriptions count: one that the browser rejects was not exchanged. Read with
 * `negotiations`, which needs `recordPeerConnections` (support/meeting.ts) on the same
 * context for the list of connections.
 */
export async function recordNegotiations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    if (!Native) return;
    const logs = new WeakMap<RTCPeerConnection, { side: string; type: string }[]>();
    (window as unknown as { __e2eNegotiations: typeof logs }).__e2eNegotiations = logs;
    const note = (pc: RTCPeerConnection, side: string, type: string | undefined) => {
      if (!type) return;
      const log = logs.get(pc) ?? [];
      log.push({ side, type });
      logs.set(pc, log);
    };
    const proto = Native.prototype;
    // The browser's own methods, called with the connection as `this`.
    const setLocal: (
      this: RTCPeerConnection,
      description?: RTCLocalSessionDescriptionInit,
    ) => Promise<void> = Reflect.get(proto, 'setLocalDescription');
    const setRemote: (
      this: RTCPeerConnection,
      description: RTCSessionDescriptionInit,
    ) => Promise<void> = Reflect.get(proto, 'setRemoteDescription');
    proto.setLocalDescription = async function (
      this: RTCPeerConnection,
      description?: RTCLocalSessionDescriptionInit,
    ) {
      await setLocal.call(this, description);
      // Without an argument the browser picks offer or answer; it shows once applied.
      note(
        this,
        'local',
        description?.type === 'rollback' ? 'rollback' : this.localDescription?.type,
      );
    };
    proto.setRemoteDescription = async function (
      this: RTCPeerConnection,
      description: RTCSessionDescriptionInit,
    ) {
      await setRemote.call(this, description);
      note(this, 'remote', description.type);
    };
  });
}

/** Page side of `negotiations`. */
function readNegotiations(): Negotiation[] {
  const w = window as unknown as {
    __e2ePeerConnections?: RTCPeerConnection[];
    __e2eNegotiations?: WeakMap<RTCPeerConnection, { side: string; type: string }[]>;
  };
  // Each m-section's direction attribute, in order ('?' for a section without one).
  const sections = (sdp: string | undefined) =>
    (sdp ?? '')
      .split(/\r?\n(?=m=)/)
      .slice(1)
      .map((s) => /^a=(sendrecv|sendonly|recvonly|inactive)$/m.exec(s)?.[1] ?? '?');
  return (w.__e2ePeerConnections ?? []).map((pc) => {
    const log = w.__e2eNegotiations?.get(pc) ?? [];
    const count = (side: string, type: string) =>
      log.filter((e) => e.side === side && e.type === type).length;
    return {
      connectionState: pc.connectionState,
      localOffers: count('local', 'offer'),
      remoteOffers: count('remote', 'offer'),
      localAnswers: count('local', 'answer'),
      remoteAnswers: count('remote', 'answer'),
      rollbacks: count('local', 'rollback') + count('remote', 'rollback'),
      localSections: sections(pc.localDescription?.sdp),
      remoteSections: sections(pc.remoteDescription?.sdp),
    };
  });
}

/** What each RTCPeerConnection this page ever made negotiated (see recordNegotiations). */
export function negotiations(page: Page): Promise<Negotiation[]> {
  return page.evaluate(readNegotiations);
}

// ---- a link whose first ICE generation never arrives ----

/** What the filter saw on the way to one remote connection (`to` of the signals). */
export interface IceBlockTarget {
  /** The first ICE username fragment sent to it: the generation being blocked. */
  first: string | undefined;
  /** Every ufrag of the descriptions and candidates sent to it, in order, once each. */
  ufrags: string[];
  /** The SDP `o=` session ids of the descriptions sent to it (a new one = a new connection). */
  sessions: string[];
  /**
   * Each description sent: its type, ufrag, how many `a=candidate` lines it carried and
   * when (the page's Date.now(), the same clock as the test's on one machine).
   */
  descriptions: { type: string; ufrag: string | undefined; sdpCandidates: number; at: number }[];
  /** Candidate signals dropped (first generation) and let through (later ones). */
  dropped: number;
  passed: number;
  /** `a=candidate` lines removed from first-generation descriptions. */
  strippedFromSdp: number;
}

/**
 * Drops the first ICE generation's candidates this page sends to each remote connection:
 * wraps `WebSocket.prototype.send` (the app's socket subclass inherits it), remembers the
 * first ufrag sent to each `to`, drops `signal` candidates of that ufrag and strips
 * `a=candidate` lines from descriptions of that ufrag (trickle ICE sends none there, but a
 * description may carry what was gathered before it). With this in both pages neither side
 * learns a single address of the other, so no connectivity check can ever start: the link
 * stays unconnected until an ICE restart (new ufrag) or a new connection gets through.
 * Read with `iceBlock`.
 */
export async function blockFirstIceGeneration(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const targets: Record<string, IceBlockTarget> = {};
    (window as unknown as { __e2eIceBlock: typeof targets }).__e2eIceBlock = targets;
    const once = (list: string[], value: string | undefined) => {
      if (value !== undefined && !list.includes(value)) list.push(value);
    };
    // Returns what to send instead, or null to send nothing.
    const filter = (data: string): string | null => {
      let msg: {
        type?: unknown;
        to?: unknown;
        description?: { type: string; sdp?: string };
        candidate?: { candidate?: string; usernameFragment?: string | null } | null;
      };
      try {
        msg = JSON.parse(data) as typeof msg;
      } catch {
        return data;
      }
      if (msg.type !== 'signal' || typeof msg.to !== 'string') return data;
      const seen = (targets[msg.to] ??= {
        first: undefined,
        ufrags: [],
        sessions: [],
        descriptions: [],
        dropped: 0,
        passed: 0,
        strippedFromSdp: 0,
      });
      const d = msg.description;
      if (d?.sdp) {
        const ufrag = /^a=ice-ufrag:(\S+)/m.exec(d.sdp)?.[1];
        seen.first ??= ufrag;
        once(seen.ufrags, ufrag);
        once(seen.sessions, /^o=\S+ (\S+) /m.exec(d.sdp)?.[1]);
        const lines = d.sdp.split('\r\n');
        const candidates = lines.filter((l) => l.startsWith('a=candidate:')).length;
        seen.descriptions.push({ type: d.type, ufrag, sdpCandidates: candidates, at: Date.now() });
        if (ufrag === seen.first && candidates > 0) {
          seen.strippedFromSdp += candidates;
          d.sdp = lines.filter((l) => !l.startsWith('a=candidate:')).join('\r\n');
          return JSON.stringify(msg);
        }
        return data;
      }
      const c = msg.candidate;
      if (!c?.candidate) return data;
      const ufrag = c.usernameFragment ?? /\bufrag (\S+)/.exec(c.candidate)?.[1];
      if (ufrag === undefined) return data;
      seen.first ??= ufrag;
      if (ufrag === seen.first) {
        seen.dropped += 1;
        return null;
      }
      once(seen.ufrags, ufrag);
      seen.passed += 1;
      return data;
    };
    const send: (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) => void =
      Reflect.get(WebSocket.prototype, 'send');
    WebSocket.prototype.send = function (
      this: WebSocket,
      data: string | ArrayBufferLike | Blob | ArrayBufferView,
    ) {
      const out = typeof data === 'string' ? filter(data) : data;
      if (out !== null) send.call(this, out);
    };
  });
}

/** What this page's filter saw, per remote connection id (see blockFirstIceGeneration). */
export function iceBlock(page: Page): Promise<Record<string, IceBlockTarget>> {
  return page.evaluate(
    () =>
      (window as unknown as { __e2eIceBlock?: Record<string, IceBlockTarget> }).__e2eIceBlock ?? {},
  );
}

// ---- what the tiles said ----

/**
 * Keeps every `data-trouble` a tile's "Reconnecting" overlay showed in
 * `window.__e2eTroubles`, with a MutationObserver, so a state that lasts a moment is not
 * missed between two looks. Read with `troublesSeen`.
 */
export async function watchTileTrouble(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __e2eTroubles: string[] }).__e2eTroubles = seen;
    const look = () => {
      for (const el of document.querySelectorAll('[data-testid="tile-reconnecting"]')) {
        const trouble = el.getAttribute('data-trouble') ?? '';
        if (!seen.includes(trouble)) seen.push(trouble);
      }
    };
    // The document itself: its root element may not exist yet when this runs.
    new MutationObserver(look).observe(document, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-trouble'],
    });
  });
}

/** The troubles this page's tiles showed so far, in the order first seen. */
export function troublesSeen(page: Page): Promise<string[]> {
  return page.evaluate(
    () => (window as unknown as { __e2eTroubles?: string[] }).__e2eTroubles ?? [],
  );
}
