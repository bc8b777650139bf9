/**
 * One negotiation per link (PROTOCOL.md, "Who offers" and "Sections"): the offerer makes
 * the sections, the answerer sends on the offer's own sections, so a link is one offer and
 * one answer with as many m-sections as tracks in use. Proven on the fakes, which apply
 * the browsers' JSEP and negotiation-needed rules (testing/fake-rtc.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SignalPayload } from '@parley/protocol';
import { sdpSessionId } from './peer';
import { FakeMediaStreamTrack, asTrack, createFakeStream } from './testing/fake-media';
import { FakeRTCPeerConnection, FakeRTCRtpSender, decodeFakeSdp } from './testing/fake-rtc';
import { joinAll, openPcs, person, sectionCount } from './testing/call-rig';
import { FakeServer } from './testing/fake-server';
import { makeEnd, pump, sentCounts } from './testing/peer-pair';
import type { End } from './testing/peer-pair';
import { MeshNet } from './testing/mesh-net';
import { settle } from './testing/settle';

const sections = (d: RTCSessionDescriptionInit | null) => (d ? decodeFakeSdp(d.sdp).sections : []);
const negotiationsNeeded = (pc: FakeRTCPeerConnection) =>
  pc.log.filter((l) => l === 'negotiationneeded').length;

/** An offerer and an answerer; `offererId` decides which of them is polite. */
function link(offererId: 'a' | 'b', opts: { share?: boolean } = {}) {
  const answererId = offererId === 'a' ? 'b' : 'a';
  const screen = new FakeMediaStreamTrack('video', 'screen');
  const screenStream = createFakeStream([asTrack(screen)]);
  const offerer = makeEnd(offererId, answererId, {
    role: 'offerer',
    ...(opts.share ? { sharing: { screen, screenStream } } : {}),
  });
  const answerer = makeEnd(answererId, offererId, { role: 'answerer' });
  return { offerer, answerer, screen, screenStream };
}

/** Delivers everything, then checks that nothing more wants to be said. */
async function drain(x: End, y: End): Promise<void> {
  await pump(x, y);
  await settle();
  expect(x.outbox).toEqual([]);
  expect(y.outbox).toEqual([]);
}

function expectConnected(...ends: End[]): void {
  for (const end of ends) {
    expect(end.pc.signalingState).toBe('stable');
    expect(end.link.connectionState).toBe('connected');
    expect(end.errors).toEqual([]);
  }
}

