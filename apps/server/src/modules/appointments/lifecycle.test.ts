import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects } from '../../test/harness.js';
import type { TestClient } from '../signaling/test-client.js';
import { joinWindow } from './rules.js';
import { AppointmentsServer, FAKE_EPOCH, isoAt, leave } from './test-appointments.js';
import type { Party } from './test-appointments.js';
import { SYSTEM_CONTEXT } from '../../platform/request-context.js';

// An appointment's life after booking, as the server measures it: the call starts when
// provider and client are first in the room together (real sockets, the server's fake
// clock), ends when both parties left for the grace (whoever else stays) or when the
// window closes, and one that never started is a no-show. Every time asserted is the
// fake clock's; the app's upkeep timer never fires here, only the tests' `tick()`.

const MINUTE = 60_000;
const GRACE_MS = 120_000;
const WINDOW = { opensBeforeMs: 15 * MINUTE, closesAfterMs: 120 * MINUTE };

describe.each(dialects)('the appointment lifecycle on %s', (dialect) => {
  let a: AppointmentsServer;
  beforeAll(async () => {
    a = await AppointmentsServer.start(dialect, {
      appointments: {
        ...WINDOW,
        adminsMayJoin: true,
        emptyGraceMs: GRACE_MS,
        upkeepIntervalMs: 3_600_000,
      },
    });
  });
  afterEach(async () => {
    await a.closeClients();
  });
  afterAll(async () => {
    await a.close();
  });

  /** A confirmed, paid appointment starting in 5 minutes, with its room; fresh people. */
  async function booked(durationMinutes = 50) {
    const { provider, client, admin, stranger } = await a.people();
    const startsAt = new Date(a.clock.now().getTime() + 5 * MINUTE);
    const id = await a.book({ provider, client, startsAt, durationMinutes });
    const roomId = await a.openRoom(id);
    const { closesAt } = joinWindow(startsAt.getTime(), durationMinutes, WINDOW);
    return { id, roomId, provider, client, admin, stranger, startsAt, closesAt };
  }

  const kinds = async (id: string) => (await a.history(id)).map((e) => e.kind);
  const updated = (c: TestClient, id: string, status: string) =>
    c.next('appointment.updated', {
      match: (m) => m.appointment.id === id && m.appointment.status === status,
    });

  it('duration is measured by the server from real joins and leaves (fake time), and a reconnect does not restart it', async () => {
    const { id, roomId, provider, client } = await booked();
    const pSock = await a.connect(provider); // outside the call: hears the changes
    const p = await a.enter(provider, roomId);
    // One party alone does not start the call; their arrival is kept.
    let row = await a.row(id);
    expect(row).toMatchObject({ status: 'confirmed', call_started_at: null });
    expect(row.provider_joined_at).toBe(a.clock.now().toISOString());

    await a.advance(30_000, [
      [provider, p],
      [provider, pSock],
    ]);
    const T = a.clock.now().toISOString();
    let c = await a.enter(client, roomId);
    row = await a.row(id);
    expect(row).toMatchObject({ status: 'in_progress', call_started_at: T, client_joined_at: T });
    // The server's (fake) clock, nothing a device or the real time could have supplied.
    expect(new Date(T).getUTCFullYear()).toBe(FAKE_EPOCH.getUTCFullYear());
    expect(Math.abs(Date.parse(T) - Date.now())).toBeGreaterThan(365 * 24 * 60 * MINUTE);
    expect((await updated(pSock, id, 'in_progress')).appointment.callStartedAt).toBe(T);

    // The client's connection drops and comes back 10 minutes in: the clock keeps running.
    await a.advance(10 * MINUTE, [
      [provider, p],
      [provider, pSock],
      [client, c],
    ]);
    await c.terminate();
    c = await a.enter(client, roomId);
    row = await a.row(id);
    expect(row).toMatchObject({ status: 'in_progress', call_started_at: T });
    expect((await kinds(id)).filter((k) => k === 'started')).toHaveLength(1);

    // Both leave 40 minutes after the start.
    await a.advance(30 * MINUTE, [
      [provider, p],
      [provider, pSock],
      [client, c],
    ]);
    await leave(p);
    await leave(c);
    const leftAt = isoAt(T, 40 * MINUTE);
    expect((await a.room(roomId)).empty_since).toBe(leftAt);
    expect((await a.row(id)).parties_absent_since).toBe(leftAt);

    // Not before the grace: they may come back.
    await a.advance(GRACE_MS - 1, [[provider, pSock]]);
    await a.tick();
    expect((await a.row(id)).status).toBe('in_progress');

    await a.advance(1);
    await a.tick();
    row = await a.row(id);
    expect(row).toMatchObject({
      status: 'completed',
      call_started_at: T,
      call_ended_at: leftAt,
      call_duration_seconds: 2400,
    });
    const done = await updated(pSock, id, 'completed');
    expect(done.appointment).toMatchObject({ callDurationSeconds: 2400, callDurationMinutes: 40 });
    expect((await a.history(id)).at(-1)).toMatchObject({
      kind: 'completed',
      actor_id: null,
      details: { reason: 'everyone-left' },
    });
    expect(await a.room(roomId)).toMatchObject({ status: 'closed', close_reason: 'ended' });
  });

  it('an admin in the room counts for neither party: the call needs both of them', async () => {
    const { id, roomId, provider, client, admin } = await booked();
    const attendance = a.services.appointments.attendance;
    await attendance.entered(roomId, [admin.id], SYSTEM_CONTEXT);
    expect(await a.row(id)).toMatchObject({ provider_joined_at: null, client_joined_at: null });
    await attendance.entered(roomId, [provider.id, admin.id], SYSTEM_CONTEXT);
    expect(await a.row(id)).toMatchObject({ status: 'confirmed', call_started_at: null });
    await attendance.entered(roomId, [provider.id, admin.id, client.id], SYSTEM_CONTEXT);
    expect((await a.row(id)).status).toBe('in_progress');
  });

  it('marks no_show at closesAt + 1 ms and not at closesAt, recording that nobody joined', async () => {
    const { provider, client } = await a.people();
    const startsAt = new Date(a.clock.now().getTime() + 5 * MINUTE);
    const confirmed = await a.book({ provider, client, startsAt, durationMinutes: 50 });
    // Never confirmed, never paid: the same end.
    const scheduled = await a.book({
      provider,
      client,
      startsAt: new Date(startsAt.getTime() + 60 * MINUTE),
      durationMinutes: 30,
      status: 'scheduled',
      paymentStatus: 'pending',
    });
    const closesAt = joinWindow(startsAt.getTime(), 50, WINDOW).closesAt;

    await a.until(closesAt);
    await a.tick();
    expect((await a.row(confirmed)).status).toBe('confirmed');

    await a.advance(1);
    await a.tick();
    expect((await a.row(confirmed)).status).toBe('no_show');
    expect((await a.history(confirmed)).at(-1)).toMatchObject({
      kind: 'no_show',
      actor_id: null,
      at: isoAt(closesAt, 1),
      details: { providerJoined: false, clientJoined: false },
    });
    // The later one's window is still open.
    expect((await a.row(scheduled)).status).toBe('scheduled');
    await a.until(joinWindow(startsAt.getTime() + 60 * MINUTE, 30, WINDOW).closesAt + 1);
    await a.tick();
    expect((await a.row(scheduled)).status).toBe('no_show');
  });

  it('marks no_show when only the client came, says so, and closes the room on them', async () => {
    const { id, roomId, client, closesAt } = await booked();
    const c = await a.enter(client, roomId);
    expect((await a.row(id)).status).toBe('confirmed');

    await a.until(closesAt, [[client, c]]);
    await a.tick();
    expect((await a.row(id)).status).toBe('confirmed');
    await a.advance(1);
    await a.tick();

    expect((await a.row(id)).status).toBe('no_show');
    expect((await a.history(id)).at(-1)).toMatchObject({
      kind: 'no_show',
      details: { providerJoined: false, clientJoined: true },
    });
    expect(await c.next('room.closed')).toMatchObject({ roomId, reason: 'expired' });
    expect(await a.room(roomId)).toMatchObject({ status: 'closed', close_reason: 'expired' });
  });

  it('completes a call still running when the window closes at closesAt, closes the room for everyone, and refuses a later join', async () => {
    const { id, roomId, provider, client, closesAt } = await booked();
    const p = await a.enter(provider, roomId);
    const c = await a.enter(client, roomId);
    const T = a.clock.now().toISOString();
    expect((await a.row(id)).call_started_at).toBe(T);

    const both: [Party, TestClient][] = [
      [provider, p],
      [client, c],
    ];
    await a.until(closesAt, both);
    await a.tick();
    expect((await a.row(id)).status).toBe('in_progress');

    await a.advance(1, both);
    await a.tick();
    expect(await a.row(id)).toMatchObject({
      status: 'completed',
      call_ended_at: new Date(closesAt).toISOString(),
      call_duration_seconds: Math.floor((closesAt - Date.parse(T)) / 1000),
    });
    expect((await a.history(id)).at(-1)).toMatchObject({
      kind: 'completed',
      details: { reason: 'window-closed' },
    });
    for (const who of [p, c]) {
      expect(await who.next('room.closed')).toMatchObject({ roomId, reason: 'expired' });
    }
    expect(await a.room(roomId)).toMatchObject({ status: 'closed', close_reason: 'expired' });

    await a.renew(client);
    const again = await a.api('POST', `/api/rooms/${roomId}/join`, client, {});
    expect(again.status).toBe(403);
    expect(again.body.error).toMatchObject({
      code: 'APPOINTMENT_NOT_JOINABLE',
      details: { reason: 'ENDED' },
    });
  });

  it('ends the call when the room emptied, if everyone left shortly before the window closed', async () => {
    const { id, roomId, provider, client, closesAt } = await booked();
    const p = await a.enter(provider, roomId);
    const c = await a.enter(client, roomId);
    const both: [Party, TestClient][] = [
      [provider, p],
      [client, c],
    ];
    await a.until(closesAt - 30_000, both);
    await leave(p);
    await leave(c);
    await a.advance(30_001); // window closed, grace not over: the close decides, at the emptying
    await a.tick();
    expect(await a.row(id)).toMatchObject({
      status: 'completed',
      call_ended_at: new Date(closesAt - 30_000).toISOString(),
    });
  });

  it('two upkeep passes at once complete a call exactly once', async () => {
    const { id, roomId, provider, client } = await booked();
    const p = await a.enter(provider, roomId);
    const c = await a.enter(client, roomId);
    await leave(p);
    await leave(c);
    await a.advance(GRACE_MS);
    await Promise.all([a.tick(), a.tick(), a.tick()]);
    expect((await a.row(id)).status).toBe('completed');
    expect((await kinds(id)).filter((k) => k === 'completed')).toHaveLength(1);
  });

  it('two upkeep passes at once mark a no-show exactly once', async () => {
    const { id, closesAt } = await booked();
    await a.until(closesAt + 1);
    await Promise.all([a.tick(), a.tick(), a.tick()]);
    expect((await a.row(id)).status).toBe('no_show');
    expect((await kinds(id)).filter((k) => k === 'no_show')).toHaveLength(1);
  });

  it('ends the session when both parties left, even while an admin stays: completed after the grace, measured up to their departure, the room closed for the admin too', async () => {
    const { id, roomId, provider, client, admin } = await booked();
    const p = await a.enter(provider, roomId);
    const c = await a.enter(client, roomId);
    const T = a.clock.now().toISOString();
    const m = await a.enter(admin, roomId);
    const all: [Party, TestClient][] = [
      [provider, p],
      [client, c],
      [admin, m],
    ];
    await a.advance(20 * MINUTE, all);
    await leave(p);
    expect((await a.row(id)).parties_absent_since).toBeNull(); // the client is still there
    await leave(c);
    const leftAt = isoAt(T, 20 * MINUTE);
    expect((await a.row(id)).parties_absent_since).toBe(leftAt);
    // The admin keeps the room occupied: the room's own clock says nobody left.
    expect((await a.room(roomId)).empty_since).toBeNull();

    await a.advance(GRACE_MS - 1, [[admin, m]]);
    await a.tick();
    expect((await a.row(id)).status).toBe('in_progress');
    await a.advance(1, [[admin, m]]);
    await a.tick();
    expect(await a.row(id)).toMatchObject({
      status: 'completed',
      call_started_at: T,
      call_ended_at: leftAt,
      call_duration_seconds: 20 * 60,
    });
    expect(await m.next('room.closed')).toMatchObject({ roomId, reason: 'ended' });
    expect(await a.room(roomId)).toMatchObject({ status: 'closed', close_reason: 'ended' });
  });

  it('a party back within the grace keeps the call going from its first start; it ends at the last departure', async () => {
    const { id, roomId, provider, client } = await booked();
    const p = await a.enter(provider, roomId);
    let c = await a.enter(client, roomId);
    const T = a.clock.now().toISOString();
    await leave(p);
    await leave(c);
    expect((await a.row(id)).parties_absent_since).toBe(T);

    await a.advance(GRACE_MS - 1);
    c = await a.enter(client, roomId);
    expect(await a.row(id)).toMatchObject({
      status: 'in_progress',
      call_started_at: T,
      parties_absent_since: null,
    });
    await a.advance(GRACE_MS, [[client, c]]);
    await a.tick(); // the first absence is over: it does not count
    expect((await a.row(id)).status).toBe('in_progress');

    const lastLeft = a.clock.now().toISOString();
    await leave(c);
    await a.advance(GRACE_MS);
    await a.tick();
    expect(await a.row(id)).toMatchObject({
      status: 'completed',
      call_started_at: T,
      call_ended_at: lastLeft,
      call_duration_seconds: Math.floor((Date.parse(lastLeft) - Date.parse(T)) / 1000),
    });
    expect((await kinds(id)).filter((k) => k === 'started')).toHaveLength(1);
  });

  it('closes the rooms of finished appointments still open: ended for completed and cancelled, expired for no_show', async () => {
    const finished = [
      ['completed', 'ended'],
      ['cancelled', 'ended'],
      ['no_show', 'expired'],
    ] as const;
    const rooms: string[] = [];
    for (const [status] of finished) {
      const { id, roomId } = await booked();
      // As if the change committed and its room close was lost.
      await a.db.updateTable('appointments').set({ status }).where('id', '=', id).execute();
      rooms.push(roomId);
    }
    // An appointment still running keeps its room.
    const open = await booked();
    await a.tick();
    for (const [i, [status, reason]] of finished.entries()) {
      expect(await a.room(rooms[i] ?? ''), status).toMatchObject({
        status: 'closed',
        close_reason: reason,
      });
    }
    expect((await a.room(open.roomId)).status).toBe('open');
  });

  it('retries a room close that failed after completion on the next pass', async () => {
    const { id, roomId, provider, client } = await booked();
    const p = await a.enter(provider, roomId);
    const c = await a.enter(client, roomId);
    await leave(p);
    await leave(c);
    await a.advance(GRACE_MS);
    // The completion's close and the same pass's retry both fail.
    const close = vi
      .spyOn(a.services.rooms.appointment, 'close')
      .mockRejectedValueOnce(new Error('rooms unavailable'))
      .mockRejectedValueOnce(new Error('rooms unavailable'));
    await expect(a.tick()).rejects.toThrow('rooms unavailable');
    expect((await a.row(id)).status).toBe('completed');
    expect((await a.room(roomId)).status).toBe('open');

    await a.tick();
    expect(close).toHaveBeenCalledTimes(3);
    expect(await a.room(roomId)).toMatchObject({ status: 'closed', close_reason: 'ended' });
  });
});
