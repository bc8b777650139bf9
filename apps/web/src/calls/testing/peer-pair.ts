/**
 * Two PeerLinks on fake RTCPeerConnections, joined by a wire the test controls: messages
 * wait in each end's outbox until the test delivers them, so both sides can be made to
 * offer before either sees the other's offer (glare), or candidates can overtake their
 * description.
 */
import type { SignalPayload } from '@parley/protocol';
import { PeerLink } from '../peer';
import type { LinkRole } from '../peer';
import { FakeMediaStreamTrack, asTrack, createFakeStream } from './fake-media';
import { fakePeerConnectionFactory } from './fake-rtc';
import type { FakeRTCPeerConnection } from './fake-rtc';
import { settle } from './settle';

export interface End {
  link: PeerLink;
  pc: FakeRTCPeerConnection;
  /** Messages this end sent that the other has not received yet. */
  outbox: SignalPayload[];
  /** Every message this end sent, delivered or not, in order. */
  sent: SignalPayload[];
  errors: [string, unknown][];
  states: RTCPeerConnectionState[];
  audio: FakeMediaStreamTrack;
  video: FakeMediaStreamTrack;
  /** The stream our microphone and camera go in (`localStream`). */
  stream: MediaStream;
}

export interface EndOptions {
  factory?: ReturnType<typeof fakePeerConnectionFactory>;
  maxVideoBitrate?: number;
  sharing?: { screen: FakeMediaStreamTrack; screenStream: MediaStream };
  /** Left out: PeerLink's default (the offerer). */
  role?: LinkRole;
}

/** One PeerLink on a fake RTCPeerConnection; what it sends waits in `outbox` (as JSON). */
export function makeEnd(
  localId: string,
  remoteId: string,
  factoryOrOptions?: ReturnType<typeof fakePeerConnectionFactory> | EndOptions,
  maxVideoBitrate?: number,
  sharing?: { screen: FakeMediaStreamTrack; screenStream: MediaStream },
): End {
  const o: EndOptions =
    factoryOrOptions && 'ctor' in factoryOrOptions
      ? { factory: factoryOrOptions, maxVideoBitrate, sharing }
      : { maxVideoBitrate, sharing, ...factoryOrOptions };
  const factory = o.factory ?? fakePeerConnectionFactory();
  const outbox: SignalPayload[] = [];
  const sent: SignalPayload[] = [];
  const audio = new FakeMediaStreamTrack('audio');
  const video = new FakeMediaStreamTrack('video');
  const stream = createFakeStream([asTrack(audio), asTrack(video)]);
  const link = new PeerLink({
    localId,
    remoteId,
    ...(o.role ? { role: o.role } : {}),
    send: (p) => {
      const copy = JSON.parse(JSON.stringify(p)) as SignalPayload;
      outbox.push(copy);
      sent.push(copy);
    },
    audioTrack: asTrack(audio),
    videoTrack: asTrack(video),
    localStream: stream,
    maxVideoBitrate: o.maxVideoBitrate,
    ...(o.sharing
      ? { screenTrack: asTrack(o.sharing.screen), screenStream: o.sharing.screenStream }
      : {}),
    RTCPeerConnectionImpl: factory.ctor,
    createMediaStream: () => createFakeStream(),
  });
  const errors: [string, unknown][] = [];
  const states: RTCPeerConnectionState[] = [];
  link.on('error', (e, during) => errors.push([during, e]));
  link.on('state', (s) => states.push(s));
  return {
    link,
    pc: factory.instances.at(-1)!,
    outbox,
    sent,
    errors,
    states,
    audio,
    video,
    stream,
  };
}

/** What an end sent, by kind: descriptions by type, and trickled candidates. */
export function sentCounts(end: End): { offer: number; answer: number; candidate: number } {
  const n = { offer: 0, answer: 0, candidate: 0 };
  for (const p of end.sent) {
    if (p.description?.type === 'offer') n.offer += 1;
    else if (p.description?.type === 'answer') n.answer += 1;
    else if (p.candidate?.candidate) n.candidate += 1;
  }
  return n;
}

/** Delivers everything queued, both ways at once, until both sides fall silent. */
export async function pump(x: End, y: End): Promise<void> {
  for (let round = 0; round < 50; round++) {
    await settle();
    if (x.outbox.length === 0 && y.outbox.length === 0) return;
    const toY = x.outbox.splice(0);
    const toX = y.outbox.splice(0);
    // Not awaited, like socket message events: each handler runs as the frame arrives.
    for (const m of toY) void y.link.handleSignal(m);
    for (const m of toX) void x.link.handleSignal(m);
  }
  throw new Error('negotiation did not settle');
}
