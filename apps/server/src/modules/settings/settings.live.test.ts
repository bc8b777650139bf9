import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects, newAccount, testApp } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { insertAppointment } from '../appointments/test-appointments.js';
import { createUsersRepo, ensureAdmin } from '../users/index.js';
import { Api, outcome, session } from './test-settings.js';
import type { Session } from './test-settings.js';

// Every setting takes effect on the next request after an admin saves it: no restart.
// Each test changes a setting through PATCH /api/admin/settings on a running app and
// watches the behaviour it governs change.

const MINUTE = 60_000;

describe.each(dialects)('settings obeyed without a restart on %s', (dialect) => {
  let t: TestApp;
  let api: Api;
  let clock: ManualClock;
  let admin: Session;
  beforeEach(async () => {
    clock = new ManualClock(new Date());
    t = await testApp({ dialect, clock });
    api = new Api(t);
    admin = await api.admin();
  });
  afterEach(async () => t.close());

  const uses = async (token: string) => {
    const rows = await t.db.db.selectFrom('room_invites').select('uses').execute();
    expect(token).toBeTruthy();
    return rows.map((r) => r.uses);
  };
  const guestCount = async () =>
    (await t.db.db.selectFrom('users').select('id').where('is_guest', '=', 1).execute()).length;

  describe('registration', () => {
    it('closed: registering is 403 REGISTRATION_CLOSED; open again: 201', async () => {
      expect((await api.register()).status).toBe(201);
      await api.patchSettings(admin, { registration: 'closed' });
      expect(outcome(await api.register())).toBe('403 REGISTRATION_CLOSED');
      await api.patchSettings(admin, { registration: 'open' });
      expect((await api.register()).status).toBe(201);
    });

    it('closed: the admin bootstrap (ADMIN_EMAIL, admin:create) still creates an admin who can sign in', async () => {
      await api.patchSettings(admin, { registration: 'closed' });
      const acct = newAccount('boss');
      const result = await ensureAdmin(
        {
          users: createUsersRepo(t.db.db),
          createAccount: (input) => t.services.auth.createAccount(input),
          scryptCost: 2 ** 10,
        },
        { email: acct.email, password: acct.password, resetPassword: false },
      );
      expect(result).toBe('created');
      const login = await api.call('POST', '/api/auth/login', undefined, {
        email: acct.email,
        password: acct.password,
      });
      expect(login.status).toBe(200);
      expect(login.body.user.role).toBe('admin');
    });

    it('invite-only: registering needs a room invite with a use left, and uses one up', async () => {
      await api.patchSettings(admin, { registration: 'invite-only' });
      const host = await api.member('host');
      const { token } = await api.invite(host, { expiresInMinutes: 30, maxUses: 1 });

      expect(outcome(await api.register())).toBe('403 INVITE_REQUIRED');
      expect(outcome(await api.register('x', { inviteToken: 'not-a-token' }))).toBe(
        '403 INVITE_REQUIRED',
      );
      expect(await uses(token)).toEqual([0]);
      const invited = session(await api.register('invited', { inviteToken: token }));
      // A 1-use link registered its one person, who is in its room (the invite page they
      // return to uses nothing more); nobody else gets in by registering or accepting.
      expect(await uses(token)).toEqual([1]);
      const back = await api.call('POST', `/api/invites/${token}/accept`, invited, {});
      expect(back.status).toBe(200);
      expect(back.body.status).toBe('approved');
      expect(await uses(token)).toEqual([1]);
      expect(outcome(await api.register('second', { inviteToken: token }))).toBe(
        '403 INVITE_REQUIRED',
      );
      const accepted = await api.call('POST', `/api/invites/${token}/accept`, undefined, {
        displayName: 'Visitor',
      });
      expect(outcome(accepted)).toBe('410 INVITE_INVALID');
      // An expired link opens no door either.
      const second = await api.invite(host, { expiresInMinutes: 30 });
      clock.advance(31 * MINUTE);
      expect(outcome(await api.register('late', { inviteToken: second.token }))).toBe(
        '403 INVITE_REQUIRED',
      );
    });

    it('invite-only: a 1-use link registers one of two people at once; a refused registration (email taken) leaves the use', async () => {
      await api.patchSettings(admin, { registration: 'invite-only' });
      const host = await api.member('host');
      const { token } = await api.invite(host, { expiresInMinutes: 30, maxUses: 1 });
      const taken = newAccount('taken');
      await t.services.auth.createAccount(taken);

      expect(
        outcome(
          await api.call('POST', '/api/auth/register', undefined, {
            ...taken,
            inviteToken: token,
          }),
        ),
      ).toBe('409 EMAIL_TAKEN');
      expect(await uses(token)).toEqual([0]);

      const both = await Promise.all([
        api.register('one', { inviteToken: token }),
        api.register('two', { inviteToken: token }),
      ]);
      expect(both.map(outcome).sort()).toEqual(['201', '403 INVITE_REQUIRED']);
      expect(await uses(token)).toEqual([1]);
    });
  });

  describe('registration by invite and the room', () => {
    it('invite-only: the new account takes its seat in the room; a locked room keeps it out, the account stands', async () => {
      await api.patchSettings(admin, { registration: 'invite-only' });
      const host = await api.member('host');
      const seatOf = async (roomId: string, userId: string) =>
        (
          await t.db.db
            .selectFrom('room_participants')
            .select('status')
            .where('room_id', '=', roomId)
            .where('user_id', '=', userId)
            .executeTakeFirst()
        )?.status;

      const open = await api.invite(host, { expiresInMinutes: 30, maxUses: 1 });
      const invited = session(await api.register('invited', { inviteToken: open.token }));
      expect(await seatOf(open.roomId, invited.id)).toBe('approved');

      const locked = await api.invite(host, { expiresInMinutes: 30, maxUses: 1 });
      expect(
        (await api.call('PATCH', `/api/rooms/${locked.roomId}`, host, { locked: true })).status,
      ).toBe(200);
      const outside = session(await api.register('outside', { inviteToken: locked.token }));
      expect(await seatOf(locked.roomId, outside.id)).toBeUndefined();
      expect(outcome(await api.register('third', { inviteToken: locked.token }))).toBe(
        '403 INVITE_REQUIRED',
      );
    });

    it('invite-only, approval room: the new account waits in the lobby with the invite (one use); its invite page finds it waiting; a skip-the-lobby invite seats it', async () => {
      await api.patchSettings(admin, { registration: 'invite-only' });
      const host = await api.member('host');
      const row = async (roomId: string, userId: string) =>
        t.db.db
          .selectFrom('room_participants')
          .select(['status', 'invite_id'])
          .where('room_id', '=', roomId)
          .where('user_id', '=', userId)
          .executeTakeFirst();

      const knocking = await api.invite(
        host,
        { expiresInMinutes: 30, maxUses: 1 },
        { entry: 'approval' },
      );
      const invited = session(await api.register('invited', { inviteToken: knocking.token }));
      expect(await row(knocking.roomId, invited.id)).toEqual({
        status: 'pending',
        invite_id: knocking.token,
      });
      const back = await api.call('POST', `/api/invites/${knocking.token}/accept`, invited, {});
      expect(back.body.status).toBe('pending');
      expect(await uses(knocking.token)).toEqual([1]);

      const skipping = await api.invite(
        host,
        { expiresInMinutes: 30, maxUses: 1, skipLobby: true },
        { entry: 'approval' },
      );
      const seated = session(await api.register('seated', { inviteToken: skipping.token }));
      expect((await row(skipping.roomId, seated.id))?.status).toBe('approved');
    });
  });

  describe('guest access', () => {
    it('off: new guests by name or by invite are 403 GUESTS_DISABLED and nothing is created; a guest already signed in keeps their session', async () => {
      const host = await api.member('host');
      const { token } = await api.invite(host);
      const earlier = session(await api.guest('Early'));
      await api.patchSettings(admin, { guestAccess: false });
      const before = await guestCount();

      expect(outcome(await api.guest('Late'))).toBe('403 GUESTS_DISABLED');
      const byInvite = await api.call('POST', `/api/invites/${token}/accept`, undefined, {
        displayName: 'Late',
      });
      expect(outcome(byInvite)).toBe('403 GUESTS_DISABLED');
      expect(await guestCount()).toBe(before);
      expect(await uses(token)).toEqual([0]);

      // Switching guests off is about new guests: one already here is not thrown out.
      expect((await api.call('GET', '/api/auth/me', earlier)).status).toBe(200);
      const asThemselves = await api.call('POST', `/api/invites/${token}/accept`, earlier, {});
      expect(asThemselves.status).toBe(200);
      // And a member uses the link as always.
      const member = await api.member();
      expect((await api.call('POST', `/api/invites/${token}/accept`, member, {})).status).toBe(200);

      await api.patchSettings(admin, { guestAccess: true });
      expect((await api.guest('Later')).status).toBe(201);
    });
  });

  describe('rooms', () => {
    it("a room whose creator picks no size or chat gets the settings' defaults, read at creation", async () => {
      const host = await api.member('host');
      const first = await api.createRoom(host);
      expect(first.body.room).toMatchObject({ maxParticipants: 12, chatEnabled: true });
      await api.patchSettings(admin, {
        rooms: { defaultMaxParticipants: 6, chatEnabledByDefault: false },
      });
      const second = await api.createRoom(host);
      expect(second.body.room).toMatchObject({ maxParticipants: 6, chatEnabled: false });
      // What the creator chooses wins over the defaults.
      const chosen = await api.createRoom(host, { maxParticipants: 9, chatEnabled: true });
      expect(chosen.body.room).toMatchObject({ maxParticipants: 9, chatEnabled: true });
    });

    it('a size above rooms.maxParticipantsLimit is 400 VALIDATION_FAILED, at creation and in PATCH', async () => {
      const host = await api.member('host');
      const room = await api.createRoom(host, { maxParticipants: 20 });
      expect(room.status).toBe(201);
      const id = room.body.room.id as string;
      await api.patchSettings(admin, { rooms: { maxParticipantsLimit: 16 } });

      const tooBig = await api.createRoom(host, { maxParticipants: 17 });
      expect(outcome(tooBig)).toBe('400 VALIDATION_FAILED');
      expect(tooBig.body.error.details.fields).toEqual({ maxParticipants: [expect.any(String)] });
      expect((await api.createRoom(host, { maxParticipants: 16 })).status).toBe(201);

      const patch = await api.call('PATCH', `/api/rooms/${id}`, host, { maxParticipants: 18 });
      expect(outcome(patch)).toBe('400 VALIDATION_FAILED');
      const ok = await api.call('PATCH', `/api/rooms/${id}`, host, { maxParticipants: 16 });
      expect(ok.status).toBe(200);
      expect(ok.body.room.maxParticipants).toBe(16);
    });

    it('an empty instant room is closed after rooms.emptyRoomMinutes as set now, not as configured at start', async () => {
      const host = await api.member('host');
      const id = (await api.createRoom(host, { instant: true })).body.room.id as string;
      clock.advance(10 * MINUTE);
      // The configured hour has not passed.
      expect(await t.services.rooms.closeAbandoned()).toBe(0);
      await api.patchSettings(admin, { rooms: { emptyRoomMinutes: 5 } });
      expect(await t.services.rooms.closeAbandoned()).toBe(1);
      const room = await t.db.db.selectFrom('rooms').selectAll().where('id', '=', id).execute();
      expect(room[0]).toMatchObject({ status: 'closed', close_reason: 'expired' });
    });
  });

  describe('calls', () => {
    it('a new call rings for calls.ringTimeoutSeconds as set when it is placed', async () => {
      const [alice, bob, carol] = [
        await api.member('alice'),
        await api.member('bob'),
        await api.member('carol'),
      ];
      await api.patchSettings(admin, { calls: { ringTimeoutSeconds: 12 } });
      const placed = await api.call('POST', '/api/calls', alice, { calleeId: bob.id });
      expect(placed.status).toBe(201);
      const callId = placed.body.call.id as string;
      const deadlines = t.live.deadlines('call-ring');
      expect(await deadlines.get(callId)).toBe(clock.now().getTime() + 12_000);

      clock.advance(12_000);
      await t.services.calls.tick();
      const row = await t.db.db
        .selectFrom('calls')
        .select(['state', 'ended_at'])
        .where('id', '=', callId)
        .executeTakeFirstOrThrow();
      expect(row.state).toBe('missed');

      await api.patchSettings(admin, { calls: { ringTimeoutSeconds: 90 } });
      const next = await api.call('POST', '/api/calls', carol, { calleeId: bob.id });
      expect(await deadlines.get(next.body.call.id as string)).toBe(clock.now().getTime() + 90_000);
    });
  });
});

