import { CALL_LIMITS } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects } from '../../test/harness.js';
import type { TestClient } from '../signaling/test-client.js';
import { CallsServer, flush, noNotices, notice } from './test-calls.js';
import { SYSTEM_CONTEXT } from '../../platform/request-context.js';

// An accepted call as the parties live it: the room over real sockets, the duration the
// server measures on fake time, the reaper after everybody left, the signal log.

const ABANDON_MS = 120_000;

describe.each(dialects)('a direct call in progress on %s', (dialect) => {
  let c: CallsServer;
  beforeAll(async () => {
    c = await CallsServer.start(dialect, {
      calls: { ringTimeoutMs: 30_000, abandonAfterMs: ABANDON_MS, reapIntervalMs: 50 },
    });
  });
  afterEach(async () => {
    await c.closeClients();
  });
  afterAll(async () => {
    await c.close();
  });

  const iso = (from: string, ms: number) => new Date(Date.parse(from) + ms).toISOString();

  async function leave(client: TestClient): Promise<void> {
    client.send({ type: 'room.leave' });
    await flush(client); // handled in order: the departure is done
  }

  describe('duration', () => {
    it('a notice that fails after the commit neither fails the hang-up nor leaves the room open', async () => {
      const [alice, bob] = [await c.member('alice'), await c.member('bob')];
      const call = await c.accepted(alice, bob);
      const bus = c.s.t.live.bus;
      const real = bus.toUser.bind(bus);
      const spy = vi
        .spyOn(bus, 'toUser')
        .mockImplementationOnce(() => Promise.reject(new Error('bus away')))
        .mockImplementation(real);
      try {
        expect(await c.did(alice, call.id, 'end')).toMatchObject({ state: 'ended' });
      } finally {
        spy.mockRestore();
      }
      const room = await c.db
        .selectFrom('rooms')
        .select('status')
        .where('id', '=', call.room!.id)
        .executeTakeFirstOrThrow();
      expect(room.status).toBe('closed');
      expect((await c.row(call.id)).state).toBe('ended');
    });

    it('runs from both parties connected to the hang-up, on the server clock', async () => {
      const [alice, bob] = [await c.member('alice'), await c.member('bob')];
      const call = await c.accepted(alice, bob);
      const t0 = c.clock.now().toISOString();
      c.clock.advance(3_000);
      const a = await c.inRoom(alice, call.room!.id);
      // A second tab of the same person is not the other party.
      const a2 = await c.inRoom(alice, call.room!.id);
      expect((await c.row(call.id)).connected_at).toBeNull();
      c.clock.advance(2_000);
      const b = await c.inRoom(bob, call.room!.id);
      expect((await c.row(call.id)).connected_at).toBe(iso(t0, 5_000));
      await a2.close();

      // Coming back later (a leave gives the seat up: back through HTTP join) does not move the start.
      await leave(b);
      c.clock.advance(1_000);
      expect((await c.s.api('POST', `/api/rooms/${call.room!.id}/join`, bob, {})).status).toBe(200);
      await b.join(call.room!.id);
      expect((await c.row(call.id)).connected_at).toBe(iso(t0, 5_000));

      c.clock.advance(64_000);
      const ended = await c.did(alice, call.id, 'end');
      expect(ended).toMatchObject({
        state: 'ended',
        connectedAt: iso(t0, 5_000),
        endedAt: iso(t0, 70_000),
        durationSeconds: 65,
      });
      for (const who of [a, b]) {
        expect((await notice(who, 'call.ended', call.id)).call.durationSeconds).toBe(65);
        expect((await who.next('room.closed')).roomId).toBe(call.room!.id);
        expect((await who.whenClosed()).code).toBe(4011);
      }
    });
  });

  describe('the reaper', () => {
    it('ends a call both parties left once the room stayed empty for the grace, at the time they vanished', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      const call = await c.accepted(alice, bob);
      const [a, b] = [await c.inRoom(alice, call.room!.id), await c.inRoom(bob, call.room!.id)];
      const connected = (await c.row(call.id)).connected_at!;
      c.clock.advance(40_000);
      await leave(a);
      c.clock.advance(5_000);
      await leave(b);

      c.clock.advance(ABANDON_MS - 1);
      await c.tick();
      expect((await c.row(call.id)).state).toBe('accepted');
      await noNotices(a, call.id);

      c.clock.advance(1);
      await c.tick();
      for (const who of [a, b]) {
        expect((await notice(who, 'call.ended', call.id)).call).toMatchObject({
          state: 'ended',
          endReason: 'abandoned',
          endedBy: null,
          endedAt: iso(connected, 45_000),
          durationSeconds: 45,
        });
      }
      const room = await c.db
        .selectFrom('rooms')
        .select(['status', 'close_reason'])
        .where('id', '=', call.room!.id)
        .executeTakeFirstOrThrow();
      expect(room).toEqual({ status: 'closed', close_reason: 'expired' });
      expect(await c.lines(alice, bob)).toEqual([]);
      await c.tick();
      await noNotices(a, call.id);
    });

    it('ends an accepted call nobody ever entered, with no duration', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      const a = await c.connect(alice);
      const call = await c.accepted(alice, bob);
      c.clock.advance(ABANDON_MS);
      await c.tick();
      expect((await notice(a, 'call.ended', call.id)).call).toMatchObject({
        endReason: 'abandoned',
        connectedAt: null,
        endedAt: call.answeredAt,
        durationSeconds: 0,
      });
    });

    it('ends a call whose room was closed, at the close, never before they connected', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      const call = await c.accepted(alice, bob);
      await c.inRoom(alice, call.room!.id);
      c.clock.advance(10_000);
      await c.inRoom(bob, call.room!.id);
      c.clock.advance(30_000);
      await c.s.t.services.rooms.close(call.room!.id, 'expired', null, SYSTEM_CONTEXT);
      c.clock.advance(1_000);
      await c.tick();
      const row = await c.row(call.id);
      expect(row).toMatchObject({
        state: 'ended',
        end_reason: 'abandoned',
        ended_at: iso(row.connected_at!, 30_000),
        duration_seconds: 30,
      });
    });
  });

  describe('the signal log', () => {
    it('keeps each negotiation message’s kind and direction for both parties, never its body', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      const call = await c.accepted(alice, bob);
      const a = await c.inRoom(alice, call.room!.id);
      const b = await c.inRoom(bob, call.room!.id);
      const t0 = c.clock.now().toISOString();
      const relay = async (from: TestClient, to: TestClient, payload: Record<string, unknown>) => {
        c.clock.advance(1_000);
        from.send({ type: 'signal', to: to.connectionId, ...payload });
        await to.next('signal');
        await flush(from); // the sender's handler, log included, is done
      };
      await relay(a, b, { description: { type: 'offer', sdp: 'v=0 SECRET-OFFER' } });
      await relay(b, a, { description: { type: 'answer', sdp: 'v=0 SECRET-ANSWER' } });
      await relay(b, a, {
        candidate: {
          candidate: 'candidate:1 1 udp 2122260223 192.0.2.7 54400 typ host',
          sdpMid: '0',
        },
      });
      await relay(a, b, { candidate: null });

      const asAlice = await c.api('GET', `/api/calls/${call.id}/signals`, alice);
      expect(asAlice.body.signals).toEqual([
        { kind: 'offer', direction: 'sent', at: iso(t0, 1_000) },
        { kind: 'answer', direction: 'received', at: iso(t0, 2_000) },
        { kind: 'candidate', direction: 'received', at: iso(t0, 3_000) },
        { kind: 'end-of-candidates', direction: 'sent', at: iso(t0, 4_000) },
      ]);
      const asBob = await c.api('GET', `/api/calls/${call.id}/signals`, bob);
      expect((asBob.body.signals as { direction: string }[]).map((s) => s.direction)).toEqual([
        'received',
        'sent',
        'sent',
        'received',
      ]);
      for (const res of [asAlice, asBob]) {
        expect(JSON.stringify(res.body)).not.toMatch(/SECRET|192\.0\.2\.7|sdp|candidate:/);
      }
    });

    it(`stops at ${CALL_LIMITS.maxSignalsPerCall} entries per call`, async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      const call = await c.accepted(alice, bob);
      const at = c.clock.now().toISOString();
      const filler = Array.from({ length: CALL_LIMITS.maxSignalsPerCall - 1 }, (_, i) => ({
        id: `0-${String(i).padStart(6, '0')}`,
        call_id: call.id,
        from_user_id: alice.id,
        kind: 'candidate' as const,
        at,
      }));
      await c.db.insertInto('call_signals').values(filler).execute();
      const a = await c.inRoom(alice, call.room!.id);
      const b = await c.inRoom(bob, call.room!.id);
      for (let i = 0; i < 3; i++) {
        a.send({ type: 'signal', to: b.connectionId, candidate: null });
        await b.next('signal');
      }
      await flush(a);
      const res = await c.api('GET', `/api/calls/${call.id}/signals`, bob);
      const signals = res.body.signals as { kind: string }[];
      expect(signals).toHaveLength(CALL_LIMITS.maxSignalsPerCall);
      expect(signals.filter((s) => s.kind === 'end-of-candidates')).toHaveLength(1);
    });
  });
});