describe('one negotiation per link (PeerLink roles)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    ['polite', 'a'],
    ['impolite', 'b'],
  ] as const)(
    'a %s offerer and its answerer: one offer, one answer, two m-sections, nothing after',
    async (_politeness, offererId) => {
      const { offerer, answerer } = link(offererId);
      // The answerer makes no transceivers before the offer, so it has nothing to offer.
      expect(answerer.pc.getTransceivers()).toHaveLength(0);
      await settle();
      expect(answerer.outbox).toEqual([]);
      expect(offerer.outbox[0]?.description?.type).toBe('offer');

      await drain(offerer, answerer);
      expect(sentCounts(offerer)).toMatchObject({ offer: 1, answer: 0 });
      expect(sentCounts(answerer)).toMatchObject({ offer: 0, answer: 1 });
      expect(offerer.link.counters).toMatchObject({
        offers: 1,
        answers: 0,
        rolledBack: 0,
        ignored: 0,
        iceRestarts: 0,
      });
      expect(answerer.link.counters).toMatchObject({
        offers: 0,
        answers: 1,
        rolledBack: 0,
        ignored: 0,
        iceRestarts: 0,
      });
      // The offerer offered as it was made, without waiting for the event (a task of its own,
      // behind the page's work), and the event never came after.
      expect(offerer.pc.log[0]).toBe('SLD offer');
      expect(negotiationsNeeded(offerer.pc)).toBe(0);
      expect(negotiationsNeeded(answerer.pc)).toBe(0);
      expectConnected(offerer, answerer);

      for (const end of [offerer, answerer]) {
        expect(end.pc.getTransceivers()).toHaveLength(2);
        expect(sections(end.pc.localDescription).map((s) => [s.kind, s.direction])).toEqual([
          ['audio', 'sendrecv'],
          ['video', 'sendrecv'],
        ]);
        expect(sections(end.pc.remoteDescription)).toHaveLength(2);
        expect(end.pc.getTransceivers().map((t) => t.currentDirection)).toEqual([
          'sendrecv',
          'sendrecv',
        ]);
      }
    },
  );

  it('the answerer sends its own microphone and camera, in its own stream, on the offer’s sections', async () => {
    const { offerer, answerer } = link('a');
    await drain(offerer, answerer);
    const pc = answerer.pc;
    expect(pc.sending('audio')!.sender.track).toBe(answerer.audio);
    expect(pc.sending('video')!.sender.track).toBe(answerer.video);
    expect(pc.sending('audio')!.sender.streamIds).toEqual([answerer.stream.id]);
    expect(pc.sending('video')!.sender.streamIds).toEqual([answerer.stream.id]);
    // The answer names the stream, so the offerer groups the answerer's audio and camera.
    expect(sections(pc.localDescription).map((s) => s.streamIds)).toEqual([
      [answerer.stream.id],
      [answerer.stream.id],
    ]);
    // Both directions classify the camera as the video beside the audio.
    const offererVideo = offerer.pc.sending('video')!;
    expect(offerer.link.remoteCameraTrack).toBe(offererVideo.receiver.track);
    expect(offerer.link.remoteScreenTrack).toBeUndefined();
    expect(offerer.link.remoteStream.getVideoTracks()).toEqual([offererVideo.receiver.track]);
    expect(offerer.link.remoteStream.getAudioTracks()).toHaveLength(1);
    expect(answerer.link.remoteCameraTrack).toBe(pc.sending('video')!.receiver.track);
    expect(answerer.link.remoteStream.getAudioTracks()).toHaveLength(1);
  });

  it('the answer does not wait for the answerer’s replaceTrack to settle', async () => {
    const { offerer, answerer } = link('a');
    await settle();
    // A browser settles replaceTrack on its WebRTC thread, after whatever the page does next.
    const pending = vi
      .spyOn(FakeRTCRtpSender.prototype, 'replaceTrack')
      .mockReturnValue(new Promise<void>(() => undefined));
    for (const m of offerer.outbox.splice(0)) void answerer.link.handleSignal(m);
    await settle();
    expect(pending).toHaveBeenCalledTimes(2);
    expect(answerer.outbox.map((m) => m.description?.type)).toContain('answer');
    expect(answerer.errors).toEqual([]);
  });

  it('an offerer that shares its screen: three sections, still one offer and one answer', async () => {
    const { offerer, answerer, screenStream } = link('b', { share: true });
    await drain(offerer, answerer);
    expect(sentCounts(offerer)).toMatchObject({ offer: 1, answer: 0 });
    expect(sentCounts(answerer)).toMatchObject({ offer: 0, answer: 1 });
    expectConnected(offerer, answerer);
    expect(sections(offerer.pc.localDescription).map((s) => s.kind)).toEqual([
      'audio',
      'video',
      'video',
    ]);
    expect(sections(offerer.pc.localDescription)[2]!.streamIds).toEqual([screenStream.id]);
    // The answerer receives the screen and sends nothing back on that section.
    const answer = sections(answerer.pc.localDescription);
    expect(answer.map((s) => s.direction)).toEqual(['sendrecv', 'sendrecv', 'recvonly']);
    expect(answerer.pc.sendingTransceivers()).toHaveLength(2);
    expect(answerer.link.remoteScreenTrack).toBeDefined();
    expect(answerer.link.remoteCameraTrack).toBeDefined();
    expect(answerer.link.remoteScreenTrack).not.toBe(answerer.link.remoteCameraTrack);
    expect(answerer.link.remoteStream.getTracks()).not.toContain(answerer.link.remoteScreenTrack);
  });

  it('an answerer that starts a share later re-offers once, with a section of its own', async () => {
    const { offerer, answerer } = link('a');
    await drain(offerer, answerer);
    const camera = offerer.link.remoteCameraTrack;
    const screen = asTrack(new FakeMediaStreamTrack('video', 'screen'));
    const screenStream = createFakeStream([screen]);
    await answerer.link.setScreen(screen, screenStream);
    await drain(offerer, answerer);
    expect(sentCounts(answerer)).toMatchObject({ offer: 1, answer: 1 });
    expect(sentCounts(offerer)).toMatchObject({ offer: 1, answer: 1 });
    expect(answerer.link.counters.offers).toBe(1);
    expect(offerer.link.counters.offers).toBe(1);
    expect(sections(answerer.pc.localDescription).map((s) => s.kind)).toEqual([
      'audio',
      'video',
      'video',
    ]);
    expect(offerer.link.remoteScreenTrack).toBeDefined();
    expect(offerer.link.remoteCameraTrack).toBe(camera);
    expectConnected(offerer, answerer);
  });

  it('an answerer opened during its share answers first, then re-offers once for the screen', async () => {
    const offerer = makeEnd('b', 'a', { role: 'offerer' });
    const screen = new FakeMediaStreamTrack('video', 'screen');
    const answerer = makeEnd('a', 'b', {
      role: 'answerer',
      sharing: { screen, screenStream: createFakeStream([asTrack(screen)]) },
    });
    await drain(offerer, answerer);
    expect(answerer.sent.map((p) => p.description?.type).filter(Boolean)).toEqual([
      'answer',
      'offer',
    ]);
    expect(sentCounts(offerer)).toMatchObject({ offer: 1, answer: 1 });
    expect(offerer.link.remoteScreenTrack).toBeDefined();
    expect(sections(offerer.pc.remoteDescription)).toHaveLength(3);
    expectConnected(offerer, answerer);
  });

  it('candidates that arrive before the offer wait for it, open no negotiation, and are applied', async () => {
    const { offerer, answerer } = link('a');
    await settle();
    const [offer, ...candidates] = offerer.outbox.splice(0);
    expect(offer?.description?.type).toBe('offer');
    expect(candidates.length).toBeGreaterThan(0);

    // The candidates overtake their description.
    for (const c of candidates) void answerer.link.handleSignal(c);
    await settle();
    expect(answerer.outbox).toEqual([]);
    expect(answerer.pc.getTransceivers()).toHaveLength(0);
    expect(answerer.pc.log).toEqual([]);
    expect(answerer.link.counters.queuedCandidates).toBe(candidates.length);
    expect(answerer.link.counters.offers).toBe(0);

    void answerer.link.handleSignal(offer!);
    await drain(offerer, answerer);
    // The fake trickles one candidate per ICE generation: the answerer connected only
    // because the queued one was applied after the offer.
    expect(answerer.pc.remoteCandidates.map((c) => c.candidate)).toEqual(
      candidates.map((c) => c.candidate!.candidate),
    );
    expect(sentCounts(answerer)).toMatchObject({ offer: 0, answer: 1 });
    expectConnected(offerer, answerer);
  });

  it('candidates that arrive before the answer wait for it on the offerer too', async () => {
    const { offerer, answerer } = link('b');
    await settle();
    for (const m of offerer.outbox.splice(0)) void answerer.link.handleSignal(m);
    await settle();
    const [answer, ...candidates] = answerer.outbox.splice(0);
    expect(answer?.description?.type).toBe('answer');
    for (const c of candidates) void offerer.link.handleSignal(c);
    await settle();
    expect(offerer.link.counters.queuedCandidates).toBe(candidates.length);
    expect(offerer.errors).toEqual([]);
    void offerer.link.handleSignal(answer!);
    await drain(offerer, answerer);
    expect(sentCounts(offerer)).toMatchObject({ offer: 1, answer: 0 });
    expectConnected(offerer, answerer);
  });

  it('a candidate from someone we have no link to opens at most a silent answerer link', async () => {
    vi.useFakeTimers();
    try {
      const net = new MeshNet();
      const a = net.add('c1');
      const stray: SignalPayload = {
        candidate: {
          candidate: 'candidate:1 1 udp 1 192.0.2.9 5 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
          usernameFragment: 'nobody',
        },
      };
      a.mesh.route('c2', stray);
      await settle();
      expect(net.sent('c1')).toEqual([]);
      expect(a.pcs.every((pc) => pc.log.every((l) => !l.startsWith('SLD')))).toBe(true);
      expect(a.errors).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a three-way join over the server (CallSession)', () => {
  let server: FakeServer;
  beforeEach(() => {
    vi.useFakeTimers();
    server = new FakeServer();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ada, then bob, then cat: one offer (from the newcomer) and one answer per pair, two m-sections each', async () => {
    const [ada, bob, cat] = ['ada', 'bob', 'cat'].map((n) => person(server, n));
    await joinAll(ada!, bob!, cat!);
    const counts = server.signalCounts();
    const pairs = (from: string, to: string) => ({
      offer: counts[`${from}>${to}`]?.offer ?? 0,
      answer: counts[`${from}>${to}`]?.answer ?? 0,
    });
    // The newcomer offers to everyone already there; they answer; nobody offers back.
    expect(pairs('bob', 'ada')).toEqual({ offer: 1, answer: 0 });
    expect(pairs('ada', 'bob')).toEqual({ offer: 0, answer: 1 });
    expect(pairs('cat', 'ada')).toEqual({ offer: 1, answer: 0 });
    expect(pairs('ada', 'cat')).toEqual({ offer: 0, answer: 1 });
    expect(pairs('cat', 'bob')).toEqual({ offer: 1, answer: 0 });
    expect(pairs('bob', 'cat')).toEqual({ offer: 0, answer: 1 });
    expect(server.signalsBetween(undefined, undefined, 'offer')).toHaveLength(3);
    expect(server.signalsBetween(undefined, undefined, 'answer')).toHaveLength(3);

    for (const p of [ada!, bob!, cat!]) {
      expect(p.pcs).toHaveLength(2);
      for (const pc of openPcs(p)) {
        expect(pc.connectionState).toBe('connected');
        expect(pc.signalingState).toBe('stable');
        expect(sectionCount(pc.localDescription)).toBe(2);
        expect(sectionCount(pc.remoteDescription)).toBe(2);
        expect(pc.rollbacks).toBe(0);
      }
      for (const v of p.call.participants.values()) {
        expect(v.connectionState).toBe('connected');
        expect(v.cameraTrack).toBeDefined();
        expect(v.screenTrack).toBeUndefined();
      }
      expect(p.errors).toEqual([]);
    }

    // Healthy links are left alone: long past every repair bound, nothing more was said.
    const before = server.signals.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.signals.filter((s) => s.kind !== 'candidate')).toHaveLength(6);
    expect(server.signals).toHaveLength(before);
    for (const p of [ada!, bob!, cat!]) expect(p.pcs).toHaveLength(2);
  });
});

