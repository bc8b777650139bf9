import { afterEach, describe, expect, it, vi } from 'vitest';
import { DISCONNECTED_GRACE_MS, START_AT_HALF_MS, classifyRemoteTracks, isPolite } from './peer';
import type { RemoteTrack } from './peer';
import { FakeMediaStreamTrack, asTrack, createFakeStream } from './testing/fake-media';
import { makeEnd, pump } from './testing/peer-pair';
import type { End } from './testing/peer-pair';
import { FakeRTCPeerConnection, fakePeerConnectionFactory } from './testing/fake-rtc';
import { settle } from './testing/settle';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function expectConnected(x: End, y: End): void {
  for (const end of [x, y]) {
    expect(end.pc.signalingState).toBe('stable');
    expect(end.link.connectionState).toBe('connected');
    expect(end.errors).toEqual([]);
    const remote = end.link.remoteStream.getTracks().map((t) => t.kind);
    expect(remote.sort()).toEqual(['audio', 'video']);
  }
}

describe('isPolite', () => {
  it('makes exactly one side polite: the connection id that sorts first', () => {
    expect(isPolite('c_1', 'c_2')).toBe(true);
    expect(isPolite('c_2', 'c_1')).toBe(false);
    expect(isPolite('B', 'a')).toBe(true); // plain code-unit order, not locale order
  });
});

