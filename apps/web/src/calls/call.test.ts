import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NEVER_CONNECTED_FAILS_AFTER_MS, PATH_RETRY_MS } from './link-quality';
import { JoinError } from './room-session';
import type { FakeRTCPeerConnection } from './testing/fake-rtc';
import { FakeServer, ROOM_ID, userIdFor } from './testing/fake-server';
import { joinAll, person as rigPerson } from './testing/call-rig';
import type { Person } from './testing/call-rig';
import { settle } from './testing/settle';

let server: FakeServer;

beforeEach(() => {
  vi.useFakeTimers();
  server = new FakeServer();
});
afterEach(() => {
  vi.useRealTimers();
});

function person(
  name: string,
  random?: () => number,
  getFreshToken?: (staleToken: string) => Promise<string>,
): Person {
  return rigPerson(server, name, { random, getFreshToken });
}

const offersMade = (p: Person) =>
  p.pcs.reduce((n, pc) => n + pc.log.filter((l) => l === 'SLD offer').length, 0);

function expectFullMesh(people: Person[]): void {
  for (const p of people) {
    const others = people.filter((o) => o !== p).map((o) => o.name);
    const parts = [...p.call.participants.values()];
    expect(parts.map((v) => v.entry.displayName).sort()).toEqual(others.sort());
    for (const v of parts) {
      expect(v.connectionState).toBe('connected');
      expect(
        v.stream
          ?.getTracks()
          .map((t) => t.kind)
          .sort(),
      ).toEqual(['audio', 'video']);
    }
    for (const pc of p.pcs.filter((c) => !c.closed)) expect(pc.signalingState).toBe('stable');
    expect(p.errors).toEqual([]);
    expect(p.call.connection).toBe('connected');
  }
}

