import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { Connection } from './session.js';

function connection(): Connection {
  const socket = new EventEmitter() as unknown as WebSocket;
  return new Connection(
    'c_1',
    socket,
    { ip: '127.0.0.1', userAgent: null },
    { kind: 'closing' },
    () => 0,
    {
      perSecond: 50,
      burst: 200,
    },
  );
}

const tick = () => new Promise<void>((r) => setImmediate(r));

// A socket's messages are handled one after another in arrival order (PROTOCOL.md: a
// `signal` sent after `room.join` is handled after it), without a promise chain per message.
describe("a connection's task queue", () => {
  it('runs tasks in order, each after the previous one finished, never inside enqueue', async () => {
    const conn = connection();
    const log: string[] = [];
    const slow = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };
    conn.enqueue(slow('a'), () => undefined);
    conn.enqueue(slow('b'), () => undefined);
    expect(log).toEqual([]); // not run in the caller's stack
    await conn.idle();
    conn.enqueue(slow('c'), () => undefined);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end']);
    await conn.idle();
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('a failing task is reported to its own handler and the queue goes on', async () => {
    const conn = connection();
    const errors: string[] = [];
    const ran: number[] = [];
    conn.enqueue(
      () => Promise.reject(new Error('first')),
      (e) => errors.push(`1:${(e as Error).message}`),
    );
    conn.enqueue(
      () => {
        throw new Error('second');
      },
      (e) => errors.push(`2:${(e as Error).message}`),
    );
    conn.enqueue(
      () => Promise.reject(new Error('third')),
      () => {
        throw new Error('the handler fails too');
      },
    );
    conn.enqueue(
      () => Promise.resolve(void ran.push(4)),
      () => undefined,
    );
    await conn.idle();
    expect(errors).toEqual(['1:first', '2:second']);
    expect(ran).toEqual([4]);
  });

  it('one run per busy spell: tasks queued meanwhile add no promise to wait on', async () => {
    const conn = connection();
    let release!: () => void;
    conn.enqueue(
      () => new Promise<void>((r) => (release = r)),
      () => undefined,
    );
    const idle = conn.idle();
    for (let i = 0; i < 100; i++)
      conn.enqueue(
        () => Promise.resolve(),
        () => undefined,
      );
    expect(conn.idle()).toBe(idle);
    await tick();
    release();
    await idle;
    // Idle now: a new spell, already finished once awaited.
    await expect(conn.idle()).resolves.toBeUndefined();
  });
});
