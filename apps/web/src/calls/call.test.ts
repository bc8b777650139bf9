import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallSession } from './call';
import type { CallEnded } from './call';
import { NEVER_CONNECTED_FAILS_AFTER_MS, PATH_RETRY_MS } from './link-quality';
import { LocalMedia } from './media';
import { JoinError } from './room-session';
import { SignalingClient } from './signaling';
import { FakeCanvas, FakeMediaDevices, createFakeStream } from './testing/fake-media';
import { fakePeerConnectionFactory } from './testing/fake-rtc';
import { FakeServer, ROOM_ID } from './testing/fake-server';
import { settle } from './testing/settle';

let server: FakeServer;

beforeEach(() => {
  vi.useFakeTimers();
  server = new FakeServer();
});
afterEach(() => {
  vi.useRealTimers();
});

type Person = ReturnType<typeof person>;

function person(
  name: string,
  random = () => 0,
  getFreshToken?: (staleToken: string) => Promise<string>,
) {
  const devices = new FakeMediaDevices();
  const media = new LocalMedia({
    env: {
      getUserMedia: devices.getUserMedia,
      getDisplayMedia: devices.getDisplayMedia,
      enumerateDevices: devices.enumerateDevices,
      createMediaStream: createFakeStream,
      createCanvas: () => new FakeCanvas() as unknown as HTMLCanvasElement,
      createAudioContext: () => undefined,
      onDeviceChange: () => () => undefined,
    },
    displayName: name,
  });
  const signaling = new SignalingClient({
    url: 'ws://test/ws',
    getToken: () => Promise.resolve(name),
    getFreshToken,
    WebSocketImpl: server.WebSocket,
    random,
  });
  const factory = fakePeerConnectionFactory();
  const errors: [string, unknown][] = [];
  const call = new CallSession({
    signaling,
    roomId: ROOM_ID,
    media,
    RTCPeerConnectionImpl: factory.ctor,
    createMediaStream: () => createFakeStream(),
    onError: (e, context) => errors.push([context, e]),
  });
  const ended: CallEnded[] = [];
  call.on('ended', (why) => ended.push(why));
  return { name, devices, media, signaling, call, pcs: factory.instances, errors, ended };
}

async function joinAll(...people: Person[]): Promise<void> {
  for (const p of people) {
    await p.media.acquire();
    const joined = p.call.join({ audio: true, video: true });
    await settle();
    await joined;
  }
  await settle();
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

  it('screen share replaces the video on every peer without renegotiating, and its `ended` restores the camera', async () => {
    const [ada, bob, cat] = [person('ada'), person('bob'), person('cat')];
    await joinAll(ada, bob, cat);
    const camera = ada.media.cameraTrack;
    const offers = offersMade(ada);
    const videoSenders = () =>
      ada.pcs.filter((c) => !c.closed).map((c) => c.transceiverOf('video')!.sender.track);

    expect(await ada.call.startScreenShare()).toBe(true);
    await settle();
    const screen = ada.devices.lastScreenTrack!;
    expect(videoSenders()).toEqual([screen, screen]);
    expect(server.connOf('ada')!.entry!.media.screen).toBe(true);
    const adaAtBob = [...bob.call.participants.values()].find((v) => v.entry.displayName === 'ada');
    expect(adaAtBob!.entry.media.screen).toBe(true);

    screen.endFromOutside(); // the browser's "Stop sharing"
    await settle();
    expect(videoSenders()).toEqual([camera, camera]);
    expect(server.connOf('ada')!.entry!.media.screen).toBe(false);
    expect(offersMade(ada)).toBe(offers);
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
    expect(pc.transceiverOf('video')!.sender.track).toBeNull();
    expect(ada.devices.liveTracks('video')).toEqual([]);

    await ada.call.setCamera(true);
    await settle();
    expect(adaAtBob()).toMatchObject({ video: true });
    expect(pc.transceiverOf('video')!.sender.track).toBe(ada.media.cameraTrack);
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
      ada.pcs.filter((c) => !c.closed).map((c) => c.transceiverOf('video')!.sender.maxBitrate);
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
