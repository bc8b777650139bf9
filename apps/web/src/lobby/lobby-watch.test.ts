import type { ServerMessage, ServerMessageType } from '@parley/protocol';
import { describe, expect, it, vi } from 'vitest';
import { watchLobby } from './lobby-watch';
import type { LobbyOutcome, LobbySocket } from './lobby-watch';

const ROOM = '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12';
const OTHER_ROOM = '9d2f3c4b-1a2b-4c3d-8e4f-5a6b7c8d9e0f';

function fakeSocket() {
  const listeners = new Map<string, Set<(msg: ServerMessage) => void>>();
  let resolveConnect: () => void = () => undefined;
  const socket = {
    closed: false,
    connect: vi.fn(
      () =>
        new Promise<void>((resolve) => {
          resolveConnect = resolve;
        }),
    ),
    on(type: ServerMessageType, fn: (msg: ServerMessage) => void) {
      const set = listeners.get(type) ?? new Set();
      set.add(fn);
      listeners.set(type, set);
      return () => set.delete(fn);
    },
    close() {
      socket.closed = true;
    },
    emit(msg: ServerMessage) {
      for (const fn of [...(listeners.get(msg.type) ?? [])]) fn(msg);
    },
    welcome() {
      socket.emit({
        type: 'welcome',
        connectionId: 'c1',
        userId: '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11',
        serverTime: 1,
        tokenExpiresAt: 900_001,
        heartbeatIntervalMs: 20_000,
        resumed: false,
      });
      resolveConnect();
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
  return socket;
}

function setup(status: () => Promise<LobbyOutcome | null> = () => Promise.resolve(null)) {
  const socket = fakeSocket();
  const outcomes: LobbyOutcome[] = [];
  const timers: (() => void)[] = [];
  const checkStatus = vi.fn(status);
  const watch = watchLobby({
    roomId: ROOM,
    socket: socket as unknown as LobbySocket,
    checkStatus,
    onOutcome: (o) => outcomes.push(o),
    setInterval: (fn) => timers.push(fn),
    clearInterval: () => undefined,
  });
  return { socket, outcomes, checkStatus, watch, poll: () => timers.forEach((fn) => fn()) };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('watchLobby', () => {
  it('is admitted by lobby.admitted for this room, once, and then stops listening', async () => {
    const { socket, outcomes } = setup();
    socket.welcome();
    socket.emit({ type: 'lobby.admitted', roomId: OTHER_ROOM });
    expect(outcomes).toEqual([]);
    socket.emit({ type: 'lobby.admitted', roomId: ROOM });
    socket.emit({ type: 'lobby.denied', roomId: ROOM, reason: 'denied' });
    await flush();
    expect(outcomes).toEqual(['admitted']);
    expect(socket.closed).toBe(true);
    expect(socket.listenerCount()).toBe(0);
  });

  it('reports a denial and a room closed for everyone', () => {
    const denied = setup();
    denied.socket.emit({ type: 'lobby.denied', roomId: ROOM, reason: 'denied' });
    expect(denied.outcomes).toEqual(['denied']);

    const closed = setup();
    closed.socket.emit({ type: 'room.closed', roomId: ROOM, reason: 'ended' });
    expect(closed.outcomes).toEqual(['closed']);
  });

  it('tells a waiter turned away because their invite was revoked from a plain denial', () => {
    const revoked = setup();
    revoked.socket.emit({ type: 'lobby.denied', roomId: ROOM, reason: 'invite-revoked' });
    expect(revoked.outcomes).toEqual(['revoked']);
  });

  it('checks the REST status after welcome, catching a decision made before the socket was up', async () => {
    const { socket, outcomes, checkStatus } = setup(() => Promise.resolve('admitted'));
    expect(checkStatus).not.toHaveBeenCalled();
    socket.welcome();
    await flush();
    expect(checkStatus).toHaveBeenCalledTimes(1);
    expect(outcomes).toEqual(['admitted']);
  });

  it('polls as a safety net and keeps waiting while the answer is still pending', async () => {
    let answer: LobbyOutcome | null = null;
    const { outcomes, checkStatus, poll } = setup(() => Promise.resolve(answer));
    poll();
    await flush();
    expect(outcomes).toEqual([]);
    answer = 'denied';
    poll();
    await flush();
    expect(checkStatus).toHaveBeenCalledTimes(2);
    expect(outcomes).toEqual(['denied']);
  });

  it('a failed status check is not an outcome', async () => {
    const { outcomes, poll } = setup(() => Promise.reject(new Error('offline')));
    poll();
    await flush();
    expect(outcomes).toEqual([]);
  });

  it('stop() closes the socket and ignores later messages', () => {
    const { socket, outcomes, watch } = setup();
    watch.stop();
    expect(socket.closed).toBe(true);
    socket.emit({ type: 'lobby.admitted', roomId: ROOM });
    expect(outcomes).toEqual([]);
  });
});