describe('CallSession', () => {
  it('three people form a full mesh: each is connected to the other two with audio and video', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob, cat);
    expectFullMesh([ada, bob, cat]);
    expect(ada.call.self).toMatchObject({ connectionId: 'c1', role: 'host' });
  });

  it('the people already in the call answer a newcomer’s offer instead of offering at the same time', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob);
    const before = { ada: ada.pcs.length, bob: bob.pcs.length };
    await joinAll(cat);
    // Only cat offered first; ada's and bob's links to cat began with cat's offer.
    for (const [p, n] of [
      [ada, before.ada],
      [bob, before.bob],
    ] as const) {
      const toCat = p.pcs.slice(n);
      expect(toCat).toHaveLength(1);
      expect(toCat[0]!.log.find((l) => l.startsWith('SLD') || l.startsWith('SRD'))).toBe(
        'SRD offer',
      );
      expect(toCat[0]!.log).not.toContain('implicit rollback');
    }
    expect(cat.pcs.flatMap((pc) => pc.log)).not.toContain('implicit rollback');
    expectFullMesh([ada, bob, cat]);
  });

  it('closes the peer and drops the participant on participant.left', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob, cat);
    const catId = server.connOf('cat')!.id;
    const adaPcs = ada.pcs.filter((c) => !c.closed).length;
    cat.call.leave();
    await settle();
    expect(cat.ended).toEqual([{ reason: 'left' }]);
    expect(cat.devices.liveTracks()).toEqual([]);
    for (const p of [ada, bob]) {
      expect(p.call.participants.has(catId)).toBe(false);
      expect(p.call.participants.size).toBe(1);
    }
    expect(ada.pcs.filter((c) => !c.closed)).toHaveLength(adaPcs - 1);
  });

  it('join() rejects with the server’s error code', async () => {
    server.joinError = () => 'NOT_APPROVED';
    const ada = person('ada');
    await ada.media.acquire();
    const outcome = ada.call.join({ audio: true, video: true }).catch((e: unknown) => e);
    await settle();
    const error = await outcome;
    expect(error).toBeInstanceOf(JoinError);
    expect((error as JoinError).code).toBe('NOT_APPROVED');
  });

  it('screen share adds exactly one negotiation per link and the camera sender keeps its track', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob, cat);
    const camera = ada.media.cameraTrack;
    const before = [ada, bob, cat].map(offersMade);
    const links = () => ada.pcs.filter((c) => !c.closed);
    // What ada sends on, whether her link offered (own sections) or answered (adopted ones).
    const own = (pc: FakeRTCPeerConnection) => pc.sendingTransceivers();

    expect(await ada.call.startScreenShare()).toBe(true);
    await settle();
    const screen = ada.devices.lastScreenTrack!;
    // One offer from ada per link; bob and cat only answer.
    expect([ada, bob, cat].map(offersMade)).toEqual([before[0]! + 2, before[1], before[2]]);
    for (const pc of links()) {
      expect(own(pc).map((t) => t.sender.track)).toEqual([ada.media.audioTrack, camera, screen]);
      expect(own(pc)[2]!.streamIds).toEqual([ada.media.screenStream!.id]);
      expect(own(pc)[1]!.streamIds).toEqual([ada.media.stream.id]);
    }
    // The self view keeps the camera; the share has its own preview track.
    expect(ada.media.videoTrack).toBe(camera);
    expect(ada.media.screenTrack).toBe(screen);
    expect(server.connOf('ada')!.entry!.media.screen).toBe(true);
    expectFullMesh([ada, bob, cat]);
  });

  it('the receiver gets the camera and the screen as two tracks, told apart by stream', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    const adaAtBob = () =>
      [...bob.call.participants.values()].find((v) => v.entry.displayName === 'ada')!;
    const camera = adaAtBob().cameraTrack;
    expect(camera).toBeDefined();
    expect(adaAtBob().screenTrack).toBeUndefined();

    await ada.call.startScreenShare();
    await settle();
    const p = adaAtBob();
    expect(p.entry.media.screen).toBe(true);
    expect(p.cameraTrack).toBe(camera);
    expect(p.screenTrack).toBeDefined();
    expect(p.screenTrack).not.toBe(camera);
    const pc = bob.pcs.find((c) => !c.closed)!;
    const inbound = pc.receivingTransceivers().filter((t) => t.kind === 'video');
    expect(inbound.map((t) => t.receiver.track)).toEqual([camera, p.screenTrack]);
    // `stream` (what plays the sound) is the audio and the camera only.
    expect(p.stream?.getVideoTracks()).toEqual([camera]);
    expect(p.stream?.getAudioTracks()).toHaveLength(1);
  });

  it('stopping the share does not renegotiate: the screen sender sends nothing and the others see screen off', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob, cat);
    await ada.call.startScreenShare();
    await settle();
    const offers = [ada, bob, cat].map(offersMade);
    const screenSenders = () =>
      ada.pcs.filter((c) => !c.closed).map((c) => c.sendingTransceivers()[2]!.sender);
    expect(screenSenders().map((x) => x.track)).toEqual([
      ada.devices.lastScreenTrack,
      ada.devices.lastScreenTrack,
    ]);
    const senders = screenSenders();
    const camera = ada.media.cameraTrack;

    ada.devices.lastScreenTrack!.endFromOutside(); // the browser's "Stop sharing"
    await settle();
    expect(senders.map((x) => x.track)).toEqual([null, null]);
    expect(ada.pcs.filter((c) => !c.closed).map((c) => c.sending('video')!.sender.track)).toEqual([
      camera,
      camera,
    ]);
    expect(server.connOf('ada')!.entry!.media.screen).toBe(false);
    const adaAtBob = [...bob.call.participants.values()].find(
      (v) => v.entry.displayName === 'ada',
    )!;
    expect(adaAtBob.screenTrack).toBeUndefined();
    expect(adaAtBob.cameraTrack).toBeDefined();

    // Sharing again reuses the same senders, still without a negotiation.
    await ada.call.startScreenShare();
    await settle();
    expect(screenSenders()).toEqual(senders);
    expect(senders.map((x) => x.track)).toEqual([
      ada.devices.lastScreenTrack,
      ada.devices.lastScreenTrack,
    ]);
    expect([ada, bob, cat].map(offersMade)).toEqual(offers);
    expect(ada.errors).toEqual([]);
  });

  it('a peer joining while someone shares receives the screen from its first negotiation', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob);
    await ada.call.startScreenShare();
    await settle();
    await joinAll(cat);
    const adaAtCat = [...cat.call.participants.values()].find(
      (v) => v.entry.displayName === 'ada',
    )!;
    expect(adaAtCat.entry.media.screen).toBe(true);
    expect(adaAtCat.screenTrack).toBeDefined();
    expect(adaAtCat.cameraTrack).toBeDefined();
    expect(adaAtCat.screenTrack).not.toBe(adaAtCat.cameraTrack);
    const toCat = ada.pcs.at(-1)!;
    expect(toCat.sendingTransceivers()[2]!.sender.track).toBe(ada.devices.lastScreenTrack);
    expectFullMesh([ada, bob, cat]);
  });

  it('mic and camera toggles reach the others as media.update; camera off sends no video', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    const adaAtBob = () =>
      [...bob.call.participants.values()].find((v) => v.entry.displayName === 'ada')!.entry.media;

    ada.call.setMic(false);
    await settle();
    expect(adaAtBob()).toMatchObject({ audio: false, video: true });
    await ada.call.setCamera(false);
    await settle();
    expect(adaAtBob()).toMatchObject({ audio: false, video: false });
    const pc = ada.pcs.find((c) => !c.closed)!;
    expect(pc.sending('video')!.sender.track).toBeNull();
    expect(ada.devices.liveTracks('video')).toEqual([]);

    await ada.call.setCamera(true);
    await settle();
    expect(adaAtBob()).toMatchObject({ video: true });
    expect(pc.sending('video')!.sender.track).toBe(ada.media.cameraTrack);
  });

  it('joins with the initial media off: mic disabled, camera not opened, and the server told so', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(bob);
    await ada.media.acquire();
    const joined = ada.call.join({ audio: false, video: false });
    await settle();
    await joined;
    await settle();
    expect(server.connOf('ada')!.entry!.media).toMatchObject({ audio: false, video: false });
    expect(ada.devices.liveTracks('video')).toEqual([]);
    expect(ada.media.audioTrack!.enabled).toBe(false);
    expectFullMesh([ada, bob]);
  });

  it('after its signaling socket drops it rejoins by itself and rebuilds the peers from the new roster', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob, cat);
    const oldId = ada.call.self!.connectionId;
    const oldPcs = ada.pcs.filter((c) => !c.closed);

    server.drop(server.connOf('ada')!);
    expect(ada.call.connection).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(10);
    await settle();

    const newId = ada.call.self!.connectionId;
    expect(newId).not.toBe(oldId);
    expect(oldPcs.every((c) => c.closed)).toBe(true);
    expectFullMesh([ada, bob, cat]);
    for (const p of [bob, cat]) {
      expect(p.call.participants.has(oldId)).toBe(false);
      expect(p.call.participants.has(newId)).toBe(true);
    }
    expect(ada.ended).toEqual([]);
  });

  it('after a 1012 from a draining server it resumes its connection: same id, same peer links on both sides, nobody sees it leave', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob, cat);
    const adaId = ada.call.self!.connectionId;
    const links = new Map([ada, bob, cat].map((p) => [p, [...p.pcs]]));
    const streams = [bob, cat].map((p) => p.call.participants.get(adaId)!.stream);
    const left: string[] = [];
    for (const p of [bob, cat])
      p.signaling.on('participant.left', (m) => left.push(m.connectionId));
    const shown: string[] = [];
    ada.call.on('change', () => shown.push(ada.call.connection));

    server.drain([server.connOf('ada')!]);
    expect(ada.signaling.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(10);
    await settle();

    expect(ada.signaling.resumed).toBe(true);
    expect(ada.call.self!.connectionId).toBe(adaId);
    // Not one peer connection closed or made, on any side.
    for (const [p, before] of links) {
      expect(p.pcs).toEqual(before);
      expect(p.pcs.some((pc) => pc.closed)).toBe(false);
    }
    expect([bob, cat].map((p) => p.call.participants.get(adaId)!.stream)).toEqual(streams);
    expect(left).toEqual([]);
    // It rejoined as usual, and the banner never said `reconnecting` for this short a gap.
    const joins = server.sockets
      .filter((sock) => sock.conn?.name === 'ada')
      .flatMap((sock) => sock.messages())
      .filter((m) => m.type === 'room.join');
    expect(joins).toHaveLength(2);
    expect(shown).not.toContain('reconnecting');
    expectFullMesh([ada, bob, cat]);
    expect(ada.ended).toEqual([]);
  });

  it('when the whole server drains, everyone resumes and the mesh is untouched', async () => {
    const people = [person('ada', () => 0.3), person('bob', () => 0.6), person('cat', () => 0.9)];
    await joinAll(...people);
    const ids = people.map((p) => p.call.self!.connectionId);
    const links = people.map((p) => [...p.pcs]);

    server.drain();
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();

    expect(people.map((p) => p.call.self!.connectionId)).toEqual(ids);
    expect(people.map((p) => p.pcs)).toEqual(links);
    expect(people.flatMap((p) => p.pcs).some((pc) => pc.closed)).toBe(false);
    expectFullMesh(people);
  });

  it('negotiation during the handover (an ICE restart) is held and sent once the connection is back', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    const pc = ada.pcs[0]!;
    server.refuse = true;
    server.drain([server.connOf('ada')!]);
    // The network under the peer link breaks while ada has no socket: the restart's offer
    // and candidates cannot go out yet.
    pc.simulateIceState('failed');
    await settle();
    expect(pc.restartIceCalls).toBe(1);
    expect(ada.call.participants.get(server.connOf('bob')!.id)!.connectionState).toBe('failed');

    server.refuse = false;
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(ada.signaling.resumed).toBe(true);
    expect(pc.closed).toBe(false);
    expect(ada.pcs).toHaveLength(1);
    expectFullMesh([ada, bob]);
  });

  it('shows `reconnecting` if the handover takes longer than 3 s; a refused resume rebuilds the peers on the new id', async () => {
    const [ada, bob] = [person('ada', () => 0.5), person('bob')];
    await joinAll(ada, bob);
    const oldId = ada.call.self!.connectionId;
    const oldPcs = [...ada.pcs];
    server.refuse = true;
    server.drain([server.connOf('ada')!]);
    await vi.advanceTimersByTimeAsync(2_900);
    expect(ada.call.connection).toBe('connected');
    await vi.advanceTimersByTimeAsync(100);
    expect(ada.call.connection).toBe('reconnecting');

    // Past the server's handover window: ada left the call for bob, the new socket is new.
    await vi.advanceTimersByTimeAsync(13_000);
    expect(bob.call.participants.has(oldId)).toBe(false);
    server.refuse = false;
    await vi.advanceTimersByTimeAsync(2_000);
    await settle();
    expect(ada.signaling.resumed).toBe(false);
    expect(ada.call.self!.connectionId).not.toBe(oldId);
    expect(oldPcs.every((pc) => pc.closed)).toBe(true);
    expectFullMesh([ada, bob]);
  });

  it('ends with `kicked` on participant.kicked: peers closed, camera and mic stopped, no rejoin', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    server.kick(server.connOf('bob')!);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(bob.ended).toEqual([{ reason: 'kicked' }]);
    expect(bob.pcs.every((c) => c.closed)).toBe(true);
    expect(bob.devices.liveTracks()).toEqual([]);
    expect(bob.signaling.state).toBe('closed');
    expect(ada.call.participants.size).toBe(0);
  });

  it('ends with `kicked` on the participant.kicked message alone, before any socket close', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    server.send(server.connOf('bob')!, { type: 'participant.kicked', roomId: ROOM_ID });
    expect(bob.ended).toEqual([{ reason: 'kicked' }]);
    expect(bob.signaling.state).toBe('open');
  });

  it('ends with `closed` when the host ends the meeting', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    server.closeRoom();
    await settle();
    expect(ada.ended).toEqual([{ reason: 'closed', detail: 'ended' }]);
    expect(bob.ended).toEqual([{ reason: 'closed', detail: 'ended' }]);
  });

  it('ends as `failed` with the reason when the socket closes 4002 SESSION_REVOKED, and does not rejoin', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    server.closeUnauthenticated(server.connOf('bob')!, 'SESSION_REVOKED');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(bob.ended).toEqual([{ reason: 'failed', detail: 'SESSION_REVOKED' }]);
    expect(bob.signaling.state).toBe('closed');
    expect(bob.devices.liveTracks()).toEqual([]);
    expect(server.connOf('bob')).toBeUndefined();
    expect(ada.call.participants.size).toBe(0);
  });

  it('a call outlives its 15-minute tokens: refreshed on the socket, never reconnecting', async () => {
    let n = 0;
    const fresh = (name: string) => () => Promise.resolve(`${name}#${++n}`);
    const [ada, bob] = [person('ada', () => 0, fresh('ada')), person('bob', () => 0, fresh('bob'))];
    await joinAll(ada, bob);
    const seen: string[] = [];
    ada.call.on('change', () => seen.push(ada.call.connection));
    const links = ada.pcs.length;
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(server.sockets).toHaveLength(2);
    expect(server.refreshTokens.length).toBeGreaterThanOrEqual(8);
    expect(seen.every((c) => c === 'connected')).toBe(true);
    expect(ada.pcs).toHaveLength(links);
    expectFullMesh([ada, bob]);
    expect(ada.ended).toEqual([]);
  });

  it('lists lobby requests for a host, announces each, and drops them when resolved or cancelled', async () => {
    const ada = person('ada');
    await joinAll(ada);
    const requests: string[] = [];
    ada.call.on('lobby-request', (e) => requests.push(e.user.displayName));
    const user = (id: string, displayName: string) => ({ id, displayName, isGuest: true });
    const visitor = user('3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b', 'Visitor');
    const other = user('4e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b', 'Other');
    const conn = server.connOf('ada')!;
    const requestedAt = '2025-01-01T10:02:00.000Z';
    server.send(conn, { type: 'lobby.requested', roomId: ROOM_ID, user: visitor, requestedAt });
    server.send(conn, { type: 'lobby.requested', roomId: ROOM_ID, user: other, requestedAt });
    expect(requests).toEqual(['Visitor', 'Other']);
    expect(ada.call.lobby.map((e) => e.user.displayName)).toEqual(['Visitor', 'Other']);
    server.send(conn, {
      type: 'lobby.resolved',
      roomId: ROOM_ID,
      userId: visitor.id,
      outcome: 'admitted',
    });
    server.send(conn, { type: 'lobby.cancelled', roomId: ROOM_ID, userId: other.id });
    expect(ada.call.lobby).toEqual([]);
  });

  it('caps every peer’s video bitrate by room size as people join and leave', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob);
    const caps = () =>
      ada.pcs.filter((c) => !c.closed).map((c) => c.sending('video')!.sender.maxBitrate);
    expect(caps()).toEqual([1_500_000]);
    await joinAll(cat);
    expect(caps()).toEqual([800_000, 800_000]);
    cat.call.leave();
    await settle();
    expect(caps()).toEqual([1_500_000]);
  });

  it('shows reconnecting while the socket is down, failed after 30 s, and retry() brings it back', async () => {
    const [ada, bob] = [person('ada', () => 0.5), person('bob')];
    await joinAll(ada, bob);
    server.refuse = true;
    server.drop(server.connOf('ada')!);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(ada.call.connection).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ada.call.connection).toBe('failed');
    server.refuse = false;
    ada.call.retry();
    await vi.advanceTimersByTimeAsync(10);
    await settle();
    expect(ada.call.connection).toBe('connected');
    expectFullMesh([ada, bob]);
  });

  it('reads a remote speaking level from that peer’s RTP audio level', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    const bobId = server.connOf('bob')!.id;
    expect(ada.call.audioLevel(bobId)).toBe(0);
    const pc = ada.pcs.find((c) => !c.closed)!;
    pc.transceiverOf('audio', true)!.receiver.sources = [
      { source: 1, audioLevel: 0.6, timestamp: 0, rtpTimestamp: 0 },
    ] as RTCRtpSynchronizationSource[];
    expect(ada.call.audioLevel(bobId)).toBe(0.6);
    expect(ada.call.audioLevel('nobody')).toBe(0);
  });

  it('samples each peer’s stats into a quality', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    const pc = ada.pcs.find((c) => !c.closed)!;
    let received = 0;
    const tick = () => {
      received += 1000;
      pc.stats = new Map<string, Record<string, unknown>>([
        ['P', { type: 'candidate-pair', selected: true, currentRoundTripTime: 0.6 }],
        ['I', { type: 'inbound-rtp', packetsReceived: received, packetsLost: 0 }],
      ]);
    };
    tick();
    await vi.advanceTimersByTimeAsync(2_000);
    tick();
    await vi.advanceTimersByTimeAsync(2_000);
    const bobAtAda = [...ada.call.participants.values()][0]!;
    expect(bobAtAda.quality).toBe('poor');
    expect(bobAtAda.stats?.rttMs).toBe(600);
  });

  it('reports each peer link once to the server, from its polite end: direct or relay from the selected pair, with the first frame', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    // The fakes' stats name no pair until now; the engine asks again a second later.
    const pair = (local: string) =>
      new Map<string, Record<string, unknown>>([
        ['T', { type: 'transport', selectedCandidatePairId: 'P' }],
        ['P', { type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' }],
        ['L', { type: 'local-candidate', candidateType: local }],
        ['R', { type: 'remote-candidate', candidateType: 'srflx' }],
      ]);
    for (const pc of ada.pcs) pc.stats = pair('relay');
    for (const pc of bob.pcs) pc.stats = pair('host');
    expect(server.qualityReports).toEqual([]);
    await vi.advanceTimersByTimeAsync(PATH_RETRY_MS);
    // ada joined first: her connection id sorts first, so she is the polite end.
    expect(server.connOf('ada')!.id < server.connOf('bob')!.id).toBe(true);
    expect(server.qualityReports.map((r) => [r.from, r.outcome, typeof r.firstFrameMs])).toEqual([
      ['ada', 'relay', 'number'],
    ]);
    await vi.advanceTimersByTimeAsync(10 * PATH_RETRY_MS);
    bob.call.leave();
    await settle();
    expect(server.qualityReports).toHaveLength(1);
    expect(ada.errors).toEqual([]);
  });

  it('a link that never connects is reported failed when we leave after trying long enough, before room.leave', async () => {
    server.relayCandidates = false;
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    await vi.advanceTimersByTimeAsync(NEVER_CONNECTED_FAILS_AFTER_MS);
    expect(ada.pcs.map((pc) => pc.connectionState)).toEqual(['new']); // never connected
    ada.call.leave();
    await settle();
    expect(server.qualityReports).toEqual([{ from: 'ada', outcome: 'failed' }]);
    expect(ada.errors).toEqual([]);
  });

  it('nobody reports a link closed sooner than that without connecting', async () => {
    server.relayCandidates = false;
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    await vi.advanceTimersByTimeAsync(NEVER_CONNECTED_FAILS_AFTER_MS - 1_000);
    bob.call.leave();
    ada.call.leave();
    await settle();
    expect(server.qualityReports).toEqual([]);
  });
});

