import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { INITIAL_PLAYBACK_STATE } from '@parley/protocol';
import type { RoomJoinedMessage, ServerMessage } from '@parley/protocol';
import { Emitter } from './emitter';
import { JoinError, RoomSession } from './room-session';
import type { MediaUpdate, RoomSignaling } from './room-session';
import { SignalingClient } from './signaling';
import type { SignalingState } from './signaling';
import { FakeServer, ROOM_ID, roomSummary, userIdFor } from './testing/fake-server';
import { settle } from './testing/settle';

let server: FakeServer;

beforeEach(() => {
  vi.useFakeTimers();
  server = new FakeServer();
});
afterEach(() => {
  vi.useRealTimers();
});

async function connected(name: string) {
  const signaling = new SignalingClient({
    url: 'ws://test/ws',
    getToken: () => Promise.resolve(name),
    WebSocketImpl: server.WebSocket,
    random: () => 0,
  });
  await Promise.all([signaling.connect(), settle()]);
  return signaling;
}

function session(
  signaling: RoomSignaling,
  media: MediaUpdate = { audio: true, video: true, screen: false },
) {
  let current = media;
  const room = new RoomSession(signaling, ROOM_ID, () => current);
  const joined: { msg: RoomJoinedMessage; resumed: boolean }[] = [];
  room.on('joined', (msg, { resumed }) => joined.push({ msg, resumed }));
  return {
    room,
    joined,
    setMedia: (m: MediaUpdate) => {
      current = m;
    },
  };
}

const joinsSentBy = (name: string) =>
  server.sockets
    .filter((s) => s.conn?.name === name)
    .flatMap((s) => s.messages())
    .filter((m) => m.type === 'room.join');

describe('RoomSession', () => {
  it('sends room.join with the media state and resolves with room.joined', async () => {
    const ada = session(await connected('ada'));
    const joining = ada.room.join();
    await settle();
    const msg = await joining;
    expect(joinsSentBy('ada')).toEqual([
      {
        type: 'room.join',
        ref: 'join-1',
        roomId: ROOM_ID,
        media: { audio: true, video: true, screen: false },
      },
    ]);
    expect(msg.self.connectionId).toBe('c1');
    expect(ada.room.phase).toBe('joined');
    expect(ada.joined).toEqual([{ msg, resumed: false }]);
  });

  it('rejects join() with the server’s error code and goes back to idle', async () => {
    server.joinError = () => 'NOT_APPROVED';
    const ada = session(await connected('ada'));
    const outcome = ada.room.join().catch((e: unknown) => e);
    await settle();
    const error = await outcome;
    expect(error).toBeInstanceOf(JoinError);
    expect((error as JoinError).code).toBe('NOT_APPROVED');
    expect(ada.room.phase).toBe('idle');
  });

  it('after a reconnect re-sends room.join with the current media and reports the new roster as resumed', async () => {
    const grace = session(await connected('grace'));
    void grace.room.join();
    await settle();
    const adaSignaling = await connected('ada');
    const ada = session(adaSignaling);
    void ada.room.join();
    await settle();
    expect(ada.joined[0]!.msg.participants.map((p) => p.displayName)).toEqual(['grace']);

    ada.setMedia({ audio: false, video: true, screen: true });
    server.drop(server.connOf('ada')!);
    expect(ada.room.phase).toBe('resuming');
    await vi.advanceTimersByTimeAsync(10);

    expect(adaSignaling.connectionId).toBe('c3');
    const joins = joinsSentBy('ada');
    expect(joins).toHaveLength(2);
    expect(joins[1]).toMatchObject({
      type: 'room.join',
      roomId: ROOM_ID,
      media: { audio: false, video: true, screen: true },
    });
    expect(ada.room.phase).toBe('joined');
    expect(ada.joined).toHaveLength(2);
    expect(ada.joined[1]!.resumed).toBe(true);
    expect(ada.joined[1]!.msg.self.connectionId).toBe('c3');
    expect(ada.joined[1]!.msg.participants.map((p) => p.connectionId)).toEqual([
      server.connOf('grace')!.id,
    ]);
  });

  it('waits for the socket when join() is called while reconnecting', async () => {
    const signaling = await connected('ada');
    server.refuse = true;
    server.drop(server.connOf('ada')!);
    const ada = session(signaling);
    const joining = ada.room.join();
    expect(ada.room.phase).toBe('joining');
    server.refuse = false;
    await vi.advanceTimersByTimeAsync(10);
    await joining;
    expect(ada.room.phase).toBe('joined');
    expect(joinsSentBy('ada')).toHaveLength(1);
  });

  it('does not rejoin after leave(), and sends room.leave', async () => {
    const signaling = await connected('ada');
    const ada = session(signaling);
    void ada.room.join();
    await settle();
    ada.room.leave();
    await settle();
    expect(server.lastSocket!.messages().at(-1)).toEqual({ type: 'room.leave' });
    server.drop(server.connOf('ada')!);
    await vi.advanceTimersByTimeAsync(10);
    expect(signaling.state).toBe('open');
    expect(joinsSentBy('ada')).toHaveLength(1);
  });

  it('reports a refused resume once and does not loop; retry() asks again', async () => {
    const ada = session(await connected('ada'));
    void ada.room.join();
    await settle();
    const failures: string[] = [];
    ada.room.on('resumeFailed', (code) => failures.push(code));
    server.joinError = () => 'ROOM_FULL';
    server.drop(server.connOf('ada')!);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(failures).toEqual(['ROOM_FULL']);
    expect(joinsSentBy('ada')).toHaveLength(2);
    server.joinError = () => undefined;
    ada.room.retry();
    await settle();
    expect(ada.room.phase).toBe('joined');
    expect(ada.joined.at(-1)!.resumed).toBe(true);
  });

  it('drops its own former connection from a roster sent right after a reconnect', () => {
    const stub = new StubSignaling();
    const ada = session(stub);
    void ada.room.join();
    stub.open('c1');
    stub.deliver(joined('join-1', 'c1', []));
    stub.drop();
    stub.open('c2');
    // The server has not noticed yet that c1 is gone.
    stub.deliver(joined('join-2', 'c2', ['c1', 'c9']));
    expect(ada.joined.at(-1)!.msg.participants.map((p) => p.connectionId)).toEqual(['c9']);
  });

  it('after a resume (same connection id) rejoins on it and reports it as resumed', () => {
    const stub = new StubSignaling();
    const ada = session(stub);
    void ada.room.join();
    stub.open('c1');
    stub.deliver(joined('join-1', 'c1', ['c9']));
    stub.drop();
    expect(ada.room.phase).toBe('resuming');
    stub.open('c1');
    expect(stub.sent.filter((m) => (m as { type: string }).type === 'room.join')).toHaveLength(2);
    stub.deliver(joined('join-2', 'c1', ['c9']));
    expect(ada.room.phase).toBe('joined');
    expect(ada.joined.at(-1)).toMatchObject({ resumed: true });
    expect(ada.joined.at(-1)!.msg.self.connectionId).toBe('c1');
    expect(ada.joined.at(-1)!.msg.participants.map((p) => p.connectionId)).toEqual(['c9']);
    // c1 stays ours; once it is really gone, a stale roster entry for it is dropped again.
    stub.drop();
    stub.open('c2');
    stub.deliver(joined('join-3', 'c2', ['c1', 'c9']));
    expect(ada.joined.at(-1)!.msg.participants.map((p) => p.connectionId)).toEqual(['c9']);
  });

  it('ignores room.joined for another room or another request', () => {
    const stub = new StubSignaling();
    const ada = session(stub);
    void ada.room.join();
    stub.open('c1');
    stub.deliver({ ...joined('join-1', 'c1', []), roomId: '1b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12' });
    stub.deliver(joined('join-7', 'c1', []));
    expect(ada.joined).toEqual([]);
    expect(ada.room.phase).toBe('joining');
  });
});

