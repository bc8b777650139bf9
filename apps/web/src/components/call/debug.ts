import type { CallSession, PeerConnectionCtor, WebSocketCtor } from '../../calls';

/**
 * `window.__parleyCall`: a small debugging handle on the current call, for people
 * diagnosing a call from the browser console and for the end-to-end tests. It only reads
 * local state (nothing another participant could not see in their own console) and its
 * one action drops this tab's own signaling socket, which the app recovers from.
 * Only in development, or in a tab opened with `?debug` (see debugEnabled): a production
 * page does not wrap the browser's WebSocket and RTCPeerConnection.
 *
 *   __parleyCall.connectionId()   this tab's signaling connection id (changes on reconnect)
 *   __parleyCall.connection()     'connecting' | 'connected' | 'reconnecting' | 'failed'
 *   __parleyCall.peers()          [{ connectionId, name, state, quality, stats }]
 *   await __parleyCall.inboundBytes()       bytes received so far over all live peers
 *   await __parleyCall.inboundBytes('video') the same for one kind
 *   __parleyCall.peerConnections() the live RTCPeerConnections' states (signaling, ICE)
 *   __parleyCall.dropSocket()     closes the signaling socket as a network drop would
 */
export interface ParleyCallDebug {
  connectionId(): string | undefined;
  connection(): string;
  peers(): {
    connectionId: string;
    userId: string;
    name: string;
    state: RTCPeerConnectionState;
    quality: string;
    stats: unknown;
  }[];
  inboundBytes(kind?: 'audio' | 'video'): Promise<number>;
  peerConnections(): {
    connectionState: RTCPeerConnectionState;
    iceConnectionState: RTCIceConnectionState;
    signalingState: RTCSignalingState;
    transceivers: number;
  }[];
  dropSocket(): boolean;
}

declare global {
  interface Window {
    __parleyCall?: ParleyCallDebug;
  }
}

const DEBUG_KEY = 'parley.debug';

/**
 * Whether this tab has the debug handle: always in development; otherwise once the tab was
 * opened with `?debug` (or `?debug=1`), remembered in sessionStorage for the tab so it
 * survives the move from the pre-join page to the call; `?debug=0` turns it off again.
 * main.ts asks at start-up, so the flag on the first address counts.
 */
export function debugEnabled(
  search: string,
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined,
  dev: boolean = import.meta.env.DEV,
): boolean {
  const flag = new URLSearchParams(search).get('debug');
  try {
    if (flag === '0' || flag === 'false') storage?.removeItem(DEBUG_KEY);
    else if (flag !== null) storage?.setItem(DEBUG_KEY, '1');
    return dev || storage?.getItem(DEBUG_KEY) === '1';
  } catch {
    // Storage blocked (a sandboxed frame): only the address counts.
    return dev || (flag !== null && flag !== '0' && flag !== 'false');
  }
}

/** This tab's sessionStorage, or undefined where reading it throws (a sandboxed frame). */
export function tabStorage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

/**
 * What the call page's engine takes to be debuggable: the probing classes and the handle's
 * installer (see EngineFactories).
 */
export function debugEngine(): {
  WebSocketImpl: WebSocketCtor;
  RTCPeerConnectionImpl: PeerConnectionCtor;
  installDebug: (call: CallSession, connectionId: () => string | undefined) => () => void;
} {
  const probes = createProbes();
  return {
    WebSocketImpl: probes.WebSocketImpl,
    RTCPeerConnectionImpl: probes.RTCPeerConnectionImpl,
    installDebug: (call, connectionId) => installDebugHandle(call, probes, connectionId),
  };
}

/**
 * Wraps the browser's WebSocket and RTCPeerConnection so the handle can reach the live
 * socket and peer connections without the engine exposing them. Built lazily: neither
 * class exists where the unit tests run.
 */
export function createProbes(): {
  WebSocketImpl: WebSocketCtor;
  RTCPeerConnectionImpl: PeerConnectionCtor;
  socket(): WebSocket | undefined;
  peerConnections(): RTCPeerConnection[];
} {
  const sockets: WebSocket[] = [];
  const pcs = new Set<RTCPeerConnection>();
  class ProbedWebSocket extends WebSocket {
    constructor(url: string | URL) {
      super(url);
      // Only the newest matters: the engine abandons a socket before opening the next.
      sockets.splice(0, sockets.length, this);
    }
  }
  class ProbedPeerConnection extends RTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      super(config);
      pcs.add(this);
    }
  }
  return {
    WebSocketImpl: ProbedWebSocket,
    RTCPeerConnectionImpl: ProbedPeerConnection,
    socket: () => sockets[0],
    peerConnections: () => {
      for (const pc of pcs) if (pc.connectionState === 'closed') pcs.delete(pc);
      return [...pcs];
    },
  };
}

/** Installs `window.__parleyCall`; the returned function removes it again. */
export function installDebugHandle(
  call: CallSession,
  probes: ReturnType<typeof createProbes>,
  connectionId: () => string | undefined,
): () => void {
  const handle: ParleyCallDebug = {
    connectionId,
    connection: () => call.connection,
    peers: () =>
      [...call.participants.values()].map((p) => ({
        connectionId: p.entry.connectionId,
        userId: p.entry.userId,
        name: p.entry.displayName,
        state: p.connectionState,
        quality: p.quality,
        stats: p.stats,
      })),
    inboundBytes: async (kind) => {
      let total = 0;
      for (const pc of probes.peerConnections()) {
        const report = await pc.getStats();
        report.forEach((s: Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp' || (kind && s.kind !== kind)) return;
          if (typeof s.bytesReceived === 'number') total += s.bytesReceived;
        });
      }
      return total;
    },
    peerConnections: () =>
      probes.peerConnections().map((pc) => ({
        connectionState: pc.connectionState,
        iceConnectionState: pc.iceConnectionState,
        signalingState: pc.signalingState,
        transceivers: pc.getTransceivers().length,
      })),
    dropSocket: () => {
      const ws = probes.socket();
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      // 3000-4999 are the codes a page may use; the engine treats any of them as a drop.
      ws.close(3000, 'dropped for debugging');
      return true;
    },
  };
  window.__parleyCall = handle;
  return () => {
    if (window.__parleyCall === handle) delete window.__parleyCall;
  };
}
