import { describe, expect, it, vi } from 'vitest';
import {
  SOCKET_HOLD_MS,
  dropEarlySocket,
  openEarlySocket,
  takeEarlySocket,
} from './socket-handoff';

function fakeSocket() {
  return {
    connect: vi.fn(() => Promise.resolve()),
    close: vi.fn(),
  };
}

function fakeTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    setTimeout: (fn: () => void, ms: number) => {
      pending.set(++next, fn);
      return { id: next, ms };
    },
    clearTimeout: (h: unknown) => void pending.delete((h as { id: number }).id),
    fire: () => {
      for (const [id, fn] of [...pending]) {
        pending.delete(id);
        fn();
      }
    },
    pending,
  };
}

describe('the call socket opened by the pre-join page for the call page', () => {
  it('connects at once and is taken once, by the same person, still open', () => {
    const timers = fakeTimers();
    const socket = fakeSocket();
    expect(openEarlySocket('u1', () => socket, SOCKET_HOLD_MS, timers)).toBe(socket);
    expect(socket.connect).toHaveBeenCalledTimes(1);
    expect(takeEarlySocket('u1')).toBe(socket);
    expect(takeEarlySocket('u1')).toBeUndefined();
    expect(socket.close).not.toHaveBeenCalled();
    // Nothing held: the hold timer is gone with it.
    expect(timers.pending.size).toBe(0);
  });

  it('is closed, not handed, when another person takes it (signed out and in meanwhile)', () => {
    const socket = fakeSocket();
    openEarlySocket('u1', () => socket, SOCKET_HOLD_MS, fakeTimers());
    expect(takeEarlySocket('u2')).toBeUndefined();
    expect(socket.close).toHaveBeenCalledTimes(1);
  });

  it('is closed when nobody takes it in time, or when the join did not lead to the call', () => {
    const timers = fakeTimers();
    const late = fakeSocket();
    openEarlySocket('u1', () => late, SOCKET_HOLD_MS, timers);
    timers.fire();
    expect(late.close).toHaveBeenCalledTimes(1);
    expect(takeEarlySocket('u1')).toBeUndefined();

    const refused = fakeSocket();
    openEarlySocket('u1', () => refused, SOCKET_HOLD_MS, timers);
    dropEarlySocket();
    expect(refused.close).toHaveBeenCalledTimes(1);
    expect(takeEarlySocket('u1')).toBeUndefined();
  });

  it('a second Join press replaces (and closes) the first socket', () => {
    const first = fakeSocket();
    const second = fakeSocket();
    openEarlySocket('u1', () => first, SOCKET_HOLD_MS, fakeTimers());
    openEarlySocket('u1', () => second, SOCKET_HOLD_MS, fakeTimers());
    expect(first.close).toHaveBeenCalledTimes(1);
    expect(takeEarlySocket('u1')).toBe(second);
  });

  it('a failed connect is not an unhandled rejection (the call page connects again)', async () => {
    const socket = { connect: vi.fn(() => Promise.reject(new Error('down'))), close: vi.fn() };
    openEarlySocket('u1', () => socket, SOCKET_HOLD_MS, fakeTimers());
    await Promise.resolve();
    expect(takeEarlySocket('u1')).toBe(socket);
  });
});