describe('PeerLink perfect negotiation', () => {
  it('connects without a collision when one side offers first: nothing rolled back or ignored', async () => {
    const a = makeEnd('a', 'b');
    await settle();
    expect(a.outbox[0]?.description?.type).toBe('offer');
    // An offerer offers as it is made, so the side that has not offered is an answerer.
    const b = makeEnd('b', 'a', { role: 'answerer' });
    for (const m of a.outbox.splice(0)) void b.link.handleSignal(m);
    await pump(a, b);
    expectConnected(a, b);
    for (const end of [a, b]) {
      expect(end.link.counters.rolledBack).toBe(0);
      expect(end.link.counters.ignored).toBe(0);
      expect(end.pc.rollbacks).toBe(0);
    }
  });

  it.each([
    ['a', 'b'],
    ['b', 'a'],
  ])(
    'resolves glare (both offer at once, %s vs %s) into one stable connection with no errors',
    async (first, second) => {
      const x = makeEnd(first, second);
      const y = makeEnd(second, first);
      await settle();
      // Glare is staged: both sent an offer before either saw the other's.
      expect(x.outbox[0]?.description?.type).toBe('offer');
      expect(y.outbox[0]?.description?.type).toBe('offer');
      await pump(x, y);
      expectConnected(x, y);
      // Each side sends on its own two sections and receives on the other's two.
      expect(x.pc.getTransceivers()).toHaveLength(4);
      expect(y.pc.getTransceivers()).toHaveLength(4);
    },
  );

  it('in glare the polite peer rolls its offer back and answers the other', async () => {
    const polite = makeEnd('a', 'b');
    const impolite = makeEnd('b', 'a');
    await settle();
    await pump(polite, impolite);
    expect(polite.link.polite).toBe(true);
    expect(polite.link.counters.rolledBack).toBe(1);
    expect(polite.pc.rollbacks).toBe(1);
    expect(polite.pc.log).toContain('implicit rollback');
    expect(polite.link.counters.ignored).toBe(0);
  });

  it('in glare the impolite peer ignores the colliding offer and keeps its own', async () => {
    const polite = makeEnd('a', 'b');
    const impolite = makeEnd('b', 'a');
    await settle();
    await pump(polite, impolite);
    expect(impolite.link.polite).toBe(false);
    expect(impolite.link.counters.ignored).toBe(1);
    expect(impolite.link.counters.rolledBack).toBe(0);
    expect(impolite.pc.rollbacks).toBe(0);
    // Its own first offer was the one answered.
    expect(impolite.pc.log.slice(0, 2)).toEqual(['SLD offer', 'SRD answer']);
  });

  it.each([
    ['polite', 'a', 'b'],
    ['impolite', 'b', 'a'],
  ])(
    'an offer arriving while the %s side is still making its own counts as a collision',
    async (_role, localId, remoteId) => {
      const remote = makeEnd(remoteId, localId);
      await settle();
      const offer = remote.outbox.splice(0);
      const local = makeEnd(localId, remoteId);
      // The new offerer started setLocalDescription as it was made (makingOffer).
      for (const m of offer) void local.link.handleSignal(m);
      await settle();
      const c = local.link.counters;
      expect(c.rolledBack + c.ignored).toBe(1);
      expect(local.link.polite ? c.rolledBack : c.ignored).toBe(1);
      await pump(local, remote);
      expectConnected(local, remote);
    },
  );

  it('says when its first offer is out; closing settles that too, even with the offer stuck', async () => {
    const a = makeEnd('a', 'b');
    let aOffered = false;
    void a.link.offered.then(() => (aOffered = true));
    await settle();
    expect(a.outbox[0]?.description?.type).toBe('offer');
    expect(aOffered).toBe(true);

    vi.spyOn(FakeRTCPeerConnection.prototype, 'setLocalDescription').mockReturnValue(
      new Promise<void>(() => undefined),
    );
    const stuck = makeEnd('a', 'c');
    let stuckOffered = false;
    void stuck.link.offered.then(() => (stuckOffered = true));
    await settle();
    expect(stuckOffered).toBe(false);
    stuck.link.close();
    await settle();
    expect(stuckOffered).toBe(true);
  });

  it('restarts ICE when the connection fails and reconnects after renegotiating', async () => {
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    const offersBefore = a.link.counters.offers;
    a.pc.simulateIceState('failed');
    expect(a.pc.restartIceCalls).toBe(1);
    expect(a.link.counters.iceRestarts).toBe(1);
    await pump(a, b);
    expect(a.link.counters.offers).toBe(offersBefore + 1);
    expect(a.states.slice(-2)).toEqual(['failed', 'connected']);
    expectConnected(a, b);
  });

  it('restarts ICE after `disconnected` lasts longer than 3 s, not after a shorter blip', async () => {
    vi.useFakeTimers();
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    a.pc.simulateIceState('disconnected');
    await vi.advanceTimersByTimeAsync(DISCONNECTED_GRACE_MS - 1);
    a.pc.simulateIceState('connected');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(a.pc.restartIceCalls).toBe(0);

    a.pc.simulateIceState('disconnected');
    await vi.advanceTimersByTimeAsync(DISCONNECTED_GRACE_MS);
    expect(a.pc.restartIceCalls).toBe(1);
    await pump(a, b);
    expect(a.pc.signalingState).toBe('stable');
  });

  it('replaceTrack swaps what a sender sends without a new offer', async () => {
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    const offers = a.link.counters.offers;
    const otherCamera = asTrack(new FakeMediaStreamTrack('video', 'camera 2'));
    await a.link.replaceTrack('video', otherCamera);
    await a.link.replaceTrack('audio', null);
    await settle();
    expect(a.link.sender('video')?.track).toBe(otherCamera);
    expect(a.link.sender('audio')?.track).toBeNull();
    expect(a.link.counters.offers).toBe(offers);
    expect(a.outbox).toEqual([]);
  });

  it('creates the video sender with the bitrate cap and lowers it with setParameters', async () => {
    const a = makeEnd('a', 'b', undefined, 1_500_000);
    const b = makeEnd('b', 'a');
    const sender = () => a.pc.transceiverOf('video')!.sender;
    expect(sender().maxBitrate).toBe(1_500_000);
    await settle();
    await pump(a, b);
    await Promise.all([a.link.setMaxVideoBitrate(800_000), a.link.setMaxVideoBitrate(500_000)]);
    expect(sender().maxBitrate).toBe(500_000);
    expect(a.errors).toEqual([]);
  });

  it('sends the camera at half resolution at most until START_AT_HALF_MS after connecting, then as limited', async () => {
    vi.useFakeTimers();
    const a = makeEnd('a', 'b', undefined, 1_500_000);
    const b = makeEnd('b', 'a', { role: 'answerer', maxVideoBitrate: 1_500_000 });
    const scale = (end: End) =>
      end.link.sender('video')?.getParameters().encodings[0]?.scaleResolutionDownBy;
    // The offerer's encoding is made with the sender, the answerer's once it answered.
    expect(scale(a)).toBe(2);
    await settle();
    await pump(a, b);
    expectConnected(a, b);
    expect([scale(a), scale(b)]).toEqual([2, 2]);
    expect(a.pc.transceiverOf('video')!.sender.maxBitrate).toBe(1_500_000);
    await vi.advanceTimersByTimeAsync(START_AT_HALF_MS - 1);
    expect([scale(a), scale(b)]).toEqual([2, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect([scale(a), scale(b)]).toEqual([1, 1]);
    // A limit below half resolution is kept as it is, starting or not.
    await a.link.setVideoLimits({ maxBitrate: 200_000, scaleResolutionDownBy: 4 });
    expect(scale(a)).toBe(4);
    expect([a.errors, b.errors]).toEqual([[], []]);
  });

  it('reads the remote speaking level from the receivers’ synchronization sources', async () => {
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    expect(a.link.audioLevel()).toBe(0);
    const remoteAudio = a.pc.transceiverOf('audio', true)!;
    remoteAudio.receiver.sources = [
      { source: 1, audioLevel: 0.4, timestamp: 0, rtpTimestamp: 0 },
    ] as RTCRtpSynchronizationSource[];
    expect(a.link.audioLevel()).toBe(0.4);
  });

  it('close() closes the connection and ignores later signals', async () => {
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    a.link.close();
    expect(a.pc.closed).toBe(true);
    expect(a.link.connectionState).toBe('closed');
    await a.link.handleSignal({ description: { type: 'offer', sdp: 'v=0' } });
    expect(a.errors).toEqual([]);
  });
});

describe('classifyRemoteTracks (the stream rule)', () => {
  const t = (kind: 'audio' | 'video', label: string) =>
    asTrack(new FakeMediaStreamTrack(kind, label));
  const mic = t('audio', 'mic');
  const camera = t('video', 'camera');
  const screen = t('video', 'screen');
  const at = (track: MediaStreamTrack, streamId: string): RemoteTrack => ({ track, streamId });

  it('the camera is the video in the stream with the audio; a video in a stream without audio is the screen', () => {
    expect(classifyRemoteTracks([at(mic, 's1'), at(camera, 's1'), at(screen, 's2')])).toEqual({
      audio: [mic],
      camera,
      screen,
    });
  });

  it('goes by stream, not by arrival order: a screen that arrives first is still the screen', () => {
    const sorted = classifyRemoteTracks([at(screen, 's2'), at(camera, 's1'), at(mic, 's1')]);
    expect(sorted.camera).toBe(camera);
    expect(sorted.screen).toBe(screen);
  });

  it('without stream ids the first video is the camera and the next one the screen', () => {
    expect(classifyRemoteTracks([at(mic, ''), at(camera, ''), at(screen, '')])).toEqual({
      audio: [mic],
      camera,
      screen,
    });
    expect(classifyRemoteTracks([at(mic, ''), at(camera, '')]).screen).toBeUndefined();
  });

  it('a peer sending no audio: its only video is the camera, not a screen', () => {
    expect(classifyRemoteTracks([at(camera, 's1')])).toEqual({
      audio: [],
      camera,
      screen: undefined,
    });
  });
});

describe('PeerLink screen share', () => {
  async function connected(): Promise<[End, End]> {
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    return [a, b];
  }
  const screenStream = () => createFakeStream();
  const offers = (a: End, b: End): [number, number] => [
    a.link.counters.offers,
    b.link.counters.offers,
  ];

  it('screen share adds exactly one negotiation per link and the camera sender keeps its track', async () => {
    const [a, b] = await connected();
    const [aOffers, bOffers] = offers(a, b);
    const screen = asTrack(new FakeMediaStreamTrack('video', 'screen'));
    const stream = screenStream();
    await a.link.setScreen(screen, stream);
    await pump(a, b);
    expect(offers(a, b)).toEqual([aOffers + 1, bOffers]);
    expect(a.link.sender('video')?.track).toBe(asTrack(a.video));
    expect(a.link.sender('screen')!.track).toBe(screen);
    // Its own transceiver, in its own stream, next to the audio and camera ones.
    const own = a.pc.getTransceivers().filter((t) => !t.createdByRemote);
    expect(own.map((t) => t.kind)).toEqual(['audio', 'video', 'video']);
    expect(own[2]!.streamIds).toEqual([stream.id]);
    expect(own[1]!.streamIds).not.toEqual([stream.id]);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('the receiver tells the camera from the screen by stream, and keeps the screen out of remoteStream', async () => {
    const [a, b] = await connected();
    const camera = b.link.remoteCameraTrack;
    expect(camera).toBeDefined();
    expect(b.link.remoteScreenTrack).toBeUndefined();
    await a.link.setScreen(asTrack(new FakeMediaStreamTrack('video', 'screen')), screenStream());
    await pump(a, b);
    const screen = b.link.remoteScreenTrack;
    expect(screen).toBeDefined();
    expect(screen).not.toBe(camera);
    expect(b.link.remoteCameraTrack).toBe(camera);
    const received = b.pc.getTransceivers().filter((t) => t.createdByRemote && t.kind === 'video');
    expect(received.map((t) => t.receiver.track)).toEqual([camera, screen]);
    expect(b.link.remoteStream.getTracks()).not.toContain(screen);
    expect(b.link.remoteStream.getVideoTracks()).toEqual([camera]);
    expect(b.link.remoteStream.getAudioTracks()).toHaveLength(1);
  });

  it('stopping the share does not renegotiate, and sharing again reuses the sender', async () => {
    const [a, b] = await connected();
    const stream = screenStream();
    await a.link.setScreen(asTrack(new FakeMediaStreamTrack('video', 'screen')), stream);
    await pump(a, b);
    const before = offers(a, b);
    const sender = a.link.sender('screen');
    const transceivers = a.pc.getTransceivers().length;

    await a.link.setScreen(null, stream);
    await settle();
    expect(a.outbox).toEqual([]);
    expect(sender!.track).toBeNull();

    const again = asTrack(new FakeMediaStreamTrack('video', 'screen 2'));
    await a.link.setScreen(again, stream);
    await settle();
    expect(a.outbox).toEqual([]);
    expect(a.link.sender('screen')).toBe(sender);
    expect(sender!.track).toBe(again);
    expect(a.pc.getTransceivers()).toHaveLength(transceivers);
    expect(offers(a, b)).toEqual(before);
  });

  it('a link opened during a share sends the screen from its first negotiation', async () => {
    const factory = fakePeerConnectionFactory();
    const screen = new FakeMediaStreamTrack('video', 'screen');
    const a = makeEnd('a', 'b', factory, undefined, { screen, screenStream: screenStream() });
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    expect(a.link.sender('screen')!.track).toBe(asTrack(screen));
    expect(b.link.remoteScreenTrack).toBeDefined();
    expect(b.link.remoteCameraTrack).toBeDefined();
    expect(a.errors).toEqual([]);
  });

  it('both sharing at once is a glare the pattern resolves: each receives the other’s screen', async () => {
    const [a, b] = await connected();
    await Promise.all([
      a.link.setScreen(asTrack(new FakeMediaStreamTrack('video', 'screen a')), screenStream()),
      b.link.setScreen(asTrack(new FakeMediaStreamTrack('video', 'screen b')), screenStream()),
    ]);
    await settle();
    expect(a.outbox[0]?.description?.type).toBe('offer');
    expect(b.outbox[0]?.description?.type).toBe('offer');
    await pump(a, b);
    for (const end of [a, b]) {
      expect(end.pc.signalingState).toBe('stable');
      expect(end.link.remoteScreenTrack).toBeDefined();
      expect(end.errors).toEqual([]);
    }
  });

  it('caps the screen sender like the camera', async () => {
    const a = makeEnd('a', 'b', undefined, 1_500_000);
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    await a.link.setScreen(asTrack(new FakeMediaStreamTrack('video', 'screen')), screenStream());
    await pump(a, b);
    const screenSender = a.pc.getTransceivers().filter((t) => !t.createdByRemote)[2]!.sender;
    expect(screenSender.maxBitrate).toBe(1_500_000);
    await a.link.setMaxVideoBitrate(500_000);
    expect(screenSender.maxBitrate).toBe(500_000);
    expect(a.pc.transceiverOf('video')!.sender.maxBitrate).toBe(500_000);
  });
});
