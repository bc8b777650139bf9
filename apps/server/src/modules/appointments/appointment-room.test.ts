import type { Appointment } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/harness.js';
import { JoinRefused } from '../signaling/test-client.js';
import type { TestClient } from '../signaling/test-client.js';
import type { Person } from '../signaling/test-server.js';
import { AppointmentsServer, MINUTE, SHORT_WINDOW, outcome } from './test-appointments.js';

// An appointment's room belongs to its two parties, and only inside the join window:
// nobody else can find, join or be invited into it (an admin only if the practice
// allows), the window is enforced again at REST join and socket `room.join`, and nobody
// moderates it.

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type Room = { id: string; code: string };

/** What a socket `room.join` answered: `joined`, or the error code. */
const socketJoin = (c: TestClient, roomId: string) =>
  c.join(roomId).then(
    () => 'joined',
    (err: unknown) => (err instanceof JoinRefused ? err.code : String(err)),
  );

describe.each(dialects)('the room of an appointment on %s', (dialect) => {
  let b: AppointmentsServer;
  let lenient: AppointmentsServer;
  beforeAll(async () => {
    b = await AppointmentsServer.start(dialect, SHORT_WINDOW);
    lenient = await AppointmentsServer.start(dialect, {
      appointments: { ...SHORT_WINDOW.appointments!, adminsMayJoin: true },
    });
  });
  afterEach(async () => {
    await b.closeClients();
    await lenient.closeClients();
  });
  afterAll(async () => {
    await b.close();
    await lenient.close();
  });

  /** A confirmed, paid appointment starting in 2 min (its window open), and its room. */
  async function inWindow(server = b, opts: { inMs?: number } = {}) {
    const admin = await server.admin();
    const provider = await server.provider(admin);
    const client = await server.member('client');
    const appointment = await server.ready(admin, provider, client, {
      inMs: opts.inMs ?? 2 * MINUTE,
    });
    const res = await server.api('POST', `/api/appointments/${appointment.id}/room`, provider);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { admin, provider, client, appointment, room: res.body.room as Room };
  }

  const answer = async (method: Method, url: string, who: Person, body?: unknown) =>
    outcome(await b.api(method, url, who, body));

  const seats = (server: AppointmentsServer, roomId: string) =>
    server.db
      .selectFrom('room_participants')
      .select(['user_id', 'status'])
      .where('room_id', '=', roomId)
      .orderBy('user_id')
      .execute();

  it('a third user cannot join the appointment room even with its code or id', async () => {
    const { provider, client, room } = await inWindow();
    const eve = await b.member('eve');
    const p = await b.connect(provider);
    await p.join(room.id);

    const unknown = 'bcd-fghj-kmnp';
    const byRef = (ref: string) =>
      Promise.all([
        answer('GET', `/api/rooms/${ref}`, eve),
        answer('POST', `/api/rooms/${ref}/join`, eve, {}),
      ]);
    const expected = await byRef(unknown);
    expect(expected).toEqual(['404 ROOM_NOT_FOUND', '404 ROOM_NOT_FOUND']);
    expect(await byRef(room.code)).toEqual(expected);
    expect(await byRef(room.id)).toEqual(expected);
    expect(
      await answer('POST', `/api/rooms/${room.id}/invites`, eve, { expiresInMinutes: 10 }),
    ).toBe('404 ROOM_NOT_FOUND');

    const e = await b.connect(eve);
    expect(await socketJoin(e, room.id)).toBe('ROOM_NOT_FOUND');

    // Not seated, not in the roster the provider sees.
    expect(await seats(b, room.id)).toEqual(
      [provider.id, client.id].sort().map((user_id) => ({ user_id, status: 'approved' })),
    );
    const c = await b.connect(client);
    const joined = await c.join(room.id);
    // The roster the client is given holds the provider only (it excludes oneself).
    expect(joined.participants.map((x) => x.userId)).toEqual([provider.id]);
    expect(p.peekAll('participant.joined').map((m) => m.participant.userId)).not.toContain(eve.id);
  });

  it('an admin is refused like a stranger unless the practice lets admins join', async () => {
    const { admin, room, appointment } = await inWindow();
    expect(await answer('GET', `/api/rooms/${room.code}`, admin)).toBe('404 ROOM_NOT_FOUND');
    expect(await answer('POST', `/api/rooms/${room.id}/join`, admin, {})).toBe(
      '404 ROOM_NOT_FOUND',
    );
    expect(await socketJoin(await b.connect(admin), room.id)).toBe('ROOM_NOT_FOUND');
    const no = await b.api('POST', `/api/appointments/${appointment.id}/room`, admin);
    expect(outcome(no)).toBe('403 APPOINTMENT_NOT_JOINABLE');
    expect(no.body.error).toMatchObject({ details: { reason: 'NOT_A_PARTICIPANT' } });

    // Where the practice allows it, the admin gets the same room and walks in.
    const l = await inWindow(lenient);
    const p = await lenient.connect(l.provider);
    await p.join(l.room.id);
    const same = await lenient.api('POST', `/api/appointments/${l.appointment.id}/room`, l.admin);
    expect(same.body.room).toEqual(l.room);
    const rest = await lenient.api('POST', `/api/rooms/${l.room.code}/join`, l.admin, {});
    expect(rest.body).toMatchObject({ status: 'approved', isHost: false });
    expect(await socketJoin(await lenient.connect(l.admin), l.room.id)).toBe('joined');
    const seen = await p.next('participant.joined', {
      match: (m) => m.participant.userId === l.admin.id,
    });
    expect(seen.participant.userId).toBe(l.admin.id);
  });

  it('the parties join inside the window over REST and the socket, with no lobby, and see each other', async () => {
    const { provider, client, room } = await inWindow();
    for (const who of [provider, client]) {
      const res = await b.api('POST', `/api/rooms/${room.code}/join`, who, {});
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({
        status: 'approved',
        isHost: false,
        room: { kind: 'appointment' },
      });
    }
    const p = await b.connect(provider);
    const c = await b.connect(client);
    expect((await p.join(room.id)).room.kind).toBe('appointment');
    const joined = await c.join(room.id);
    expect(joined.participants.map((x) => x.userId)).toContain(provider.id);
    const seen = await p.next('participant.joined', {
      match: (m) => m.participant.userId === client.id,
    });
    expect(seen.participant.userId).toBe(client.id);
  });

  it('parties holding a seat are refused outside the window, with the reason, at REST join and socket room.join', async () => {
    const refusals = async (
      server: AppointmentsServer,
      who: Person,
      room: Room,
      reason: string,
    ): Promise<void> => {
      // Looking at it is fine; entering is what the window decides.
      expect((await server.api('GET', `/api/rooms/${room.code}`, who)).status).toBe(200);
      const rest = await server.api('POST', `/api/rooms/${room.code}/join`, who, {});
      expect([reason, outcome(rest)]).toEqual([reason, '403 APPOINTMENT_NOT_JOINABLE']);
      expect(rest.body.error).toMatchObject({ details: { reason } });
      expect([reason, await socketJoin(await server.connect(who), room.id)]).toEqual([
        reason,
        'APPOINTMENT_NOT_JOINABLE',
      ]);
    };

    // Unpaid (refunded after the room was made).
    const unpaid = await inWindow();
    await b.pay(unpaid.admin, unpaid.appointment.id, 'refunded');
    await refusals(b, unpaid.client, unpaid.room, 'NOT_PAID');
    await refusals(b, unpaid.provider, unpaid.room, 'NOT_PAID');
    expect((await seats(b, unpaid.room.id)).map((s) => s.status)).toEqual(['approved', 'approved']);

    // Unconfirmed (put back to scheduled behind the API's back: no route does that).
    const unconfirmed = await inWindow();
    await b.db
      .updateTable('appointments')
      .set({ status: 'scheduled' })
      .where('id', '=', unconfirmed.appointment.id)
      .execute();
    await refusals(b, unconfirmed.client, unconfirmed.room, 'NOT_CONFIRMED');

    // (Too early cannot happen to a seat: a room exists only inside the window, and a
    // reschedule closes it — see the next test.)

    // Too late: the window has closed (the upkeep that would close the room is off here).
    const late = await inWindow();
    b.clock.set(new Date(Date.parse(late.appointment.closesAt) + 1));
    await refusals(b, late.provider, late.room, 'TOO_LATE');
  });

  it('a reschedule closes the room opened early (its sockets get room.closed), clears who had joined, and the new window gets a new room', async () => {
    const early = await inWindow(b, { inMs: 4 * MINUTE });
    const p = await b.connect(early.provider);
    await p.join(early.room.id);
    const evidence = () =>
      b.db
        .selectFrom('appointments')
        .select(['room_id', 'provider_joined_at', 'client_joined_at', 'call_started_at'])
        .where('id', '=', early.appointment.id)
        .executeTakeFirstOrThrow();
    // The provider's arrival was recorded: without the reset it would count for the new time.
    expect((await evidence()).provider_joined_at).not.toBeNull();

    const res = await b.api(
      'POST',
      `/api/appointments/${early.appointment.id}/reschedule`,
      early.provider,
      { startsAt: b.at(12 * MINUTE) },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const moved = res.body.appointment as Appointment;
    expect(moved).toMatchObject({ status: 'confirmed', room: null });

    const closed = await p.next('room.closed', { match: (m) => m.roomId === early.room.id });
    expect(closed.reason).toBe('ended');
    const oldRoom = await b.db
      .selectFrom('rooms')
      .select('status')
      .where('id', '=', early.room.id)
      .executeTakeFirstOrThrow();
    expect(oldRoom.status).toBe('closed');
    expect(await evidence()).toEqual({
      room_id: null,
      provider_joined_at: null,
      client_joined_at: null,
      call_started_at: null,
    });
    // The old room is nobody's way in any more.
    expect(await socketJoin(await b.connect(early.client), early.room.id)).not.toBe('joined');

    // Before the new window: refused; inside it, a new room for the new time.
    const tooEarly = await b.api('POST', `/api/appointments/${moved.id}/room`, early.client);
    expect(tooEarly.body.error).toMatchObject({ details: { reason: 'TOO_EARLY' } });
    b.clock.set(new Date(Date.parse(moved.opensAt)));
    const again = await b.api('POST', `/api/appointments/${moved.id}/room`, early.client);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const room = again.body.room as Room;
    expect(room.id).not.toBe(early.room.id);
    expect(await socketJoin(await b.connect(early.client), room.id)).toBe('joined');
  });

  it('nobody moderates it and no invite can be made: the parties get 403 NOT_HOST', async () => {
    const { provider, client, room } = await inWindow();
    for (const who of [provider, client]) {
      const other = who === provider ? client : provider;
      const moderation: [Method, string, unknown?][] = [
        ['PATCH', `/api/rooms/${room.id}`, { locked: false }],
        ['DELETE', `/api/rooms/${room.id}`],
        ['POST', `/api/rooms/${room.id}/invites`, { expiresInMinutes: 10 }],
        ...(['admit', 'deny', 'kick', 'promote'] as const).map(
          (a) =>
            ['POST', `/api/rooms/${room.id}/participants/${other.id}/${a}`] as [Method, string],
        ),
      ];
      for (const [m, url, body] of moderation) {
        expect([m, url, await answer(m, url, who, body)]).toEqual([m, url, '403 NOT_HOST']);
      }
    }
    const row = await b.db
      .selectFrom('rooms')
      .select(['status', 'locked'])
      .where('id', '=', room.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'open', locked: 1 });
    expect(
      await b.db
        .selectFrom('room_invites')
        .select('room_id')
        .where('room_id', '=', room.id)
        .execute(),
    ).toEqual([]);
  });
});