describe.each(dialects)('appointment join window from the live settings on %s', (dialect) => {
  let t: TestApp;
  let api: Api;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(new Date('2031-03-03T09:00:00.000Z'));
    t = await testApp({ dialect, clock });
    api = new Api(t);
  });
  afterEach(async () => t.close());

  /** A confirmed, paid appointment starting `inMinutes` from now, inserted as booked. */
  function book(provider: Session, client: Session, inMinutes: number): Promise<string> {
    const startsAt = new Date(clock.now().getTime() + inMinutes * MINUTE);
    return insertAppointment(t.db.db, clock, { provider, client, startsAt });
  }

  it('joining opens appointments.joinOpensMinutes before the start, and admins join only while adminsMayJoin', async () => {
    const admin = await api.admin();
    const provider = await api.member('provider');
    await t.db.db
      .updateTable('users')
      .set({ role: 'provider' })
      .where('id', '=', provider.id)
      .execute();
    const client = await api.member('client');
    const id = await book(provider, client, 40);
    const canJoin = async (who: Session) =>
      (await api.call('GET', `/api/appointments/${id}/can-join`, who)).body;

    expect(await canJoin(client)).toMatchObject({ canJoin: false, reason: 'TOO_EARLY' });
    await api.patchSettings(admin, { appointments: { joinOpensMinutes: 45 } });
    const open = await canJoin(client);
    expect(open).toMatchObject({ canJoin: true, reason: null });
    expect(Date.parse(open.opensAt as string)).toBe(clock.now().getTime() - 5 * MINUTE);

    expect(await canJoin(admin)).toMatchObject({ canJoin: false, reason: 'NOT_A_PARTICIPANT' });
    await api.patchSettings(admin, { appointments: { adminsMayJoin: true } });
    expect(await canJoin(admin)).toMatchObject({ canJoin: true });

    // joinClosesMinutes moves the end of the window (the booked 50 minutes are a floor).
    await api.patchSettings(admin, { appointments: { joinClosesMinutes: 180 } });
    const later = await canJoin(client);
    expect(Date.parse(later.closesAt as string)).toBe(clock.now().getTime() + (40 + 180) * MINUTE);
  });
});
