import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects } from '../../test/harness.js';
import { callsRepo } from './repo.js';
import { BACKSTOP_MARGIN_MS } from './upkeep.js';
import { CallsServer, noNotices, notice } from './test-calls.js';

// Ringing on every device, the ring timeout on fake time, busy, and the races that must
// give exactly one outcome.

const RING_MS = 30_000;

describe.each(dialects)('direct calls in real time on %s', (dialect) => {
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

  describe('ringing every device', () => {
    it("both of the callee's devices ring; one answers, the others are told it was answered elsewhere", async () => {
      const [alice, bob] = [await c.member('alice'), await c.member('bob')];
      const a = await c.connect(alice);
      const [phone, laptop] = [await c.connect(bob), await c.connect(bob)];
      const call = await c.place(alice, bob);

      for (const device of [phone, laptop]) {
        expect((await notice(device, 'call.incoming', call.id)).call).toMatchObject({
          state: 'ringing',
          direction: 'incoming',
          caller: { id: alice.id, displayName: alice.displayName },
        });
      }
      // Ringing is for the callee: the caller's own devices get no call.incoming.
      await noNotices(a, call.id);

      const answered = await c.did(bob, call.id, 'accept');
      const accepted = await notice(a, 'call.accepted', call.id);
      expect(accepted.call).toMatchObject({
        state: 'accepted',
        direction: 'outgoing',
        room: answered.room,
      });
      for (const device of [phone, laptop]) {
        expect((await notice(device, 'call.answered-elsewhere', call.id)).call.room).toEqual(
          answered.room,
        );
      }
      await noNotices(a, call.id);
    });
  });

  describe('the ring timeout', () => {
    it('an unanswered call is missed exactly at the timeout, once, and both parties are told', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      const [a, b] = [await c.connect(alice), await c.connect(bob)];
      const call = await c.place(alice, bob);
      await notice(b, 'call.incoming', call.id);

      c.clock.advance(RING_MS - 1);
      await c.tick();
      expect((await c.row(call.id)).state).toBe('ringing');
      await noNotices(a, call.id);

      c.clock.advance(1);
      await c.tick();
      const missed = await notice(b, 'call.missed', call.id);
      expect(missed.call).toMatchObject({
        state: 'missed',
        direction: 'incoming',
        missedUnseen: true,
      });
      expect((await notice(a, 'call.missed', call.id)).call).toMatchObject({
        direction: 'outgoing',
        missedUnseen: false,
      });
      const row = await c.row(call.id);
      expect(row).toMatchObject({ state: 'missed', duration_seconds: null, ended_by: null });
      expect(row.ended_at).toBe(new Date(Date.parse(row.created_at) + RING_MS).toISOString());
      expect(await c.lines(alice, bob)).toEqual([]);

      // Later ticks find nothing left to do: exactly one call.missed each.
      c.clock.advance(60_000);
      await c.tick();
      await noNotices(a, call.id);
      await noNotices(b, call.id);
      // A late answer finds the call over.
      const late = await c.act(bob, call.id, 'accept');
      expect([late.status, (late.body.error as { code: string }).code]).toEqual([
        409,
        'INVALID_CALL_STATE',
      ]);
    });

    it('a call whose deadline was lost (Redis restarted empty) is missed from the database after a margin', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      const b = await c.connect(bob);
      const call = await c.place(alice, bob);
      await c.s.t.live.deadlines('call-ring').cancel(call.id);

      c.clock.advance(RING_MS + BACKSTOP_MARGIN_MS - 1);
      await c.tick();
      expect((await c.row(call.id)).state).toBe('ringing');
      c.clock.advance(2);
      await c.tick();
      expect((await notice(b, 'call.missed', call.id)).call.state).toBe('missed');
      // The best-known end: when the ring timeout said so, not when it was noticed.
      const row = await c.row(call.id);
      expect(row.ended_at).toBe(new Date(Date.parse(row.created_at) + RING_MS).toISOString());
    });
  });

  describe('busy', () => {
    it('a callee in another call is busy at once: recorded busy, the caller hears call.busy, the callee is not rung', async () => {
      const [alice, bob, carol] = [await c.member(), await c.member(), await c.member()];
      const talk = await c.accepted(bob, carol);
      const [a, b] = [await c.connect(alice), await c.connect(bob)];
      const res = await c.api('POST', '/api/calls', alice, { calleeId: bob.id });
      expect(res.status).toBe(201);
      const call = res.body.call as { id: string };
      expect(res.body.call).toMatchObject({ state: 'busy', direction: 'outgoing' });
      expect((await notice(a, 'call.busy', call.id)).call.state).toBe('busy');
      await noNotices(b, call.id);
      // Nothing of the busy call holds a line; the other call goes on.
      expect(await c.lines(alice)).toEqual([]);
      expect((await c.row(talk.id)).state).toBe('accepted');
      expect(await c.s.t.live.deadlines('call-ring').get(call.id)).toBeUndefined();
    });

    it('a callee with "do not disturb" on is busy, and never rung', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      await c.doNotDisturb(bob);
      const [a, b] = [await c.connect(alice), await c.connect(bob)];
      const res = await c.api('POST', '/api/calls', alice, { calleeId: bob.id });
      expect([res.status, (res.body.call as { state: string }).state]).toEqual([201, 'busy']);
      const id = (res.body.call as { id: string }).id;
      await notice(a, 'call.busy', id);
      await noNotices(b, id);
      expect(await c.lines(alice, bob)).toEqual([]);
    });

    it('two people calling one person at the same moment: one rings, the other is busy', async () => {
      const [alice, bob, carol] = [await c.member(), await c.member(), await c.member()];
      const results = await Promise.all(
        [alice, bob].map((p) => c.api('POST', '/api/calls', p, { calleeId: carol.id })),
      );
      const states = results.map((r) => (r.body.call as { state: string }).state).sort();
      expect(states).toEqual(['busy', 'ringing']);
      expect(await c.lines(alice, bob, carol)).toHaveLength(2);
    });
  });

  describe('races', () => {
    it('two devices accepting at once: one 200 and one 409, one room, one call.accepted', async () => {
      for (let i = 0; i < 5; i++) {
        const [alice, bob] = [await c.member(), await c.member()];
        const a = await c.connect(alice);
        const call = await c.place(alice, bob);
        const answers = await Promise.all([
          c.act(bob, call.id, 'accept'),
          c.act(bob, call.id, 'accept'),
        ]);
        expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
        const loser = answers.find((r) => r.status === 409)!;
        expect((loser.body.error as { code: string }).code).toBe('INVALID_CALL_STATE');
        const rooms = await c.db
          .selectFrom('rooms')
          .select('id')
          .where('host_id', '=', alice.id)
          .execute();
        expect(rooms).toHaveLength(1);
        const row = await c.row(call.id);
        expect(row).toMatchObject({ state: 'accepted', room_id: rooms[0]!.id });
        await notice(a, 'call.accepted', call.id);
        await noNotices(a, call.id);
      }
    });

    it('accept against cancel: exactly one wins and the stored call agrees with it', async () => {
      for (let i = 0; i < 8; i++) {
        const [alice, bob] = [await c.member(), await c.member()];
        const call = await c.place(alice, bob);
        // Fired together, each side first in turn, so either may win.
        const fire = [() => c.act(bob, call.id, 'accept'), () => c.act(alice, call.id, 'cancel')];
        const [accept, cancel] = await Promise.all(
          i % 2
            ? fire.map((f) => f())
            : fire
                .reverse()
                .map((f) => f())
                .reverse(),
        );
        expect([accept!.status, cancel!.status].sort()).toEqual([200, 409]);
        const row = await c.row(call.id);
        const rooms = await c.db
          .selectFrom('rooms')
          .select('id')
          .where('host_id', '=', alice.id)
          .execute();
        if (accept!.status === 200) {
          expect(row).toMatchObject({ state: 'accepted', room_id: rooms[0]?.id });
          expect(rooms).toHaveLength(1);
          expect(await c.lines(alice, bob)).toHaveLength(2);
        } else {
          // The losing accept's room rolled back with its transaction.
          expect(row).toMatchObject({ state: 'cancelled', room_id: null });
          expect(rooms).toEqual([]);
          expect(await c.lines(alice, bob)).toEqual([]);
        }
      }
    });

    // Fired together, the requests above may still run one after the other (SQLite
    // serializes them); here the other request lands exactly between an accept's own
    // check and its transaction, so only the conditional update can stop it.
    for (const rival of ['cancel', 'accept'] as const) {
      it(`an accept whose call was taken by ${rival === 'accept' ? 'another accept' : 'a cancel'} after its check loses with 409 and leaves no room`, async () => {
        const [alice, bob] = await c.members('alice', 'bob');
        const call = await c.place(alice, bob);
        const find = callsRepo.find.bind(callsRepo);
        let rivalAnswer: number | undefined;
        vi.spyOn(callsRepo, 'find').mockImplementation(async (q, id) => {
          const row = await find(q, id);
          if (rivalAnswer === undefined && id === call.id) {
            rivalAnswer = 0;
            rivalAnswer = (await c.act(rival === 'cancel' ? alice : bob, call.id, rival)).status;
          }
          return row;
        });
        const late = await c.act(bob, call.id, 'accept');
        expect([rivalAnswer, late.status, (late.body.error as { code: string }).code]).toEqual([
          200,
          409,
          'INVALID_CALL_STATE',
        ]);
        const rooms = await c.db
          .selectFrom('rooms')
          .select('id')
          .where('host_id', '=', alice.id)
          .execute();
        expect(rooms).toHaveLength(rival === 'accept' ? 1 : 0);
        expect((await c.row(call.id)).state).toBe(rival === 'accept' ? 'accepted' : 'cancelled');
      });
    }
  });
});