describe('the fakes follow the browsers’ rules the engine relies on', () => {
  /** A bare pair of fakes, no engine: `offerer` adds audio+video, the answerer nothing. */
  async function bare() {
    const offerer = new FakeRTCPeerConnection();
    const answerer = new FakeRTCPeerConnection();
    offerer.addTransceiver('audio');
    offerer.addTransceiver('video');
    await settle();
    await offerer.setLocalDescription();
    await answerer.setRemoteDescription(offerer.localDescription!);
    return { offerer, answerer };
  }
  const needed = (pc: FakeRTCPeerConnection) => negotiationsNeeded(pc);

  it('direction and streams set before the answer cost nothing; set after it, a re-offer', async () => {
    const { offerer, answerer } = await bare();
    const stream = createFakeStream();
    for (const t of answerer.getTransceivers()) {
      expect(t.direction).toBe('recvonly');
      t.direction = 'sendrecv';
      t.sender.setStreams(stream);
    }
    await answerer.setLocalDescription();
    await offerer.setRemoteDescription(answerer.localDescription!);
    await settle();
    expect(sections(answerer.localDescription).map((s) => [s.direction, s.streamIds])).toEqual([
      ['sendrecv', [stream.id]],
      ['sendrecv', [stream.id]],
    ]);
    expect(answerer.getTransceivers().map((t) => t.currentDirection)).toEqual([
      'sendrecv',
      'sendrecv',
    ]);
    expect(needed(answerer)).toBe(0);
    expect(needed(offerer)).toBe(1);

    answerer.getTransceivers()[0]!.sender.setStreams(createFakeStream());
    await settle();
    expect(needed(answerer)).toBe(1);
    answerer.getTransceivers()[1]!.direction = 'sendonly';
    offerer.getTransceivers()[1]!.direction = 'recvonly';
    await settle();
    expect(needed(offerer)).toBe(2);
  });

  it('every description carries the connection’s origin: one session id per connection, a new version each time', async () => {
    const { offerer, answerer } = await bare();
    await answerer.setLocalDescription();
    await offerer.setRemoteDescription(answerer.localDescription!);
    offerer.restartIce();
    await settle();
    await offerer.setLocalDescription();
    const first = decodeFakeSdp(offerer.currentLocalDescription!.sdp);
    const again = decodeFakeSdp(offerer.localDescription!.sdp);
    expect(offerer.localDescription!.sdp!.startsWith(`v=0\r\no=- ${offerer.sessionId} `)).toBe(
      true,
    );
    expect(sdpSessionId(offerer.localDescription!.sdp)).toBe(offerer.sessionId);
    expect(again.sessionId).toBe(first.sessionId);
    expect(again.version).toBeGreaterThan(first.version);
    expect(again.ufrag).not.toBe(first.ufrag);
    expect(sdpSessionId(answerer.localDescription!.sdp)).toBe(answerer.sessionId);
    expect(answerer.sessionId).not.toBe(offerer.sessionId);
    expect(new FakeRTCPeerConnection().sessionId).not.toBe(offerer.sessionId);
  });

  it('a candidate of no ICE generation this connection has seen is refused (OperationError); an old one is ignored', async () => {
    const { offerer, answerer } = await bare();
    const candidate = (usernameFragment: string) => ({
      candidate: 'candidate:1 1 udp 1 192.0.2.1 5 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment,
    });
    await expect(answerer.addIceCandidate(candidate('stranger'))).rejects.toMatchObject({
      name: 'OperationError',
    });
    const firstUfrag = offerer.localUfrags[0]!;
    await answerer.setLocalDescription();
    await offerer.setRemoteDescription(answerer.localDescription!);
    offerer.restartIce();
    await settle();
    await offerer.setLocalDescription();
    await answerer.setRemoteDescription(offerer.localDescription!);
    await expect(answerer.addIceCandidate(candidate(firstUfrag))).resolves.toBeUndefined();
    expect(answerer.connectionState).toBe('new');
    await answerer.setLocalDescription();
    await answerer.addIceCandidate(candidate(offerer.localUfrags[1]!));
    expect(answerer.connectionState).toBe('connected');
  });

  it('a wedged connection gathers nothing and never connects; its candidates never come', async () => {
    const offerer = new FakeRTCPeerConnection();
    offerer.wedged = true;
    const gathered: unknown[] = [];
    offerer.addEventListener('icecandidate', (e) => gathered.push(e));
    offerer.addTransceiver('audio');
    await settle();
    await offerer.setLocalDescription();
    const answerer = new FakeRTCPeerConnection();
    await answerer.setRemoteDescription(offerer.localDescription!);
    await answerer.setLocalDescription();
    await offerer.setRemoteDescription(answerer.localDescription!);
    await offerer.addIceCandidate({
      candidate: 'candidate:1 1 udp 1 192.0.2.1 5 typ host',
      usernameFragment: decodeFakeSdp(answerer.localDescription!.sdp).ufrag,
    });
    await settle();
    expect(gathered).toEqual([]);
    expect(offerer.connectionState).toBe('new');
  });
});
