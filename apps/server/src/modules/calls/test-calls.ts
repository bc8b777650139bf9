import type { Call, ServerMessageOf } from '@parley/protocol';
import { expect, vi } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { Dialect } from '../../test/harness.js';
import type { TestClient } from '../signaling/test-client.js';
import { SignalingServer } from '../signaling/test-server.js';
import type { Person } from '../signaling/test-server.js';

// Test support for the calls suites: the real app listening on a random port, REST by
// inject, real sockets, and a ManualClock for every time the server reads (ring
// deadlines, the reaper, durations). The app's upkeep interval runs on real timers and
// reads the fake clock; tests also call `tick()` themselves, so an outcome never waits
// on a timer (every upkeep change is exactly-once, so the two never double up).

export type Reply = { status: number; body: Record<string, unknown> };
export type Action = 'accept' | 'reject' | 'cancel' | 'end' | 'seen';

export class CallsServer {
  private constructor(
    readonly s: SignalingServer,
    readonly clock: ManualClock,
  ) {}

  static async start(dialect: Dialect, config: Partial<Config> = {}): Promise<CallsServer> {
    const clock = new ManualClock(new Date());
    return new CallsServer(await SignalingServer.start(config, { dialect, clock }), clock);
  }

  get db() {
    return this.s.t.db.db;
  }

  member(prefix = 'member'): Promise<Person> {
    return this.s.member(prefix);
  }

  /** New members, one per name, in order. */
  members<T extends readonly string[]>(...prefixes: T): Promise<{ [K in keyof T]: Person }> {
    return Promise.all(prefixes.map((p) => this.member(p))) as Promise<{ [K in keyof T]: Person }>;
  }

  api(method: 'GET' | 'POST', url: string, who?: Person, body?: unknown): Promise<Reply> {
    return this.s.api(method, url, who, body);
  }

  /** POST /api/calls, expecting 201. */
  async place(caller: Person, callee: Person, media: 'audio' | 'video' = 'video'): Promise<Call> {
    const res = await this.api('POST', '/api/calls', caller, { calleeId: callee.id, media });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.call as Call;
  }

  act(who: Person, callId: string, action: Action): Promise<Reply> {
    return this.api('POST', `/api/calls/${callId}/${action}`, who);
  }

  /** `act`, expecting 200; the call as `who` sees it. */
  async did(who: Person, callId: string, action: Action): Promise<Call> {
    const res = await this.act(who, callId, action);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.call as Call;
  }

  /** A ringing call answered by the callee: its room is seated with both. */
  async accepted(caller: Person, callee: Person): Promise<Call> {
    const call = await this.place(caller, callee);
    return this.did(callee, call.id, 'accept');
  }

  /** One pass of the ring timeouts and the reaper, now, on the fake clock. */
  tick(): Promise<void> {
    return this.s.t.services.calls.tick();
  }

  /** The stored row: what survives the messages. */
  row(callId: string) {
    return this.db
      .selectFrom('calls')
      .selectAll()
      .where('id', '=', callId)
      .executeTakeFirstOrThrow();
  }

  async lines(...people: Person[]): Promise<string[]> {
    const rows = await this.db
      .selectFrom('call_lines')
      .select('user_id')
      .where(
        'user_id',
        'in',
        people.map((p) => p.id),
      )
      .execute();
    return rows.map((r) => r.user_id).sort();
  }

  /** `owner` blocks `other` through the contacts routes. */
  async block(owner: Person, other: Person): Promise<void> {
    const res = await this.api('POST', '/api/blocks', owner, { userId: other.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  /** `who` turns "do not disturb" on through the contacts routes. */
  async doNotDisturb(who: Person): Promise<void> {
    const res = await this.s.t.app.inject({
      method: 'PUT',
      url: '/api/presence',
      headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ doNotDisturb: true }),
    });
    expect(res.statusCode, res.body).toBe(200);
  }

  connect(who: Person): Promise<TestClient> {
    return this.s.connect(who);
  }

  inRoom(who: Person, roomId: string): Promise<TestClient> {
    return this.s.inRoom(who, roomId);
  }

  async closeClients(): Promise<void> {
    vi.restoreAllMocks(); // spies a test set on the repo
    await this.s.closeClients();
  }

  close(): Promise<void> {
    return this.s.close();
  }
}

/** Every message written to `c` before this resolves has been handled (one socket is ordered). */
export async function flush(c: TestClient): Promise<void> {
  const reply = await c.request({ type: 'ping' });
  expect(reply.type).toBe('pong');
}

/** The next `type` notice about `callId`. */
export function notice<T extends CallNotice>(
  c: TestClient,
  type: T,
  callId: string,
): Promise<ServerMessageOf<T>> {
  // Every call notice is `{ type, call }`; the generic only loses that fact.
  return c.next(type, { match: (m) => (m as { call: Call }).call.id === callId });
}

const CALL_NOTICES = [
  'call.incoming',
  'call.accepted',
  'call.answered-elsewhere',
  'call.rejected',
  'call.cancelled',
  'call.missed',
  'call.busy',
  'call.ended',
] as const;
type CallNotice = (typeof CALL_NOTICES)[number];

/** No `call.*` notice about `callId` is waiting, untaken, on `c` (after a flush of it). */
export async function noNotices(c: TestClient, callId: string): Promise<void> {
  await flush(c);
  const waiting = CALL_NOTICES.flatMap((type) =>
    c
      .peekAll(type)
      .filter((m) => m.call.id === callId)
      .map((m) => m.type),
  );
  expect(waiting).toEqual([]);
}
