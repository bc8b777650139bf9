import type { Call, ListCallsResponse } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/harness.js';
import type { Person } from '../signaling/test-server.js';
import { CallsServer } from './test-calls.js';

// The call history: newest first, an opaque cursor, filters, and the missed-calls badge.

describe.each(dialects)('call history on %s', (dialect) => {
  let c: CallsServer;
  beforeAll(async () => {
    c = await CallsServer.start(dialect);
  });
  afterEach(async () => {
    await c.closeClients();
  });
  afterAll(async () => {
    await c.close();
  });

  const list = async (who: Person, query = ''): Promise<ListCallsResponse> => {
    const res = await c.api('GET', `/api/calls${query}`, who);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as ListCallsResponse;
  };

  /** A ringing call left to time out. */
  async function missed(caller: Person, callee: Person): Promise<Call> {
    const call = await c.place(caller, callee);
    c.clock.advance(30_000);
    await c.tick();
    expect((await c.row(call.id)).state).toBe('missed');
    return call;
  }

  /** Alice's history: every kind of outcome, in and out; two calls share a millisecond. */
  async function history() {
    const [alice, bob, carol, dave] = await c.members('alice', 'bob', 'carol', 'dave');
    const step = () => c.clock.advance(1_000);
    const rejected = await c.place(alice, bob);
    await c.did(bob, rejected.id, 'reject');
    step();
    const missedFromBob = await missed(bob, alice);
    step();
    const missedFromCarol = await missed(carol, alice);
    step();
    const cancelled = await c.place(alice, bob);
    await c.did(alice, cancelled.id, 'cancel');
    step();
    const talked = await c.accepted(alice, carol);
    await c.did(carol, talked.id, 'end');
    step();
    const ringing = await c.place(bob, alice);
    const busy = await c.place(dave, alice); // same instant as `ringing`
    const newestFirst = [
      ...[ringing, busy].sort((x, y) => (x.id < y.id ? 1 : -1)),
      talked,
      cancelled,
      missedFromCarol,
      missedFromBob,
      rejected,
    ].map((x) => x.id);
    return { alice, bob, carol, newestFirst, missedFromBob, missedFromCarol, rejected, ringing };
  }

  it('pages newest first with an opaque cursor, every call exactly once, ending with a null cursor', async () => {
    const h = await history();
    const whole = await list(h.alice, '?limit=50');
    expect(whole.calls.map((x) => x.id)).toEqual(h.newestFirst);
    expect(whole.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: ListCallsResponse = await list(
        h.alice,
        `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.calls.length).toBeLessThanOrEqual(2);
      seen.push(...page.calls.map((x) => x.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(h.newestFirst);
    expect(pages).toBe(4);

    // Each call as alice sees it.
    const byId = new Map(whole.calls.map((x) => [x.id, x]));
    expect(byId.get(h.rejected.id)).toMatchObject({ state: 'rejected', direction: 'outgoing' });
    expect(byId.get(h.missedFromBob.id)).toMatchObject({
      state: 'missed',
      direction: 'incoming',
      missedUnseen: true,
    });
    expect(byId.get(h.ringing.id)).toMatchObject({ state: 'ringing', direction: 'incoming' });
  });

  it('filters: missed is the calls to me nobody answered; active is ringing or accepted', async () => {
    const h = await history();
    const missedList = await list(h.alice, '?filter=missed');
    expect(missedList.calls.map((x) => x.id)).toEqual([h.missedFromCarol.id, h.missedFromBob.id]);
    expect(missedList.unseenMissed).toBe(2);
    expect((await list(h.alice, '?filter=active')).calls.map((x) => x.id)).toEqual([h.ringing.id]);
    // Bob's call that alice missed is an outgoing one for him: not in his missed list.
    const bobs = await list(h.bob, '?filter=missed');
    expect([bobs.calls, bobs.unseenMissed]).toEqual([[], 0]);
    expect((await list(h.bob, '?filter=active')).calls.map((x) => x.id)).toEqual([h.ringing.id]);
  });

  it('seen takes a missed call off the badge, once; only its callee may mark it', async () => {
    const h = await history();
    expect((await list(h.alice)).unseenMissed).toBe(2);
    const marked = await c.did(h.alice, h.missedFromBob.id, 'seen');
    expect(marked).toMatchObject({ id: h.missedFromBob.id, state: 'missed', missedUnseen: false });
    const firstLook = (await c.row(h.missedFromBob.id)).callee_seen_at;
    expect(firstLook).toBe(c.clock.now().toISOString());

    c.clock.advance(5_000);
    expect((await c.did(h.alice, h.missedFromBob.id, 'seen')).missedUnseen).toBe(false);
    expect((await c.row(h.missedFromBob.id)).callee_seen_at).toBe(firstLook);
    expect((await list(h.alice)).unseenMissed).toBe(1);

    const byCaller = await c.act(h.bob, h.missedFromBob.id, 'seen');
    expect([byCaller.status, (byCaller.body.error as { code: string }).code]).toEqual([
      403,
      'NOT_CALL_PARTY',
    ]);
    const notMissed = await c.act(h.bob, h.rejected.id, 'seen');
    expect([notMissed.status, (notMissed.body.error as { code: string }).code]).toEqual([
      409,
      'INVALID_CALL_STATE',
    ]);
    const stranger = await c.act(h.carol, h.missedFromBob.id, 'seen');
    expect(stranger.status).toBe(404);
  });

  it('refuses a cursor it did not give out and limits out of range with 400 VALIDATION_FAILED', async () => {
    const alice = await c.member();
    const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    for (const query of [
      `?cursor=${forged}`,
      '?cursor=not-base64-json',
      '?limit=0',
      '?limit=51',
      '?filter=everything',
    ]) {
      const res = await c.api('GET', `/api/calls${query}`, alice);
      expect([query, res.status, (res.body.error as { code: string }).code]).toEqual([
        query,
        400,
        'VALIDATION_FAILED',
      ]);
    }
    expect(await list(alice)).toEqual({ calls: [], nextCursor: null, unseenMissed: 0 });
  });
});
