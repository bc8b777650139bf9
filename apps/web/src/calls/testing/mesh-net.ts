/**
 * Meshes (one per connection id) joined by an in-memory relay that works like the
 * server's `signal` relay: a message arrives a microtask after it was sent, every one is
 * recorded, and a test may drop some in flight (dropSignals). The test plays the server's
 * part in joins: the newcomer `ensure`s everyone, the others `expect` it. Time is the
 * global clock (vi.useFakeTimers()).
 */
import type { SignalPayload } from '@parley/protocol';
import { Mesh } from '../mesh';
import type { MeshOptions, MeshPeer } from '../mesh';
import { FakeMediaStreamTrack, asTrack, createFakeStream } from './fake-media';
import { decodeFakeSdp, fakePeerConnectionFactory } from './fake-rtc';
import type { FakeRTCPeerConnection } from './fake-rtc';

export type WireKind = 'offer' | 'answer' | 'candidate' | 'end';

export interface WireRecord {
  from: string;
  to: string;
  kind: WireKind;
  payload: SignalPayload;
  /** Fake time when it was sent (Date.now()). */
  at: number;
  dropped: boolean;
}

export type WireDrop = (from: string, to: string, payload: SignalPayload) => boolean;

export interface Node {
  id: string;
  mesh: Mesh;
  factory: ReturnType<typeof fakePeerConnectionFactory>;
  /** Every RTCPeerConnection this node made, in order (rebuilt links add one). */
  pcs: FakeRTCPeerConnection[];
  errors: string[];
  /**
   * Per remote id, each distinct `state/step` of the link's health as seen on `change`
   * (e.g. 'connecting/none', 'repairing/ice-restart', 'connected/none').
   */
  health: Map<string, string[]>;
  /** Per remote id, the fake times at which the link became connected. */
  connectedAt: Map<string, number[]>;
}

export const kindOf = (p: SignalPayload): WireKind =>
  p.description?.type === 'offer' || p.description?.type === 'answer'
    ? p.description.type
    : p.candidate?.candidate
      ? 'candidate'
      : 'end';

/** The ufrag a trickled candidate belongs to. */
export const ufragOf = (p: SignalPayload): string | undefined =>
  p.candidate?.usernameFragment ?? undefined;

/** The origin session id of a description on the wire. */
export const sessionOf = (p: SignalPayload): string | undefined =>
  p.description ? decodeFakeSdp(p.description.sdp).sessionId : undefined;

export class MeshNet {
  readonly nodes = new Map<string, Node>();
  readonly wire: WireRecord[] = [];
  private readonly drops = new Set<WireDrop>();
  private readonly lastSeen = new Map<string, { link: unknown; state: RTCPeerConnectionState }>();

  /** A mesh for connection `id`; `options` go to the Mesh (repair bounds, clock...). */
  add(id: string, options: Partial<MeshOptions> = {}): Node {
    const factory = fakePeerConnectionFactory();
    const errors: string[] = [];
    const health = new Map<string, string[]>();
    const connectedAt = new Map<string, number[]>();
    const node: Node = {
      id,
      mesh: undefined as unknown as Mesh,
      factory,
      pcs: factory.instances,
      errors,
      health,
      connectedAt,
    };
    node.mesh = new Mesh({
      local: {
        audioTrack: asTrack(new FakeMediaStreamTrack('audio')),
        videoTrack: asTrack(new FakeMediaStreamTrack('video')),
        stream: createFakeStream(),
      },
      send: (to, payload) => this.post(id, to, payload),
      configuration: {},
      RTCPeerConnectionImpl: factory.ctor,
      createMediaStream: () => createFakeStream(),
      onChange: () => this.observe(node),
      onError: (e, context) => errors.push(`${context}: ${String(e)}`),
      ...options,
    });
    node.mesh.setLocalId(id);
    this.nodes.set(id, node);
    return node;
  }

  /** `newcomer` joins: it offers to each of `present`, and they wait for its offer. */
  join(newcomer: Node, ...present: Node[]): void {
    for (const p of present) {
      p.mesh.expect(newcomer.id);
      newcomer.mesh.ensure(p.id);
    }
  }

  /** Loses every message `drop` picks, in flight. Returns the undo. */
  dropSignals(drop: WireDrop): () => void {
    this.drops.add(drop);
    return () => this.drops.delete(drop);
  }

  /** Messages sent from `from` to `to` (either may be left out), of `kind` if given. */
  sent(from?: string, to?: string, kind?: WireKind): WireRecord[] {
    return this.wire.filter(
      (r) =>
        (from === undefined || r.from === from) &&
        (to === undefined || r.to === to) &&
        (kind === undefined || r.kind === kind),
    );
  }

  /** The peer's view of the link from `a` to `b`, read now. */
  peer(a: Node, b: Node): MeshPeer {
    const peer = a.mesh.get(b.id);
    if (!peer) throw new Error(`${a.id} has no link to ${b.id}`);
    return peer;
  }

  /** The fake RTCPeerConnection under the link from `a` to `b` now. */
  pc(a: Node, b: Node): FakeRTCPeerConnection {
    return this.peer(a, b).link.pc as unknown as FakeRTCPeerConnection;
  }

  connected(a: Node, b: Node): boolean {
    return (
      this.peer(a, b).link.connectionState === 'connected' &&
      this.peer(b, a).link.connectionState === 'connected'
    );
  }

  private post(from: string, to: string, payload: SignalPayload): void {
    const copy = JSON.parse(JSON.stringify(payload)) as SignalPayload;
    const dropped = [...this.drops].some((drop) => drop(from, to, copy));
    this.wire.push({ from, to, kind: kindOf(copy), payload: copy, at: Date.now(), dropped });
    if (dropped) return;
    // Like a socket: the receiver handles it after the sender's call returned.
    void Promise.resolve().then(() => this.nodes.get(to)?.mesh.route(from, copy));
  }

  private observe(node: Node): void {
    for (const remoteId of node.mesh.ids()) {
      const peer = node.mesh.get(remoteId)!;
      const log = node.health.get(remoteId) ?? [];
      node.health.set(remoteId, log);
      const now = `${peer.health.state}/${peer.health.step}`;
      if (log.at(-1) !== now) log.push(now);
      // A link (this PeerLink) that turned connected since we last looked.
      const up = peer.link.connectionState === 'connected';
      const last = this.lastSeen.get(`${node.id}>${remoteId}`);
      if (up && (last?.link !== peer.link || last.state !== 'connected')) {
        const times = node.connectedAt.get(remoteId) ?? [];
        node.connectedAt.set(remoteId, [...times, Date.now()]);
      }
      this.lastSeen.set(`${node.id}>${remoteId}`, {
        link: peer.link,
        state: peer.link.connectionState,
      });
    }
  }
}
