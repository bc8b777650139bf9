import type { Invite } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forgedInvite } from '../../security/forge.js';
import { dialects } from '../../test/harness.js';
import { SignalingServer } from '../signaling/test-server.js';
import { roomsRest } from './test-rooms.js';
import type { Session } from './test-rooms.js';

// Invites (issue 14): short codes looked up on every use. They stand in for a room's
// password, never for its host's approval (unless made to skip the lobby) and never for
// a kick; revoking one stops it at once, also for whoever waits in the lobby with it.

const CODE = /^[a-km-zA-HJ-NP-Z2-9]{5}-[a-km-zA-HJ-NP-Z2-9]{5}$/;

describe.each(dialects)('invites REST on %s', (dialect) => {
  const rest = roomsRest(dialect);
  const { call, member } = rest;
  const errorOf = async (res: ReturnType<typeof call>) => {
    const r = await res;
    return `${r.statusCode} ${r.json().error?.code as string}`;
  };
  /** A new room (see `roomsRest`); these tests only need the room itself. */
  const createRoom = async (host: Session, body: Record<string, unknown> = {}) =>
    (await rest.createRoom(host, body)).room;
  const invite = async (
    host: Session,
    roomId: string,
    body: Record<string, unknown> = { expiresInMinutes: 60 },
  ): Promise<Invite> => {
    const res = await call('POST', `/api/rooms/${roomId}/invites`, host, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ invite: Invite }>().invite;
  };
  /** Accepts as a new guest; returns the answer and the guest's session. */
  const acceptAsGuest = async (code: string, name = 'Ivy') => {
    const res = await call('POST', `/api/invites/${code}/accept`, undefined, { displayName: name });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    return {
      status: body.status as string,
      body,
      guest: { token: body.tokens.accessToken as string, id: body.user.id as string },
    };
  };
  const usesOf = async (code: string) =>
    (
      await rest.t.db.db
        .selectFrom('room_invites')
        .select('uses')
        .where('id', '=', code)
        .executeTakeFirstOrThrow()
    ).uses;
  const rowOf = (roomId: string, userId: string) =>
    rest.t.db.db
      .selectFrom('room_participants')
      .select(['status', 'invite_id', 'decided_by'])
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  const guestCount = async () =>
    (await rest.t.db.db.selectFrom('users').select('id').where('is_guest', '=', 1).execute())
      .length;
  /** Messages the server sends to users while `fn` runs (the bus, before any socket). */
  const toUsers = async (fn: () => Promise<unknown>) => {
    const sent: { userId: string; message: Record<string, unknown> }[] = [];
    const off = rest.t.live.bus.subscribe((e) => {
      if (e.to.kind === 'user') sent.push({ userId: e.to.userId, message: JSON.parse(e.payload) });
    });
    try {
      await fn();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      off();
    }
    return sent;
  };

  describe('making one', () => {
    it('is a short code link with its limits; the summary says whether it leads to the lobby', async () => {
      const host = await member('Ada Host');
      const room = await createRoom(host, { entry: 'approval' });
      const made = await invite(host, room.id, { expiresInMinutes: 60, maxUses: 5 });
      expect(made.code).toMatch(CODE);
      expect(made).toEqual({
        code: made.code,
        url: `http://parley.test/i/${made.code}`,
        roomId: room.id,
        createdAt: rest.clock.now().toISOString(),
        createdBy: { id: host.id, displayName: 'Ada Host' },
        expiresAt: new Date(rest.clock.now().getTime() + 3_600_000).toISOString(),
        maxUses: 5,
        uses: 0,
        skipLobby: false,
        revokedAt: null,
        status: 'active',
      });
      expect((await call('GET', `/api/invites/${made.code}`)).json()).toEqual({
        room: { id: room.id, code: room.code, name: 'Standup' },
        hostDisplayName: 'Ada Host',
        expiresAt: made.expiresAt,
        admission: 'lobby',
      });
      const skipping = await invite(host, room.id, { expiresInMinutes: 60, skipLobby: true });
      expect(skipping.skipLobby).toBe(true);
      expect((await call('GET', `/api/invites/${skipping.code}`)).json().admission).toBe('direct');
      const open = await createRoom(host);
      const toOpen = await invite(host, open.id);
      expect((await call('GET', `/api/invites/${toOpen.code}`)).json().admission).toBe('direct');
    });

    it('an invite code is not an access token, and an access token is not an invite', async () => {
      const host = await member();
      const room = await createRoom(host);
      const { code } = await invite(host, room.id);
      expect((await call('GET', '/api/auth/me', { token: code, id: '' })).statusCode).toBe(401);
      // Not shaped like a code: refused before any lookup.
      expect((await call('GET', `/api/invites/${host.token}`)).statusCode).toBe(400);
      expect(await errorOf(call('GET', `/api/invites/${forgedInvite()}`))).toBe(
        '404 INVITE_NOT_FOUND',
      );
    });
  });

  describe('accepting', () => {
    it('approval room: the invited guest waits in the lobby, the moderators hear of it, and a host admits them', async () => {
      const host = await member();
      const room = await createRoom(host, { entry: 'approval' });
      const { code } = await invite(host, room.id);
      let accepted!: Awaited<ReturnType<typeof acceptAsGuest>>;
      const sent = await toUsers(async () => {
        accepted = await acceptAsGuest(code, 'Invited Ivy');
      });
      const { guest, body } = accepted;
      expect(body).toMatchObject({
        status: 'pending',
        user: { isGuest: true, displayName: 'Invited Ivy' },
        room: { id: room.id, myStatus: 'pending' },
      });
      expect(sent).toEqual([
        {
          userId: host.id,
          message: {
            type: 'lobby.requested',
            roomId: room.id,
            user: { id: guest.id, displayName: 'Invited Ivy', isGuest: true },
            requestedAt: rest.clock.now().toISOString(),
          },
        },
      ]);
      expect(await rowOf(room.id, guest.id)).toMatchObject({ status: 'pending', invite_id: code });
      expect(await usesOf(code)).toBe(1);
      // Waiting is no admission: joining says pending, the lobby shows them.
      expect((await call('POST', `/api/rooms/${room.id}/join`, guest, {})).json().status).toBe(
        'pending',
      );
      // Accepting again while waiting: still pending, no new use.
      const again = await call('POST', `/api/invites/${code}/accept`, guest, {});
      expect(again.json().status).toBe('pending');
      expect(await usesOf(code)).toBe(1);

      expect(
        (await call('POST', `/api/rooms/${room.id}/participants/${guest.id}/admit`, host))
          .statusCode,
      ).toBe(200);
      expect((await call('POST', `/api/rooms/${room.id}/join`, guest, {})).json().status).toBe(
        'approved',
      );
    });

    it('approval room, skip-the-lobby invite: the guest enters at once; someone already waiting is let in', async () => {
      const host = await member();
      const room = await createRoom(host, { entry: 'approval' });
      const { code } = await invite(host, room.id, { expiresInMinutes: 60, skipLobby: true });
      const { status, body } = await acceptAsGuest(code);
      expect(status).toBe('approved');
      expect(body.room.myStatus).toBe('approved');

      const knocker = await member('Knocker');
      expect((await call('POST', `/api/rooms/${room.id}/join`, knocker, {})).json().status).toBe(
        'pending',
      );
      let res!: Awaited<ReturnType<typeof call>>;
      const sent = await toUsers(async () => {
        res = await call('POST', `/api/invites/${code}/accept`, knocker, {});
      });
      expect(res.json().status).toBe('approved');
      expect(sent.map((s) => [s.userId, s.message.type])).toEqual([
        [knocker.id, 'lobby.admitted'],
        [host.id, 'lobby.resolved'],
      ]);
      expect(await usesOf(code)).toBe(2);
    });

    it('password room: the invite stands in for the password', async () => {
      const host = await member();
      const room = await createRoom(host, { entry: 'password' });
      const { code } = await invite(host, room.id);
      const m = await member();
      expect(await errorOf(call('POST', `/api/rooms/${room.id}/join`, m, {}))).toBe(
        '403 BAD_ROOM_PASSWORD',
      );
      expect((await call('GET', `/api/invites/${code}`)).json().admission).toBe('direct');
      const res = await call('POST', `/api/invites/${code}/accept`, m, {});
      expect(res.json()).toMatchObject({ status: 'approved', room: { myStatus: 'approved' } });
      expect(res.json().tokens).toBeUndefined();
      expect((await acceptAsGuest(code)).status).toBe('approved');
    });

    it('a signed-in user accepts as themselves; no display name and no sign-in is a 400', async () => {
      const host = await member();
      const room = await createRoom(host);
      const { code } = await invite(host, room.id);
      const m = await member();
      const acc = await call('POST', `/api/invites/${code}/accept`, m, {});
      expect(acc.json()).toMatchObject({ status: 'approved' });
      expect(acc.json().tokens).toBeUndefined();
      expect((await call('POST', `/api/invites/${code}/accept`, undefined, {})).statusCode).toBe(
        400,
      );
    });

    it('an expired or used-up invite is 410 INVITE_INVALID; a made-up code 404', async () => {
      const host = await member();
      const room = await createRoom(host, { entry: 'approval' });
      const once = await invite(host, room.id, { expiresInMinutes: 5, maxUses: 1 });
      expect((await acceptAsGuest(once.code, 'First')).status).toBe('pending');
      expect(
        await errorOf(
          call('POST', `/api/invites/${once.code}/accept`, undefined, { displayName: 'Second' }),
        ),
      ).toBe('410 INVITE_INVALID');
      expect((await call('GET', `/api/invites/${once.code}`)).json().error.details).toEqual({
        reason: 'used-up',
      });
      const later = await invite(host, room.id, { expiresInMinutes: 5 });
      rest.clock.advance(6 * 60_000);
      const expired = await call('GET', `/api/invites/${later.code}`);
      expect(expired.statusCode).toBe(410);
      expect(expired.json().error).toMatchObject({
        code: 'INVITE_INVALID',
        details: { reason: 'expired' },
      });
      expect(await errorOf(call('GET', `/api/invites/${forgedInvite()}`))).toBe(
        '404 INVITE_NOT_FOUND',
      );
    });

    it('a one-use invite accepted twice at once lets one person through; the other guest is rolled back', async () => {
      const host = await member();
      for (const entry of ['open', 'approval'] as const) {
        const room = await createRoom(host, { entry });
        const { code } = await invite(host, room.id, { expiresInMinutes: 5, maxUses: 1 });
        const before = await guestCount();
        const results = await Promise.all(
          ['A', 'B'].map((n) =>
            call('POST', `/api/invites/${code}/accept`, undefined, { displayName: n }),
          ),
        );
        expect(results.map((r) => r.statusCode).sort(), entry).toEqual([200, 410]);
        expect(results.find((r) => r.statusCode === 200)!.json().status).toBe(
          entry === 'open' ? 'approved' : 'pending',
        );
        expect(await guestCount()).toBe(before + 1);
      }
    });

    it('an invite and a join racing for the last seat: one gets it; a refused guest is rolled back and the use kept', async () => {
      const host = await member();
      const room = await createRoom(host, { maxParticipants: 2 });
      const { code } = await invite(host, room.id, { expiresInMinutes: 5, maxUses: 1 });
      const joiner = await member();
      const [byInvite, byJoin] = await Promise.all([
        call('POST', `/api/invites/${code}/accept`, undefined, { displayName: 'Ivy' }),
        call('POST', `/api/rooms/${room.id}/join`, joiner, {}),
      ]);
      expect([byInvite.statusCode, byJoin.statusCode].sort()).toEqual([200, 409]);
      const seats = await rest.t.db.db
        .selectFrom('room_participants')
        .select('user_id')
        .where('room_id', '=', room.id)
        .where('status', '=', 'approved')
        .execute();
      expect(seats).toHaveLength(2);
      if (byInvite.statusCode === 200) {
        expect(await guestCount()).toBe(1);
        expect(await usesOf(code)).toBe(1);
      } else {
        expect(byInvite.json().error.code).toBe('ROOM_FULL');
        expect(await guestCount()).toBe(0);
        expect(await usesOf(code)).toBe(0);
      }
    });

    it('a co-host who left and comes back through an invite is still a co-host, without the lobby; the use is recorded', async () => {
      const host = await member();
      const room = await createRoom(host, { entry: 'approval' });
      const co = await member();
      await call('POST', `/api/rooms/${room.id}/join`, co, {});
      await call('POST', `/api/rooms/${room.id}/participants/${co.id}/admit`, host);
      await call('POST', `/api/rooms/${room.id}/participants/${co.id}/promote`, host);
      expect((await call('POST', `/api/rooms/${room.id}/leave`, co)).statusCode).toBe(204);
      const { code } = await invite(host, room.id, { expiresInMinutes: 5 });
      rest.clock.advance(1000); // the admission is the newest activity row
      const acc = await call('POST', `/api/invites/${code}/accept`, co, {});
      expect(acc.json()).toMatchObject({
        status: 'approved',
        room: { myRole: 'cohost', myStatus: 'approved' },
      });
      const last = await rest.t.db.db
        .selectFrom('room_activity')
        .select(['kind', 'user_id', 'actor_id', 'details'])
        .where('room_id', '=', room.id)
        .orderBy('at', 'desc')
        .executeTakeFirstOrThrow();
      expect(last).toMatchObject({ kind: 'admitted', user_id: co.id, actor_id: host.id });
      expect(JSON.parse(last.details!)).toMatchObject({ via: 'invite' });
      expect(last.details).not.toContain(code);
      // Accepting again while in the room consumes nothing.
      await call('POST', `/api/invites/${code}/accept`, co, {});
      expect(await usesOf(code)).toBe(1);
    });

    it('someone removed from the room cannot come back through the same invite or a newer one, even one that skips the lobby; only a moderator lets them in again', async () => {
      const host = await member();
      const room = await createRoom(host);
      const first = await invite(host, room.id);
      const { guest } = await acceptAsGuest(first.code);
      rest.clock.advance(1000);
      await call('POST', `/api/rooms/${room.id}/participants/${guest.id}/kick`, host);
      rest.clock.advance(1000);
      const newer = await invite(host, room.id);
      const skipping = await invite(host, room.id, { expiresInMinutes: 60, skipLobby: true });
      for (const code of [first.code, newer.code, skipping.code]) {
        expect(await errorOf(call('POST', `/api/invites/${code}/accept`, guest, {})), code).toBe(
          '403 KICKED_FROM_ROOM',
        );
      }
      expect(await usesOf(newer.code)).toBe(0);
      expect(await rowOf(room.id, guest.id)).toMatchObject({ status: 'kicked' });
      // The host's admission is the way back.
      expect(
        (await call('POST', `/api/rooms/${room.id}/participants/${guest.id}/admit`, host))
          .statusCode,
      ).toBe(200);
      expect(
        (await call('POST', `/api/invites/${newer.code}/accept`, guest, {})).json().status,
      ).toBe('approved');
    });

    describe('a kicked guest back as a new guest (a fresh browser is a fresh guest account)', () => {
      const HOME = '203.0.113.7';
      const ELSEWHERE = '198.51.100.9';
      /** A request from `ip` (the guest's network as the server sees it). */
      const from = (
        ip: string,
        method: 'POST' | 'DELETE',
        url: string,
        who?: Session,
        body: unknown = {},
      ) =>
        rest.t.app.inject({
          method,
          url,
          remoteAddress: ip,
          headers: {
            ...(who ? { authorization: `Bearer ${who.token}` } : {}),
            'content-type': 'application/json',
          },
          payload: JSON.stringify(body),
        });
      const guestAt = async (ip: string, code: string, name = 'Again') => {
        const res = await from(ip, 'POST', `/api/invites/${code}/accept`, undefined, {
          displayName: name,
        });
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        return {
          status: body.status as string,
          guest: { token: body.tokens.accessToken as string, id: body.user.id as string },
        };
      };
      /** A guest made by name (no invite) at `ip`, who then joins the room by its code. */
      const joinByCodeAt = async (ip: string, roomCode: string, password?: string) => {
        const made = await from(ip, 'POST', '/api/auth/guest', undefined, { displayName: 'Bo' });
        expect(made.statusCode, made.body).toBe(201);
        const guest = { token: made.json().tokens.accessToken, id: made.json().user.id };
        const res = await from(ip, 'POST', `/api/rooms/${roomCode}/join`, guest, {
          ...(password ? { password } : {}),
        });
        return { res, guest };
      };
      const keyOf = async (roomId: string, userId: string) =>
        (
          await rest.t.db.db
            .selectFrom('room_participants')
            .select('client_key')
            .where('room_id', '=', roomId)
            .where('user_id', '=', userId)
            .executeTakeFirstOrThrow()
        ).client_key;
      /** An open room with a guest from HOME in it, kicked. */
      const kickedFromHome = async (body: Record<string, unknown> = {}) => {
        const host = await member('Host');
        const created = await call('POST', '/api/rooms', host, {
          name: 'Standup',
          visibility: 'private',
          entry: 'open',
          ...body,
        });
        const room = created.json().room as { id: string; code: string };
        const first = await invite(host, room.id);
        const { status, guest } = await guestAt(HOME, first.code, 'Troll');
        expect(status).toBe('approved');
        expect(await keyOf(room.id, guest.id)).toBe(HOME);
        await call('POST', `/api/rooms/${room.id}/participants/${guest.id}/kick`, host);
        return { host, room, first, kicked: guest, password: created.json().password as string };
      };

      it('through the same invite, a new one or one that skips the lobby, they wait in the lobby and the host decides', async () => {
        const { host, room, first } = await kickedFromHome();
        const skipping = await invite(host, room.id, { expiresInMinutes: 60, skipLobby: true });
        let back!: Awaited<ReturnType<typeof guestAt>>;
        const sent = await toUsers(async () => {
          back = await guestAt(HOME, first.code);
        });
        expect(back.status).toBe('pending');
        expect(sent.map((s) => [s.userId, s.message.type])).toEqual([[host.id, 'lobby.requested']]);
        // Waiting with the invite: revoking it would turn them away, as in an approval room.
        expect(await rowOf(room.id, back.guest.id)).toMatchObject({
          status: 'pending',
          invite_id: first.code,
        });
        expect(await usesOf(first.code)).toBe(2);
        const skipped = await guestAt(HOME, skipping.code);
        expect(skipped.status).toBe('pending');
        expect(
          (await from(HOME, 'POST', `/api/rooms/${room.id}/join`, skipped.guest)).json().status,
        ).toBe('pending');
        // Nor does a skip-the-lobby invite let in someone already waiting for this reason
        // (it would let in someone waiting for another), nor a guest the host denied.
        const usesBefore = await usesOf(skipping.code);
        expect(
          (await from(HOME, 'POST', `/api/invites/${skipping.code}/accept`, back.guest)).json()
            .status,
        ).toBe('pending');
        expect(await usesOf(skipping.code)).toBe(usesBefore);
        await call('POST', `/api/rooms/${room.id}/participants/${back.guest.id}/deny`, host);
        rest.clock.advance(1000);
        const newer = await invite(host, room.id, { expiresInMinutes: 60, skipLobby: true });
        expect(
          (await from(HOME, 'POST', `/api/invites/${newer.code}/accept`, back.guest)).json().status,
        ).toBe('pending');
        expect(await rowOf(room.id, back.guest.id)).toMatchObject({ status: 'pending' });
      });

      it('by code in an open room, or a password room with its password, they wait in the lobby; a wrong password is still refused', async () => {
        const open = await kickedFromHome();
        const { res } = await joinByCodeAt(HOME, open.room.code);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toMatchObject({ status: 'pending', room: { myStatus: 'pending' } });

        const locked = await kickedFromHome({ entry: 'password' });
        const wrong = await joinByCodeAt(HOME, locked.room.code, 'not-the-password');
        expect(wrong.res.json().error.code).toBe('BAD_ROOM_PASSWORD');
        expect(await rowOf(locked.room.id, wrong.guest.id)).toBeUndefined();
        const right = await joinByCodeAt(HOME, locked.room.code, locked.password);
        expect(right.res.json().status).toBe('pending');
        // Through an invite (which stands in for the password), the same.
        expect((await guestAt(HOME, (await invite(locked.host, locked.room.id)).code)).status).toBe(
          'pending',
        );
      });

      it('a guest from another network, and members from the same one, enter as before; members leave no network behind', async () => {
        const { room, first } = await kickedFromHome();
        const other = await guestAt(ELSEWHERE, first.code);
        expect(other.status).toBe('approved');
        expect(await keyOf(room.id, other.guest.id)).toBe(ELSEWHERE);
        expect((await joinByCodeAt(ELSEWHERE, room.code)).res.json().status).toBe('approved');

        const byInvite = await member('Neighbour');
        const accepted = await from(HOME, 'POST', `/api/invites/${first.code}/accept`, byInvite);
        expect(accepted.json().status).toBe('approved');
        const byCode = await member('Colleague');
        expect(
          (await from(HOME, 'POST', `/api/rooms/${room.code}/join`, byCode)).json().status,
        ).toBe('approved');
        expect(await keyOf(room.id, byInvite.id)).toBeNull();
        expect(await keyOf(room.id, byCode.id)).toBeNull();
      });

      it('the host admitting them lets them in; the kicked guest stays out; the networks go when the room ends', async () => {
        const { host, room, first, kicked } = await kickedFromHome();
        const back = await guestAt(HOME, first.code);
        expect(back.status).toBe('pending');
        const admit = await call(
          'POST',
          `/api/rooms/${room.id}/participants/${back.guest.id}/admit`,
          host,
        );
        expect(admit.statusCode).toBe(200);
        // Admitted, they are their own row from now on: back after leaving, no lobby.
        await call('POST', `/api/rooms/${room.id}/leave`, back.guest);
        expect(
          (await from(HOME, 'POST', `/api/invites/${first.code}/accept`, back.guest)).json().status,
        ).toBe('approved');
        expect(await errorOf(from(HOME, 'POST', `/api/invites/${first.code}/accept`, kicked))).toBe(
          '403 KICKED_FROM_ROOM',
        );

        expect((await call('DELETE', `/api/rooms/${room.id}`, host)).statusCode).toBe(204);
        const kept = await rest.t.db.db
          .selectFrom('room_participants')
          .select('client_key')
          .where('room_id', '=', room.id)
          .where('client_key', 'is not', null)
          .execute();
        expect(kept).toEqual([]);
      });
    });

    it('a denial newer than the invite stands; an invite made after it lets them knock again', async () => {
      const host = await member();
      const room = await createRoom(host, { entry: 'approval' });
      const old = await invite(host, room.id);
      const m = await member();
      await call('POST', `/api/rooms/${room.id}/join`, m, {});
      rest.clock.advance(1000);
      await call('POST', `/api/rooms/${room.id}/participants/${m.id}/deny`, host);
      expect(await errorOf(call('POST', `/api/invites/${old.code}/accept`, m, {}))).toBe(
        '403 JOIN_DENIED',
      );
      rest.clock.advance(1000);
      const fresh = await invite(host, room.id);
      expect((await call('POST', `/api/invites/${fresh.code}/accept`, m, {})).json().status).toBe(
        'pending',
      );
      expect(await rowOf(room.id, m.id)).toMatchObject({
        status: 'pending',
        invite_id: fresh.code,
      });
    });
  });

  describe('listing and revoking', () => {
    it('the list shows every invite newest first, with uses, limits, author and status', async () => {
      const host = await member('Ada Host');
      const room = await createRoom(host);
      const co = await member('Cleo');
      await call('POST', `/api/rooms/${room.id}/join`, co, {});
      await call('POST', `/api/rooms/${room.id}/participants/${co.id}/promote`, host);
      const expiring = await invite(host, room.id, { expiresInMinutes: 1 });
      rest.clock.advance(1000);
      const usedUp = await invite(host, room.id, { expiresInMinutes: 60, maxUses: 1 });
      await acceptAsGuest(usedUp.code);
      rest.clock.advance(1000);
      const revoked = await invite(co, room.id);
      expect(
        (await call('DELETE', `/api/rooms/${room.id}/invites/${revoked.code}`, host)).statusCode,
      ).toBe(204);
      rest.clock.advance(1000);
      const active = await invite(co, room.id, { expiresInMinutes: 60, maxUses: 3 });
      await acceptAsGuest(active.code);
      rest.clock.advance(60_000);

      for (const who of [host, co]) {
        const res = await call('GET', `/api/rooms/${room.id}/invites`, who);
        expect(res.statusCode).toBe(200);
        const invites = res.json<{ invites: Invite[] }>().invites;
        expect(
          invites.map((i) => [i.code, i.status, i.uses, i.maxUses, i.createdBy.displayName]),
        ).toEqual([
          [active.code, 'active', 1, 3, 'Cleo'],
          [revoked.code, 'revoked', 0, null, 'Cleo'],
          [usedUp.code, 'used-up', 1, 1, 'Ada Host'],
          [expiring.code, 'expired', 0, null, 'Ada Host'],
        ]);
        expect(invites[1]!.revokedAt).not.toBeNull();
        expect(invites[0]!.url).toBe(`http://parley.test/i/${active.code}`);
      }
    });

    it('revoking stops the invite at once; revoking again is fine; a code of another room is 404', async () => {
      const host = await member();
      const room = await createRoom(host);
      const other = await createRoom(host);
      const { code } = await invite(host, room.id);
      const elsewhere = await invite(host, other.id);
      expect((await acceptAsGuest(code, 'Before')).status).toBe('approved');

      expect((await call('DELETE', `/api/rooms/${room.id}/invites/${code}`, host)).statusCode).toBe(
        204,
      );
      const summary = await call('GET', `/api/invites/${code}`);
      expect(summary.statusCode).toBe(410);
      expect(summary.json().error).toMatchObject({
        code: 'INVITE_INVALID',
        details: { reason: 'revoked' },
      });
      expect(
        await errorOf(
          call('POST', `/api/invites/${code}/accept`, undefined, { displayName: 'After' }),
        ),
      ).toBe('410 INVITE_INVALID');
      // Revoking again is no error.
      expect((await call('DELETE', `/api/rooms/${room.id}/invites/${code}`, host)).statusCode).toBe(
        204,
      );
      expect(
        await errorOf(call('DELETE', `/api/rooms/${room.id}/invites/${elsewhere.code}`, host)),
      ).toBe('404 INVITE_NOT_FOUND');
      expect(
        await errorOf(call('DELETE', `/api/rooms/${room.id}/invites/${forgedInvite()}`, host)),
      ).toBe('404 INVITE_NOT_FOUND');
      // The other room's invite was not touched.
      expect((await call('GET', `/api/invites/${elsewhere.code}`)).statusCode).toBe(200);
    });

    it('a participant cannot list, make or revoke invites; someone waiting neither; a stranger learns nothing', async () => {
      const host = await member();
      const room = await createRoom(host, { entry: 'approval' });
      const { code } = await invite(host, room.id);
      const p = await member();
      await call('POST', `/api/rooms/${room.id}/join`, p, {});
      await call('POST', `/api/rooms/${room.id}/participants/${p.id}/admit`, host);
      const waiting = await member();
      await call('POST', `/api/rooms/${room.id}/join`, waiting, {});
      const stranger = await member();
      const attempts = (who: Session | undefined) => [
        call('GET', `/api/rooms/${room.id}/invites`, who),
        call('POST', `/api/rooms/${room.id}/invites`, who, { expiresInMinutes: 10 }),
        call('DELETE', `/api/rooms/${room.id}/invites/${code}`, who),
      ];
      for (const [who, expected] of [
        [p, '403 NOT_HOST'],
        [waiting, '403 NOT_HOST'],
        [stranger, '404 ROOM_NOT_FOUND'],
        [undefined, '401 UNAUTHENTICATED'],
      ] as const) {
        for (const res of attempts(who)) expect(await errorOf(res)).toBe(expected);
      }
      // Nothing was revoked.
      expect((await call('GET', `/api/invites/${code}`)).statusCode).toBe(200);
    });
  });
});