/** A hand-driven signaling client for rules the fake server would not produce. */
class StubSignaling implements RoomSignaling {
  state: SignalingState = 'connecting';
  connectionId: string | undefined;
  readonly sent: unknown[] = [];
  private readonly handlers = new Map<string, Set<(m: never) => void>>();
  private readonly states = new Emitter<{ s: (s: SignalingState) => void }>();

  on<T extends ServerMessage['type']>(
    type: T,
    fn: (msg: Extract<ServerMessage, { type: T }>) => void,
  ) {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }
  onState(fn: (s: SignalingState) => void) {
    return this.states.on('s', fn);
  }
  send(msg: unknown): boolean {
    if (this.state !== 'open') return false;
    this.sent.push(msg);
    return true;
  }
  open(connectionId: string): void {
    this.connectionId = connectionId;
    this.state = 'open';
    this.states.emit('s', 'open');
  }
  drop(): void {
    this.connectionId = undefined;
    this.state = 'reconnecting';
    this.states.emit('s', 'reconnecting');
  }
  deliver(msg: ServerMessage): void {
    for (const fn of this.handlers.get(msg.type) ?? []) (fn as (m: ServerMessage) => void)(msg);
  }
}

function joined(ref: string, self: string, others: string[]): RoomJoinedMessage {
  return {
    type: 'room.joined',
    ref,
    roomId: ROOM_ID,
    room: roomSummary(),
    self: { connectionId: self, userId: userIdFor('ada'), role: 'host' },
    participants: others.map((id) => ({
      connectionId: id,
      userId: userIdFor(id === 'c1' ? 'ada' : id),
      displayName: id,
      isGuest: false,
      role: 'participant',
      media: { audio: true, video: true, screen: false, handRaised: false },
      joinedAt: '2025-01-01T10:00:00.000Z',
      handRaisedAt: null,
    })),
    lobby: [],
    chat: [],
    playback: { ...INITIAL_PLAYBACK_STATE },
    serverTime: 0,
    spotlight: null,
  };
}
