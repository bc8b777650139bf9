/**
 * Two PeerLinks on fake RTCPeerConnections, joined by a wire the test controls: messages
 * wait in each end's outbox until the test delivers them, so both sides can be made to
 * offer before either sees the other's offer (glare).
 */
import type { SignalPayload } from '@parley/protocol';
import { PeerLink } from '../peer';
import { FakeMediaStreamTrack, asTrack, createFakeStream } from './fake-media';
import { fakePeerConnectionFactory } from './fake-rtc';
import type { FakeRTCPeerConnection } from './fake-rtc';
import { settle } from './settle';

export interface End {
  link: PeerLink;
  pc: FakeRTCPeerConnection;
  /** Messages this end sent that the other has not received yet. */
  outbox: SignalPayload[];
  errors: [string, unknown][];
  states: RTCPeerConnectionState[];
  video: FakeMediaStreamTrack;
}

/** One PeerLink on a fake RTCPeerConnection; what it sends waits in `outbox` (as JSON). */
export function makeEnd(
  localId: string,
  remoteId: string,
  factory = fakePeerConnectionFactory(),
  maxVideoBitrate?: number,
  sharing?: { screen: FakeMediaStreamTrack; screenStream: MediaStream },
): End {
  const outbox: SignalPayload[] = [];
  const audio = new FakeMediaStreamTrack('audio');
  const video = new FakeMediaStreamTrack('video');
  const link = new PeerLink({
    localId,
    remoteId,
    send: (p) => outbox.push(JSON.parse(JSON.stringify(p)) as SignalPayload),
    audioTrack: asTrack(audio),
    videoTrack: asTrack(video),
    localStream: createFakeStream([asTrack(audio), asTrack(video)]),
    maxVideoBitrate,
    ...(sharing
      ? { screenTrack: asTrack(sharing.screen), screenStream: sharing.screenStream }
      : {}),
    RTCPeerConnectionImpl: factory.ctor,
    createMediaStream: () => createFakeStream(),
  });
  const errors: [string, unknown][] = [];
  const states: RTCPeerConnectionState[] = [];
  link.on('error', (e, during) => errors.push([during, e]));
  link.on('state', (s) => states.push(s));
  return { link, pc: factory.instances.at(-1)!, outbox, errors, states, video };
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
