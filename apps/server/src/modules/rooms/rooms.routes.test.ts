import { describe, expect, it } from 'vitest';
import { dialects } from '../../test/harness.js';
import { roomsRest } from './test-rooms.js';
import { SYSTEM_CONTEXT } from '../../platform/request-context.js';

describe.each(dialects)('rooms REST on %s', (dialect) => {
  const rest = roomsRest(dialect);
  const { call, member, relogin, guest, createRoom } = rest;
  /** The seats taken in a room, straight from the database. */
  const approvedSeats = (roomId: string) =>
    rest.t.db.db
      .selectFrom('room_participants')
      .select('user_id')
      .where('room_id', '=', roomId)
      .where('status', '=', 'approved')
      .execute();
  const activity = async (roomId: string) =>
    (
      await rest.t.db.db
        .selectFrom('room_activity')
        .select(['kind', 'user_id'])
        .where('room_id', '=', roomId)
        .orderBy('at')
        .execute()
    ).map((a) => a.kind);

  describe('creating and reading rooms', () => {
    it('a member creates a room with an unguessable code and becomes its host', async () => {
      const host = await member();
      const { room } = await createRoom(host, { maxParticipants: 4, chatEnabled: false });
      expect(room.code).toMatch(/^[a-z]{3}-[a-z]{4}-[a-z]{4}$/);
      expect(room).toMatchObject({
        name: 'Standup',
        entry: 'open',
        chatEnabled: false,
        maxParticipants: 4,
        locked: false,
        status: 'open',
        hostId: host.id,
        myRole: 'host',
        myStatus: 'approved',
      });
      expect(await activity(room.id)).toEqual(['created']);
    });

    it('a guest cannot create a room', async () => {
      const res = await call('POST', '/api/rooms', await guest(), {
        name: 'x',
        visibility: 'public',
        entry: 'open',
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('GUESTS_CANNOT_CREATE_ROOMS');
    });

    it('a password room returns its generated password once and never again', async () => {
      const host = await member();
      const created = await createRoom(host, { entry: 'password' });
      expect(created.password).toMatch(/^\S{10}$/);
      const got = await call('GET', `/api/rooms/${created.room.id}`, host);
      expect(got.body).not.toContain(created.password);
      expect(got.body).not.toMatch(/password_hash|passwordHash|scrypt/);
      expect(got.json().room).not.toHaveProperty('password');
    });

    it('rejects bad bodies with field details', async () => {
      const res = await call('POST', '/api/rooms', await member(), {
        name: '',
        visibility: 'secret',
        entry: 'open',
        maxParticipants: 1000,
      });
      expect(res.statusCode).toBe(400);
      expect(Object.keys(res.json().error.details.fields).sort()).toEqual([
        'maxParticipants',
        'name',
        'visibility',
      ]);
    });

    it('is found by id and by code typed loosely; a code that does not exist is 404, a malformed one 400', async () => {
      const host = await member();
      const { room } = await createRoom(host);
      const other = await member();
      const byCode = await call(
        'GET',
        `/api/rooms/${room.code.replaceAll('-', '').toUpperCase()}`,
        other,
      );
      expect(byCode.statusCode).toBe(200);
      expect(byCode.json().room).toMatchObject({
        id: room.id,
        myStatus: null,
        myRole: null,
        hostDisplayName: expect.any(String),
      });
      expect(byCode.body).not.toContain('@example.org');
      expect((await call('GET', '/api/rooms/abc-defg-hjkm', other)).json().error.code).toBe(
        'ROOM_NOT_FOUND',
      );
      expect((await call('GET', '/api/rooms/not a code!', other)).statusCode).toBe(400);
    });

    it('throttles an IP that guesses codes', async () => {
      const prober = await member();
      let last = 0;
      for (let i = 0; i < 61; i++)
        last = (await call('GET', '/api/rooms/abc-defg-hjkm', prober)).statusCode;
      expect(last).toBe(429);
    });

    it('lists my rooms and open public rooms', async () => {
      const host = await member();
      const a = await createRoom(host, { visibility: 'public' });
      const b = await createRoom(host, { visibility: 'private' });
      const mine = (await call('GET', '/api/rooms', host))
        .json()
        .rooms.map((r: { id: string }) => r.id);
      expect(mine.sort()).toEqual([a.room.id, b.room.id].sort());
      const stranger = await member();
      const pub = (await call('GET', '/api/rooms/public', stranger))
        .json()
        .rooms.map((r: { id: string }) => r.id);
      expect(pub).toContain(a.room.id);
      expect(pub).not.toContain(b.room.id);
      expect((await call('GET', '/api/rooms', stranger)).json().rooms).toEqual([]);
    });

    it('every rooms route refuses an anonymous caller with 401', async () => {
      const host = await member();
      const { room } = await createRoom(host);
      const u = '00000000-0000-4000-8000-000000000000';
      for (const [m, url] of [
        ['POST', '/api/rooms'],
        ['GET', '/api/rooms'],
        ['GET', '/api/rooms/public'],
        ['GET', `/api/rooms/${room.id}`],
        ['PATCH', `/api/rooms/${room.id}`],
        ['DELETE', `/api/rooms/${room.id}`],
        ['POST', `/api/rooms/${room.id}/join`],
        ['POST', `/api/rooms/${room.id}/leave`],
        ['POST', `/api/rooms/${room.id}/participants/${u}/admit`],
        ['POST', `/api/rooms/${room.id}/participants/${u}/kick`],
        ['POST', `/api/rooms/${room.id}/invites`],
      ] as const) {
        expect(
          (await call(m, url, undefined, m === 'GET' || m === 'DELETE' ? undefined : {}))
            .statusCode,
          `${m} ${url}`,
        ).toBe(401);
      }
    });
  });

  describe('joining', () => {
    it('an open room approves at once; joining twice is idempotent', async () => {
      const host = await member();
      const { room } = await createRoom(host);
      const g = await guest();
      const res = await call('POST', `/api/rooms/${room.code}/join`, g, {});
      expect(res.json()).toMatchObject({ status: 'approved', isHost: false, role: 'participant' });
      expect((await call('POST', `/api/rooms/${room.id}/join`, g, {})).json().status).toBe(
        'approved',
      );
      expect(await activity(room.id)).toEqual(['created', 'joined']);
    });

    it('a password room needs the password; wrong ones are refused and throttled', async () => {
      const host = await member();
      const { room, password } = await createRoom(host, {
        entry: 'password',
        password: 'open sesame',
      });
      expect(password).toBe('open sesame');
      const g = await member();
      expect((await call('POST', `/api/rooms/${room.id}/join`, g, {})).json().error.code).toBe(
        'BAD_ROOM_PASSWORD',
      );
      expect(
        (await call('POST', `/api/rooms/${room.id}/join`, g, { password: 'nope' })).statusCode,
      ).toBe(403);
      expect(
        (await call('POST', `/api/rooms/${room.id}/join`, g, { password: 'open sesame' })).json()
          .status,
      ).toBe('approved');
      const attacker = await member();
      const codes: number[] = [];
      for (let i = 0; i < 11; i++)
        codes.push(
          (await call('POST', `/api/rooms/${room.id}/join`, attacker, { password: `guess${i}` }))
            .statusCode,
        );
      expect(codes.slice(0, 10).every((c) => c === 403)).toBe(true);
      expect(codes[10]).toBe(429);
      // Throttled even with the right password until the window passes.
      expect(
        (await call('POST', `/api/rooms/${room.id}/join`, attacker, { password: 'open sesame' }))
          .statusCode,
      ).toBe(429);
      rest.clock.advance(16 * 60_000);
      expect(
        (
          await call('POST', `/api/rooms/${room.id}/join`, await relogin(attacker), {
            password: 'open sesame',
          })
        ).json().status,
      ).toBe('approved');
    });

    it('an approval room puts people in the lobby until a host admits them', async () => {
      const host = await member();
      const { room } = await createRoom(host, { entry: 'approval' });
      const g = await guest('Knocker');
      expect((await call('POST', `/api/rooms/${room.id}/join`, g, {})).json()).toMatchObject({
        status: 'pending',
      });
      const admitted = await call('POST', `/api/rooms/${room.id}/participants/${g.id}/admit`, host);
      expect(admitted.json().participant).toMatchObject({
        userId: g.id,
        status: 'approved',
        displayName: 'Knocker',
        isGuest: true,
      });
      expect((await call('POST', `/api/rooms/${room.id}/join`, g, {})).json().status).toBe(
        'approved',
      );
      expect(await activity(room.id)).toEqual(['created', 'requested', 'admitted']);
    });

    it('a denied or kicked person cannot rejoin without a new admission', async () => {
      // Each step a millisecond apart: the activity log is read back in time order.
      const act = async (...args: Parameters<typeof call>) => {
        const res = await call(...args);
        rest.clock.advance(1);
        return res;
      };
      const host = await member();
      const { room } = await createRoom(host, { entry: 'approval' });
      rest.clock.advance(1);
      const a = await member();
      const b = await member();
      await act('POST', `/api/rooms/${room.id}/join`, a, {});
      await act('POST', `/api/rooms/${room.id}/join`, b, {});
      expect(
        (await act('POST', `/api/rooms/${room.id}/participants/${a.id}/deny`, host)).json()
          .participant.status,
      ).toBe('denied');
      expect((await act('POST', `/api/rooms/${room.id}/join`, a, {})).json().error.code).toBe(
        'JOIN_DENIED',
      );
      await act('POST', `/api/rooms/${room.id}/participants/${b.id}/admit`, host);
      expect(
        (await act('POST', `/api/rooms/${room.id}/participants/${b.id}/kick`, host)).json()
          .participant.status,
      ).toBe('kicked');
      expect((await act('POST', `/api/rooms/${room.id}/join`, b, {})).json().error.code).toBe(
        'KICKED_FROM_ROOM',
      );
      // The host re-admits: that is the new admission.
      await act('POST', `/api/rooms/${room.id}/participants/${b.id}/admit`, host);
      expect((await act('POST', `/api/rooms/${room.id}/join`, b, {})).json().status).toBe(
        'approved',
      );
      expect(await activity(room.id)).toEqual([
        'created',
        'requested',
        'requested',
        'denied',
        'admitted',
        'kicked',
        'admitted',
      ]);
    });

    it('a full room answers 409 ROOM_FULL; a locked one 403; an ended one 410', async () => {
      const host = await member();
      const { room } = await createRoom(host, { maxParticipants: 2 });
      await call('POST', `/api/rooms/${room.id}/join`, await member(), {});
      expect(
        (await call('POST', `/api/rooms/${room.id}/join`, await member(), {})).json().error.code,
      ).toBe('ROOM_FULL');
      const r2 = (await createRoom(host)).room;
      await call('PATCH', `/api/rooms/${r2.id}`, host, { locked: true });
      expect(
        (await call('POST', `/api/rooms/${r2.id}/join`, await member(), {})).json().error.code,
      ).toBe('ROOM_LOCKED');
      expect((await call('DELETE', `/api/rooms/${r2.id}`, host)).statusCode).toBe(204);
      const late = await call('POST', `/api/rooms/${r2.id}/join`, await member(), {});
      expect(late.statusCode).toBe(410);
      expect(late.json().error.code).toBe('ROOM_CLOSED');
    });

    it('someone who left an approval room comes back without asking again; a knock can be withdrawn', async () => {
      const host = await member();
      const { room } = await createRoom(host, { entry: 'approval' });
      const a = await member();
      await call('POST', `/api/rooms/${room.id}/join`, a, {});
      await call('POST', `/api/rooms/${room.id}/participants/${a.id}/admit`, host);
      expect((await call('POST', `/api/rooms/${room.id}/leave`, a)).statusCode).toBe(204);
      expect((await call('POST', `/api/rooms/${room.id}/join`, a, {})).json().status).toBe(
        'approved',
      );
      const b = await member();
      await call('POST', `/api/rooms/${room.id}/join`, b, {});
      expect((await call('POST', `/api/rooms/${room.id}/leave`, b)).statusCode).toBe(204);
      expect(
        (await call('POST', `/api/rooms/${room.id}/participants/${b.id}/admit`, host)).json().error
          .code,
      ).toBe('PARTICIPANT_NOT_FOUND');
    });
  });

  describe('who may decide', () => {
    it('a participant cannot admit, kick, promote, change or end; a stranger learns nothing', async () => {
      const host = await member();
      const { room } = await createRoom(host, { entry: 'approval' });
      const p = await member();
      const knocker = await member();
      await call('POST', `/api/rooms/${room.id}/join`, p, {});
      await call('POST', `/api/rooms/${room.id}/participants/${p.id}/admit`, host);
      await call('POST', `/api/rooms/${room.id}/join`, knocker, {});
      for (const action of ['admit', 'deny', 'kick', 'promote']) {
        const res = await call(
          'POST',
          `/api/rooms/${room.id}/participants/${knocker.id}/${action}`,
          p,
        );
        expect(res.json().error.code, action).toBe('NOT_HOST');
      }
      expect(
        (await call('PATCH', `/api/rooms/${room.id}`, p, { name: 'mine now' })).json().error.code,
      ).toBe('NOT_HOST');
      expect((await call('DELETE', `/api/rooms/${room.id}`, p)).json().error.code).toBe('NOT_HOST');
      expect(
        (await call('POST', `/api/rooms/${room.id}/invites`, p, { expiresInMinutes: 10 })).json()
          .error.code,
      ).toBe('NOT_HOST');
      const stranger = await member();
      expect(
        (
          await call('POST', `/api/rooms/${room.id}/participants/${knocker.id}/admit`, stranger)
        ).json().error.code,
      ).toBe('ROOM_NOT_FOUND');
    });

    it('a co-host may admit and kick participants but not the host, may not promote or change settings, and may end the room for all', async () => {
      const host = await member();
      const { room } = await createRoom(host, { entry: 'approval' });
      const co = await member();
      const p = await member();
      for (const who of [co, p]) {
        await call('POST', `/api/rooms/${room.id}/join`, who, {});
        await call('POST', `/api/rooms/${room.id}/participants/${who.id}/admit`, host);
      }
      expect(
        (await call('POST', `/api/rooms/${room.id}/participants/${co.id}/promote`, host)).json()
          .participant.role,
      ).toBe('cohost');
      expect(
        (await call('POST', `/api/rooms/${room.id}/participants/${host.id}/kick`, co)).json().error
          .code,
      ).toBe('NOT_HOST');
      expect(
        (await call('POST', `/api/rooms/${room.id}/participants/${p.id}/kick`, co)).json()
          .participant.status,
      ).toBe('kicked');
      expect(
        (await call('POST', `/api/rooms/${room.id}/participants/${p.id}/promote`, co)).json().error
          .code,
      ).toBe('NOT_HOST');
      expect(
        (await call('PATCH', `/api/rooms/${room.id}`, co, { name: 'Mine now' })).json().error.code,
      ).toBe('NOT_HOST');
      // A participant still cannot end it; the co-host can (moderation survives the host).
      const other = await member();
      await call('POST', `/api/rooms/${room.id}/join`, other, {});
      await call('POST', `/api/rooms/${room.id}/participants/${other.id}/admit`, co);
      expect((await call('DELETE', `/api/rooms/${room.id}`, other)).json().error.code).toBe(
        'NOT_HOST',
      );
      expect((await call('DELETE', `/api/rooms/${room.id}`, co)).statusCode).toBe(204);
      expect((await call('GET', `/api/rooms/${room.id}`, host)).json().room.status).toBe('closed');
    });

    it('the host changes settings; switching to password entry returns a new password once', async () => {
      const host = await member();
      const { room } = await createRoom(host);
      const res = await call('PATCH', `/api/rooms/${room.id}`, host, {
        name: 'Retro',
        chatEnabled: false,
        entry: 'password',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().room).toMatchObject({
        name: 'Retro',
        chatEnabled: false,
        entry: 'password',
      });
      const pw = res.json().password as string;
      expect(pw).toHaveLength(10);
      const joiner = await member();
      expect(
        (await call('POST', `/api/rooms/${room.id}/join`, joiner, { password: pw })).json().status,
      ).toBe('approved');
      expect((await call('PATCH', `/api/rooms/${room.id}`, host, {})).statusCode).toBe(400);
    });
  });

  describe('races', () => {
    it('two hosts admitting the same person at once admit them exactly once', async () => {
      const host = await member();
      const { room } = await createRoom(host, { entry: 'approval' });
      const co = await member();
      await call('POST', `/api/rooms/${room.id}/join`, co, {});
      await call('POST', `/api/rooms/${room.id}/participants/${co.id}/admit`, host);
      await call('POST', `/api/rooms/${room.id}/participants/${co.id}/promote`, host);
      const knocker = await member();
      await call('POST', `/api/rooms/${room.id}/join`, knocker, {});
      const [a, b] = await Promise.all([
        call('POST', `/api/rooms/${room.id}/participants/${knocker.id}/admit`, host),
        call('POST', `/api/rooms/${room.id}/participants/${knocker.id}/admit`, co),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
      const admissions = (await activity(room.id)).filter((k) => k === 'admitted');
      expect(admissions).toHaveLength(2); // the co-host's own, and the knocker's once
    });

    it('two joiners racing for the last seat: exactly one gets it', async () => {
      const host = await member();
      const { room } = await createRoom(host, { maxParticipants: 2 });
      const [x, y] = [await member(), await member()];
      const results = await Promise.all(
        [x, y].map((who) => call('POST', `/api/rooms/${room.id}/join`, who, {})),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      expect(await approvedSeats(room.id)).toHaveLength(2);
    });

    it('two admissions racing for the last seat: exactly one succeeds', async () => {
      const host = await member();
      const { room } = await createRoom(host, { entry: 'approval', maxParticipants: 2 });
      const [x, y] = [await member(), await member()];
      for (const who of [x, y]) await call('POST', `/api/rooms/${room.id}/join`, who, {});
      const results = await Promise.all(
        [x, y].map((who) =>
          call('POST', `/api/rooms/${room.id}/participants/${who.id}/admit`, host),
        ),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.statusCode === 409)!.json().error.code).toBe('ROOM_FULL');
    });
  });

  describe('ending rooms', () => {
    it('the host ends the room: 204, then 410 for everyone; activity says closed', async () => {
      const host = await member();
      const { room } = await createRoom(host);
      expect((await call('DELETE', `/api/rooms/${room.id}`, host)).statusCode).toBe(204);
      expect((await call('DELETE', `/api/rooms/${room.id}`, host)).statusCode).toBe(410);
      expect((await call('GET', `/api/rooms/${room.id}`, host)).json().room).toMatchObject({
        status: 'closed',
        closedAt: expect.any(String),
      });
      expect(await activity(room.id)).toEqual(['created', 'closed']);
    });

    it('ending tells the room and the lobby (room.closed), then every module through the room.closed event, once', async () => {
      const host = await member();
      const { room } = await createRoom(host, { entry: 'approval' });
      const knocker = await member();
      await call('POST', `/api/rooms/${room.id}/join`, knocker, {});
      const sent: { to: unknown; type: string }[] = [];
      const offBus = rest.t.live.bus.subscribe((e) => sent.push({ to: e.to, type: e.type }));
      const events: { roomId: string; status: string }[] = [];
      const offEvent = rest.t.live.bus.on('room.closed', async (e) => {
        // Handlers run after the commit: they see the room closed.
        const row = await rest.t.db.db
          .selectFrom('rooms')
          .select('status')
          .where('id', '=', e.roomId)
          .executeTakeFirstOrThrow();
        events.push({ roomId: e.roomId, status: row.status });
      });
      try {
        expect((await call('DELETE', `/api/rooms/${room.id}`, host)).statusCode).toBe(204);
        expect((await call('DELETE', `/api/rooms/${room.id}`, host)).statusCode).toBe(410);
        await rest.t.services.rooms.close(room.id, 'expired', null, SYSTEM_CONTEXT); // already closed: nothing again
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        offBus();
        offEvent();
      }
      expect(sent.filter((s) => s.type === 'room.closed')).toEqual([
        { to: { kind: 'room', roomId: room.id }, type: 'room.closed' },
        { to: { kind: 'user', userId: knocker.id }, type: 'room.closed' },
      ]);
      expect(events).toEqual([{ roomId: room.id, status: 'closed' }]);
    });

    it('the cleanup job closes instant rooms left empty past the timeout, and only those; other rooms persist', async () => {
      const host = await member();
      const stale = (await createRoom(host, { instant: true })).room;
      const persistent = (await createRoom(host)).room;
      expect(persistent).toMatchObject({ instant: false, meetingStartedAt: null });
      rest.clock.advance(30 * 60_000);
      const again = await relogin(host);
      const fresh = (await createRoom(again, { instant: true })).room;
      expect(fresh).toMatchObject({ instant: true });
      rest.clock.advance(31 * 60_000);
      expect(await rest.t.services.rooms.closeAbandoned()).toBe(1);
      const status = async (id: string) =>
        (
          await rest.t.db.db
            .selectFrom('rooms')
            .select('status')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).status;
      expect(await status(stale.id)).toBe('closed');
      expect(await status(fresh.id)).toBe('open');
      // A room made for next week's meeting is still there next week.
      rest.clock.advance(7 * 24 * 60 * 60_000);
      expect(await rest.t.services.rooms.closeAbandoned()).toBe(1);
      expect(await status(persistent.id)).toBe('open');
      expect(await status(fresh.id)).toBe('closed');
      const row = await rest.t.db.db
        .selectFrom('rooms')
        .select('close_reason')
        .where('id', '=', stale.id)
        .executeTakeFirstOrThrow();
      expect(row.close_reason).toBe('expired');
    });
  });
});
