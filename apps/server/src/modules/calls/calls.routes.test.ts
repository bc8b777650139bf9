import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/harness.js';
import { CallsServer, notice } from './test-calls.js';

// The call state machine over HTTP: who may do what, in which state, and what is stored.

describe.each(dialects)('direct calls over HTTP on %s', (dialect) => {
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

  describe('placing a call', () => {
    it('rings: the call is stored ringing, both lines are taken and a ring deadline is set', async () => {
      const [alice, bob] = [await c.member('alice'), await c.member('bob')];
      const call = await c.place(alice, bob, 'audio');
      expect(call).toMatchObject({
        caller: { id: alice.id, displayName: alice.displayName },
        callee: { id: bob.id, displayName: bob.displayName },
        media: 'audio',
        state: 'ringing',
        direction: 'outgoing',
        room: null,
        createdAt: c.clock.now().toISOString(),
        answeredAt: null,
        durationSeconds: null,
        missedUnseen: false,
      });
      expect(await c.lines(alice, bob)).toEqual([alice.id, bob.id].sort());
      expect(await c.s.t.live.deadlines('call-ring').get(call.id)).toBe(
        c.clock.now().getTime() + 30_000,
      );
    });

    it('refuses calling yourself, nobody, a disabled account and a guest, with their codes', async () => {
      const alice = await c.member();
      const disabled = await c.member();
      await c.db
        .updateTable('users')
        .set({ disabled_at: c.clock.now().toISOString() })
        .where('id', '=', disabled.id)
        .execute();
      const guest = await c.s.guest();
      const answers = [];
      for (const calleeId of [alice.id, randomUUID(), disabled.id, guest.id]) {
        const res = await c.api('POST', '/api/calls', alice, { calleeId });
        answers.push(`${res.status} ${(res.body.error as { code: string }).code}`);
      }
      expect(answers).toEqual([
        '400 CANNOT_CALL_SELF',
        '404 USER_NOT_FOUND',
        '404 USER_NOT_FOUND',
        '400 CANNOT_CALL_GUEST',
      ]);
      expect(await c.lines(alice)).toEqual([]);
    });

    it('a callee who blocked the caller refuses the call with 403 CALL_BLOCKED and nothing is recorded', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      await c.block(bob, alice);
      const b = await c.connect(bob);
      const res = await c.api('POST', '/api/calls', alice, { calleeId: bob.id });
      expect(res.status).toBe(403);
      expect((res.body.error as { code: string }).code).toBe('CALL_BLOCKED');
      const stored = await c.db
        .selectFrom('calls')
        .select('id')
        .where('caller_id', '=', alice.id)
        .execute();
      expect(stored).toEqual([]);
      // The other way round is the blocker's own choice.
      expect((await c.place(bob, alice)).state).toBe('ringing');
      await b.close();
    });

    it('a caller already in a ringing or accepted call gets 409 ALREADY_IN_CALL', async () => {
      const [alice, bob, carol, dave] = await c.members('alice', 'bob', 'carol', 'dave');
      await c.place(alice, bob);
      const ringing = await c.api('POST', '/api/calls', alice, { calleeId: carol.id });
      // Being rung counts too: answer or decline first.
      const rung = await c.api('POST', '/api/calls', bob, { calleeId: carol.id });
      const accepted = await c.accepted(carol, dave);
      const inCall = await c.api('POST', '/api/calls', dave, { calleeId: alice.id });
      for (const res of [ringing, rung, inCall]) {
        expect(res.status).toBe(409);
        expect((res.body.error as { code: string }).code).toBe('ALREADY_IN_CALL');
      }
      expect(accepted.state).toBe('accepted');
    });

    it('validates the body: a calleeId that is not a uuid and an unknown media are 400', async () => {
      const alice = await c.member();
      const res = await c.api('POST', '/api/calls', alice, { calleeId: 'bob', media: 'smoke' });
      expect(res.status).toBe(400);
      expect(
        Object.keys((res.body.error as { details: { fields: object } }).details.fields).sort(),
      ).toEqual(['calleeId', 'media']);
    });
  });

  describe('transitions', () => {
    it('accept: 200 with the room; the call and a locked two-person direct room are stored', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      const call = await c.place(alice, bob);
      c.clock.advance(4_000);
      const answered = await c.did(bob, call.id, 'accept');
      expect(answered).toMatchObject({
        state: 'accepted',
        direction: 'incoming',
        answeredAt: c.clock.now().toISOString(),
        room: {
          id: expect.any(String),
          code: expect.stringMatching(/^[a-z]{3}-[a-z]{4}-[a-z]{4}$/),
        },
      });
      const room = await c.db
        .selectFrom('rooms')
        .selectAll()
        .where('id', '=', answered.room!.id)
        .executeTakeFirstOrThrow();
      expect(room).toMatchObject({
        kind: 'direct',
        visibility: 'private',
        max_participants: 2,
        locked: 1,
      });
      const seats = await c.db
        .selectFrom('room_participants')
        .select(['user_id', 'status', 'role'])
        .where('room_id', '=', room.id)
        .orderBy('user_id')
        .execute();
      expect(seats).toEqual(
        [alice.id, bob.id]
          .sort()
          .map((id) => ({ user_id: id, status: 'approved', role: 'participant' })),
      );
      expect(await c.lines(alice, bob)).toEqual([alice.id, bob.id].sort());
      expect(await c.s.t.live.deadlines('call-ring').get(call.id)).toBeUndefined();
    });

    it('reject, cancel and end each finish the call, free both lines and tell both parties', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      const [a, b] = [await c.connect(alice), await c.connect(bob)];

      const declined = await c.place(alice, bob);
      expect(await c.did(bob, declined.id, 'reject')).toMatchObject({
        state: 'rejected',
        endedBy: bob.id,
      });
      const withdrawn = await c.place(alice, bob);
      expect(await c.did(alice, withdrawn.id, 'cancel')).toMatchObject({
        state: 'cancelled',
        endedBy: alice.id,
      });
      const talked = await c.accepted(alice, bob);
      c.clock.advance(10_000);
      expect(await c.did(bob, talked.id, 'end')).toMatchObject({
        state: 'ended',
        endedBy: bob.id,
        endReason: 'hangup',
        endedAt: c.clock.now().toISOString(),
        // Nobody ever joined the room, so they were never both connected.
        durationSeconds: 0,
        room: null,
      });

      for (const [who, direction] of [
        [a, 'outgoing'],
        [b, 'incoming'],
      ] as const) {
        expect((await notice(who, 'call.rejected', declined.id)).call).toMatchObject({
          state: 'rejected',
          direction,
        });
        expect((await notice(who, 'call.cancelled', withdrawn.id)).call.state).toBe('cancelled');
        expect((await notice(who, 'call.ended', talked.id)).call.state).toBe('ended');
      }
      expect(await c.lines(alice, bob)).toEqual([]);
      const room = await c.db
        .selectFrom('rooms')
        .select(['status', 'close_reason'])
        .where('id', '=', talked.room!.id)
        .executeTakeFirstOrThrow();
      expect(room).toEqual({ status: 'closed', close_reason: 'ended' });
      // The lines are free again: the next call rings.
      expect((await c.place(bob, alice)).state).toBe('ringing');
    });

    it('the wrong party gets 403 NOT_CALL_PARTY; a stranger 404 CALL_NOT_FOUND, as for no call', async () => {
      const [alice, bob, eve] = [await c.member(), await c.member(), await c.member('eve')];
      const call = await c.place(alice, bob);
      const outcome = async (
        who: typeof alice,
        action: 'accept' | 'reject' | 'cancel' | 'end' | 'seen',
      ) => {
        const res = await c.act(who, call.id, action);
        return `${res.status} ${(res.body.error as { code?: string } | undefined)?.code ?? ''}`.trim();
      };
      expect({
        callerAccepts: await outcome(alice, 'accept'),
        callerRejects: await outcome(alice, 'reject'),
        calleeCancels: await outcome(bob, 'cancel'),
        callerMarksSeen: await outcome(alice, 'seen'),
        strangerAccepts: await outcome(eve, 'accept'),
        strangerCancels: await outcome(eve, 'cancel'),
        strangerEnds: await outcome(eve, 'end'),
      }).toEqual({
        callerAccepts: '403 NOT_CALL_PARTY',
        callerRejects: '403 NOT_CALL_PARTY',
        calleeCancels: '403 NOT_CALL_PARTY',
        callerMarksSeen: '403 NOT_CALL_PARTY',
        strangerAccepts: '404 CALL_NOT_FOUND',
        strangerCancels: '404 CALL_NOT_FOUND',
        strangerEnds: '404 CALL_NOT_FOUND',
      });
      const unknown = await c.act(bob, randomUUID(), 'accept');
      expect([unknown.status, (unknown.body.error as { code: string }).code]).toEqual([
        404,
        'CALL_NOT_FOUND',
      ]);
      expect((await c.row(call.id)).state).toBe('ringing');
    });

    it('the right party in the wrong state gets 409 INVALID_CALL_STATE and nothing changes', async () => {
      const [alice, bob] = [await c.member(), await c.member()];
      const cancelled = await c.place(alice, bob);
      await c.did(alice, cancelled.id, 'cancel');
      const acceptAfterCancel = await c.act(bob, cancelled.id, 'accept');

      const ringing = await c.place(alice, bob);
      const endRinging = await c.act(alice, ringing.id, 'end');
      const seenRinging = await c.act(bob, ringing.id, 'seen');
      await c.did(bob, ringing.id, 'accept');
      const cancelAccepted = await c.act(alice, ringing.id, 'cancel');
      const rejectAccepted = await c.act(bob, ringing.id, 'reject');
      await c.did(alice, ringing.id, 'end');
      const endTwice = await c.act(bob, ringing.id, 'end');

      for (const res of [
        acceptAfterCancel,
        endRinging,
        seenRinging,
        cancelAccepted,
        rejectAccepted,
        endTwice,
      ]) {
        expect([res.status, (res.body.error as { code: string }).code]).toEqual([
          409,
          'INVALID_CALL_STATE',
        ]);
      }
      expect((await c.row(cancelled.id)).state).toBe('cancelled');
      expect((await c.row(ringing.id)).state).toBe('ended');
    });
  });

  describe('who may use the routes', () => {
    it('no token is 401 and a guest is 403 FORBIDDEN on every route; a stranger cannot read a call', async () => {
      const [alice, bob, eve] = [await c.member(), await c.member(), await c.member()];
      const guest = await c.s.guest();
      const call = await c.place(alice, bob);
      const routes: ['GET' | 'POST', string, unknown?][] = [
        ['POST', '/api/calls', { calleeId: bob.id }],
        ['GET', '/api/calls'],
        ['GET', `/api/calls/${call.id}`],
        ['GET', `/api/calls/${call.id}/signals`],
        ...(['accept', 'reject', 'cancel', 'end', 'seen'] as const).map(
          (a) => ['POST', `/api/calls/${call.id}/${a}`] as ['POST', string],
        ),
      ];
      for (const [method, url, body] of routes) {
        const anonymous = await c.api(method, url, undefined, body);
        const asGuest = await c.api(method, url, guest, body);
        expect([
          url,
          anonymous.status,
          asGuest.status,
          (asGuest.body.error as { code: string }).code,
        ]).toEqual([url, 401, 403, 'FORBIDDEN']);
      }
      for (const url of [`/api/calls/${call.id}`, `/api/calls/${call.id}/signals`]) {
        const res = await c.api('GET', url, eve);
        expect([res.status, (res.body.error as { code: string }).code]).toEqual([
          404,
          'CALL_NOT_FOUND',
        ]);
      }
      const mine = await c.api('GET', `/api/calls/${call.id}`, bob);
      expect(mine.body.call).toMatchObject({ id: call.id, direction: 'incoming' });
    });
  });
});