describe.each(dialects)('revoking an invite, seen over sockets, on %s', (dialect) => {
  let s: SignalingServer;
  beforeAll(async () => {
    s = await SignalingServer.start({}, { dialect });
  });
  afterAll(async () => {
    await s.close();
  });
  afterEach(async () => {
    await s.closeClients();
  });

  it('turns away at once whoever waits in the lobby with it (lobby.denied, invite-revoked); the moderators see them go; others keep waiting', async () => {
    const host = await s.member('host');
    const roomId = await s.createRoom(host, { entry: 'approval' });
    const make = async () => {
      const res = await s.api('POST', `/api/rooms/${roomId}/invites`, host, {
        expiresInMinutes: 60,
      });
      return (res.body.invite as { code: string }).code;
    };
    const [revoked, kept] = [await make(), await make()];
    const accept = async (code: string, displayName: string) => {
      const res = await s.api('POST', `/api/invites/${code}/accept`, undefined, { displayName });
      expect(res.body.status).toBe('pending');
      const user = res.body.user as { id: string; displayName: string };
      const tokens = res.body.tokens as { accessToken: string };
      return { id: user.id, token: tokens.accessToken, displayName: user.displayName };
    };
    const hostSocket = await s.inRoom(host, roomId);
    const withRevoked = await accept(revoked, 'Rita');
    const withKept = await accept(kept, 'Kim');
    const knocker = await s.member('knocker');
    expect(await s.enter(knocker, roomId)).toBe('pending');
    for (let i = 0; i < 3; i++) await hostSocket.next('lobby.requested');
    const ritaSocket = await s.connect(withRevoked);
    const kimSocket = await s.connect(withKept);

    const res = await s.api('DELETE', `/api/rooms/${roomId}/invites/${revoked}`, host);
    expect(res.status).toBe(204);
    expect(await ritaSocket.next('lobby.denied')).toEqual({
      type: 'lobby.denied',
      roomId,
      reason: 'invite-revoked',
    });
    expect(await hostSocket.next('lobby.resolved')).toEqual({
      type: 'lobby.resolved',
      roomId,
      userId: withRevoked.id,
      outcome: 'denied',
    });
    expect(await s.myStatus(withRevoked, roomId)).toBe('denied');
    // The others still wait: Kim (another invite) and the knocker heard nothing.
    expect(await s.myStatus(withKept, roomId)).toBe('pending');
    expect(await s.myStatus(knocker, roomId)).toBe('pending');
    expect(kimSocket.received.filter((m) => m.type.startsWith('lobby.'))).toEqual([]);
    // The revoked invite opens nothing any more, for Rita either.
    const again = await s.api('POST', `/api/invites/${revoked}/accept`, withRevoked, {});
    expect(again.status).toBe(410);
    expect((again.body.error as { code: string }).code).toBe('INVITE_INVALID');
  });
});