describe('CallSession meeting features', () => {
  const mediaUpdates = (name: string) =>
    server.received.filter((r) => r.from === name && r.msg.type === 'media.update');
  const at = (p: Person, name: string) =>
    [...p.call.participants.values()].find((v) => v.entry.displayName === name)!;

  it('a moderator’s mute turns the mic off through the same path as our own button (media.update), then tells the page who did it', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    const told: unknown[] = [];
    bob.call.on('moderation', (m) => told.push(m));
    const sent = mediaUpdates('bob').length;

    server.moderate('bob', 'mute');
    await settle();
    expect(bob.media.micEnabled).toBe(false);
    expect(bob.media.audioTrack!.enabled).toBe(false);
    expect(
      mediaUpdates('bob')
        .slice(sent)
        .map((r) => r.msg.audio),
    ).toEqual([false]);
    expect(told).toEqual([
      expect.objectContaining({ action: 'mute', by: { id: userIdFor('ada'), displayName: 'ada' } }),
    ]);
    expect(at(ada, 'bob').entry.media.audio).toBe(false);

    // Unmuting stays bob's choice.
    bob.call.setMic(true);
    await settle();
    expect(at(ada, 'bob').entry.media.audio).toBe(true);
  });

  it('mute-all mutes everyone in the call but the moderator who asked', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob, cat);
    server.moderate('', 'mute-all', 'ada');
    await settle();
    expect([ada, bob, cat].map((p) => p.media.micEnabled)).toEqual([true, false, false]);
    expect(server.connOf('cat')!.entry!.media.audio).toBe(false);
    expect(server.connOf('ada')!.entry!.media.audio).toBe(true);
  });

  it('raising a hand reaches the others with the server’s handRaisedAt, in raising order; a moderator lowers it', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob, cat);
    cat.call.setHandRaised(true);
    await settle();
    await vi.advanceTimersByTimeAsync(2_000);
    bob.call.setHandRaised(true);
    await settle();
    expect(bob.call.handRaised).toBe(true);
    const queue = [at(ada, 'bob'), at(ada, 'cat')]
      .filter((p) => p.handRaisedAt !== null)
      .sort((x, y) => x.handRaisedAt! - y.handRaisedAt!)
      .map((p) => p.entry.displayName);
    expect(queue).toEqual(['cat', 'bob']);
    expect(at(ada, 'bob').handRaisedAt! - at(ada, 'cat').handRaisedAt!).toBe(2_000);
    // Our own entry as the server echoed it, for our place in the queue.
    expect(bob.call.selfEntry?.handRaisedAt).toBe(at(ada, 'bob').entry.handRaisedAt);

    const told: string[] = [];
    bob.call.on('moderation', (m) => told.push(m.action));
    server.moderate('bob', 'lower-hand');
    await settle();
    expect(bob.call.handRaised).toBe(false);
    expect(told).toEqual(['lower-hand']);
    expect(at(ada, 'bob').handRaisedAt).toBeNull();
    expect(at(ada, 'cat').handRaisedAt).not.toBeNull();
  });

  it('a raised hand is sent again with room.join after the socket drops', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    bob.call.setHandRaised(true);
    await settle();
    server.drop(server.connOf('bob')!);
    await vi.advanceTimersByTimeAsync(10);
    await settle();
    expect(server.connOf('bob')!.entry!.media.handRaised).toBe(true);
    expect(at(ada, 'bob').entry.media.handRaised).toBe(true);
    // Our own place in the queue is the server's again (the echo), not "last, unknown".
    expect(bob.call.selfEntry?.handRaisedAt).toBeTruthy();
    expect(bob.call.selfEntry?.handRaisedAt).toBe(at(ada, 'bob').entry.handRaisedAt);
  });

  it('moderation.granted makes self a co-host with the lobby, announcing each request new to it', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    server.knock('Visitor');
    await settle();
    expect(bob.call.lobby).toEqual([]); // a participant hears of no knocks
    const requests: string[] = [];
    const granted: string[] = [];
    bob.call.on('lobby-request', (e) => requests.push(e.user.displayName));
    bob.call.on('moderation-granted', (m) => granted.push(m.reason));

    server.grant('bob', { reason: 'handover' });
    await settle();
    expect(bob.call.self?.role).toBe('cohost');
    expect(bob.call.lobby.map((e) => e.user.displayName)).toEqual(['Visitor']);
    expect(granted).toEqual(['handover']);
    expect(requests).toEqual(['Visitor']);

    // Later knocks reach the new co-host; a repeated grant does not chime for known ones.
    server.knock('Second');
    server.grant('bob');
    await settle();
    expect(bob.call.lobby.map((e) => e.user.displayName)).toEqual(['Visitor', 'Second']);
    expect(requests).toEqual(['Visitor', 'Second']);
  });

  it('a participant.updated for our own connection changes self.role', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    const conn = server.connOf('bob')!;
    server.send(conn, {
      type: 'participant.updated',
      roomId: ROOM_ID,
      participant: { ...conn.entry!, role: 'cohost' },
    });
    expect(bob.call.self?.role).toBe('cohost');
    expect(bob.call.selfEntry?.role).toBe('cohost');
  });

  it('reactions reach everyone, the sender included; the local limit keeps the server from refusing', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada, bob);
    const seen: { ada: string[]; bob: string[] } = { ada: [], bob: [] };
    ada.call.on('reaction', (r) => seen.ada.push(`${r.connectionId}:${r.emoji}`));
    bob.call.on('reaction', (r) => seen.bob.push(`${r.connectionId}:${r.emoji}`));
    const bobId = server.connOf('bob')!.id;

    expect(bob.call.sendReaction('👍')).toBe('sent');
    await settle();
    expect(seen).toEqual({ ada: [`${bobId}:👍`], bob: [`${bobId}:👍`] });

    // A burst of REACTION_LIMITS.burst, then one per second.
    const burst = Array.from({ length: 6 }, () => bob.call.sendReaction('🎉'));
    expect(burst).toEqual(['sent', 'sent', 'sent', 'sent', 'limited', 'limited']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(bob.call.sendReaction('🎉')).toBe('sent');
    expect(bob.call.sendReaction('🎉')).toBe('limited');
    await settle();
    const sent = server.received.filter((r) => r.msg.type === 'reaction.send').length;
    expect(sent).toBe(6);
    expect(server.reactions).toHaveLength(6); // no RATE_LIMITED
    server.react('ada', '👏');
    expect(seen.bob.at(-1)).toBe(`${server.connOf('ada')!.id}:👏`);
  });

  it('sendReaction outside the call sends nothing', async () => {
    const ada = person('ada');
    expect(ada.call.sendReaction('👍')).toBe('not-sent');
    await joinAll(ada);
    ada.call.leave();
    expect(ada.call.sendReaction('👍')).toBe('not-sent');
  });

  it('the spotlight follows room.spotlight, comes with room.joined, and goes with its connection', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob);
    const bobId = server.connOf('bob')!.id;

    server.spotlight(bobId);
    await settle();
    expect(ada.call.spotlight).toBe(bobId);
    expect(bob.call.spotlight).toBe(bobId);

    await joinAll(cat);
    expect(cat.call.spotlight).toBe(bobId);

    bob.call.leave();
    await settle();
    expect(ada.call.spotlight).toBeNull();
    expect(cat.call.spotlight).toBeNull();

    server.spotlight(server.connOf('cat')!.id);
    server.spotlight(null);
    await settle();
    expect(ada.call.spotlight).toBeNull();
  });

  it('two people joining 20 s apart read the same meeting start and the same meeting time', async () => {
    server.clockSkewMs = 5_000; // the server's clock runs 5 s ahead of ours
    const [ada, bob] = [person('ada'), person('bob')];
    const startedAt = server.now();
    await joinAll(ada);
    await vi.advanceTimersByTimeAsync(20_000);
    await joinAll(bob);
    for (const p of [ada, bob]) {
      expect(p.call.meetingStartedAt).toBe(startedAt);
      expect(p.call.serverOffset).toBe(5_000);
    }
    const elapsed = (p: Person) => p.call.serverNow() - p.call.meetingStartedAt!;
    expect(elapsed(bob)).toBe(elapsed(ada));
    expect(Math.round(elapsed(bob) / 1000)).toBe(20);
  });

  it('the meeting clock starts again when the call emptied in between', async () => {
    const [ada, bob] = [person('ada'), person('bob')];
    await joinAll(ada);
    const first = ada.call.meetingStartedAt;
    ada.call.leave();
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    await joinAll(bob);
    expect(bob.call.meetingStartedAt).toBe(first! + 60_000);
  });
});
