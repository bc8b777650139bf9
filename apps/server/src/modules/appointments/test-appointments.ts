import { randomUUID } from 'node:crypto';
import { PAYMENT_WEBHOOK } from '@parley/protocol';
import type { Appointment, AppointmentStatus, PaymentStatus } from '@parley/protocol';
import { expect, vi } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import type { Config } from '../../platform/config.js';
import { newAccount, testConfig } from '../../test/harness.js';
import type { Dialect } from '../../test/harness.js';
import type { TestClient } from '../signaling/test-client.js';
import { SignalingServer } from '../signaling/test-server.js';
import type { Person } from '../signaling/test-server.js';
import { signPayload } from './signature.js';

// Test support for the appointment lifecycle suites: the real app listening on a random
// port, REST by inject, real sockets, and a ManualClock for every time the server reads.
// Appointments are inserted straight into the database (any status, any time), so these
// suites do not depend on the booking routes. The app's own upkeep timer is set an hour
// apart (real time) unless a suite asks otherwise: only the tests' explicit `tick()`
// moves an appointment on, at the fake instant they chose.

/** A person who can renew their access token: the fake clock outruns its 15 minutes. */
export type Party = Person & { refreshToken: string };
export type Reply = { status: number; body: Record<string, unknown> };

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
/** Far from the real date, so a value taken from Date.now() could never pass for it. */
export const FAKE_EPOCH = new Date('2031-03-03T09:00:00.000Z');
export const MINUTE = 60_000;
/** Sockets' tokens are renewed at least this often while the fake clock moves. */
const RENEW_EVERY_MS = 10 * MINUTE;
/** The app's upkeep timer (real time): far beyond any test, so only `tick()` runs it. */
const UPKEEP_NEVER_MS = 3_600_000;

export type Booking = {
  provider: Party;
  client: Party;
  /** Default: 5 minutes from now. */
  startsAt?: Date;
  durationMinutes?: number;
  status?: AppointmentStatus;
  paymentStatus?: PaymentStatus;
};

export class AppointmentsServer {
  private constructor(
    readonly s: SignalingServer,
    readonly clock: ManualClock,
  ) {}

  static async start(dialect: Dialect, config: Partial<Config> = {}): Promise<AppointmentsServer> {
    const clock = new ManualClock(FAKE_EPOCH);
    const appointments = {
      ...testConfig().appointments,
      upkeepIntervalMs: UPKEEP_NEVER_MS,
      ...config.appointments,
    };
    return new AppointmentsServer(
      await SignalingServer.start({ ...config, appointments }, { dialect, clock }),
      clock,
    );
  }

  get db() {
    return this.s.t.db.db;
  }

  get services() {
    return this.s.t.services;
  }

  api(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    who?: Person,
    body?: unknown,
  ): Promise<Reply> {
    return this.s.api(method, url, who, body);
  }

  async member(prefix = 'member'): Promise<Party> {
    const res = await this.api('POST', '/api/auth/register', undefined, newAccount(prefix));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return toParty(res.body);
  }

  /** A member promoted in the database (each request reads the role afresh). */
  async admin(): Promise<Party> {
    const a = await this.member('admin');
    await this.db.updateTable('users').set({ role: 'admin' }).where('id', '=', a.id).execute();
    return a;
  }

  /** A member an admin made a provider through the admin route. */
  async provider(admin?: Person, prefix = 'provider'): Promise<Party> {
    const by = admin ?? (await this.admin());
    const p = await this.member(prefix);
    const res = await this.api('PATCH', `/api/admin/users/${p.id}`, by, { role: 'provider' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return p;
  }

  /** Everyone a lifecycle test needs. */
  async people(): Promise<{ admin: Party; provider: Party; client: Party; stranger: Party }> {
    const admin = await this.admin();
    return {
      admin,
      provider: await this.provider(admin),
      client: await this.member('client'),
      stranger: await this.member('stranger'),
    };
  }

  /**
   * Inserts an appointment straight into the database, as it would be at that point of its
   * life (any status, any time), so lifecycle suites do not depend on the booking routes.
   */
  book(b: Booking): Promise<string> {
    return insertAppointment(this.db, this.clock, b);
  }

  guest(): Promise<Person> {
    return this.s.guest();
  }

  /** An ISO instant `ms` from the server's now. */
  at(ms: number): string {
    return new Date(this.clock.now().getTime() + ms).toISOString();
  }

  /** POST /api/appointments as `provider`, expecting 201 (the booking route itself). */
  async bookViaApi(
    provider: Person,
    client: Person,
    opts: { inMs?: number; durationMinutes?: number; title?: string; notes?: string } = {},
  ): Promise<Appointment> {
    const res = await this.api('POST', '/api/appointments', provider, {
      clientId: client.id,
      startsAt: this.at(opts.inMs ?? 60 * MINUTE),
      durationMinutes: opts.durationMinutes ?? 5,
      title: opts.title ?? 'Session',
      ...(opts.notes !== undefined ? { notes: opts.notes } : {}),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.appointment as Appointment;
  }

  /** `who` does `action` to the appointment, expecting 200. */
  async did(who: Person, id: string, action: 'confirm' | 'cancel', body?: unknown) {
    const res = await this.api('POST', `/api/appointments/${id}/${action}`, who, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.appointment as Appointment;
  }

  /** PUT /api/appointments/:id/payment as an admin, expecting 200. */
  async pay(admin: Person, id: string, paymentStatus = 'paid'): Promise<Appointment> {
    const res = await this.api('PUT', `/api/appointments/${id}/payment`, admin, { paymentStatus });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.appointment as Appointment;
  }

  /** Booked, confirmed and paid through the API: joinable once its window opens. */
  async ready(
    admin: Person,
    provider: Person,
    client: Person,
    opts: { inMs?: number; durationMinutes?: number } = {},
  ): Promise<Appointment> {
    const a = await this.bookViaApi(provider, client, opts);
    await this.did(provider, a.id, 'confirm');
    return this.pay(admin, a.id);
  }

  /** Opens the appointment's private room (as the booking's room route does); its id. */
  async openRoom(appointmentId: string): Promise<string> {
    const row = await this.row(appointmentId);
    const at = this.clock.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const room = await this.services.rooms.appointment.open(trx, {
        providerId: row.provider_id,
        clientId: row.client_id,
        name: row.title,
        at,
        maxParticipants: 3,
      });
      await trx
        .updateTable('appointments')
        .set({ room_id: room.id })
        .where('id', '=', appointmentId)
        .execute();
      return room.id;
    });
  }

  /** REST join, then a socket in the call. */
  async enter(who: Party, roomId: string): Promise<TestClient> {
    const res = await this.api('POST', `/api/rooms/${roomId}/join`, who, {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return this.s.inRoom(who, roomId);
  }

  /** A new access token for `who`, issued at the fake now (the old one lives 15 minutes). */
  async renew(who: Party): Promise<void> {
    const res = await this.api('POST', '/api/auth/refresh', undefined, {
      refreshToken: who.refreshToken,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const tokens = res.body.tokens as { accessToken: string; refreshToken: string };
    who.token = tokens.accessToken;
    who.refreshToken = tokens.refreshToken;
  }

  /**
   * Moves the fake clock by `ms` in steps, renewing every given socket's token (and its
   * person's) before each step, so no socket is closed for an expired token meanwhile.
   */
  async advance(ms: number, sockets: [Party, TestClient][] = []): Promise<void> {
    let left = ms;
    while (left > 0) {
      for (const [who, socket] of sockets) {
        await this.renew(who);
        const reply = await socket.request({ type: 'auth.refresh', token: who.token });
        expect(reply.type).toBe('auth.refreshed');
      }
      const step = Math.min(left, RENEW_EVERY_MS);
      this.clock.advance(step);
      left -= step;
    }
  }

  /** Sets the fake clock to `at` (forward only), renewing as `advance` does. */
  async until(at: Date | number, sockets: [Party, TestClient][] = []): Promise<void> {
    const ms = new Date(at).getTime() - this.clock.now().getTime();
    if (ms < 0) throw new Error('the fake clock only moves forward in these tests');
    await this.advance(ms, sockets);
  }

  /** POST /api/webhooks/payments with `payload` signed as a provider would (overridable). */
  async webhook(
    payload: string | Record<string, unknown>,
    opts: {
      secret?: string;
      /** Unix seconds; default: the fake now. */
      timestamp?: string | number;
      signature?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Reply> {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const timestamp = String(opts.timestamp ?? Math.floor(this.clock.now().getTime() / 1000));
    const signature =
      opts.signature ?? `v1=${signPayload(opts.secret ?? WEBHOOK_SECRET, timestamp, body)}`;
    const res = await this.s.t.app.inject({
      method: 'POST',
      url: '/api/webhooks/payments',
      headers: {
        'content-type': 'application/json',
        [PAYMENT_WEBHOOK.timestampHeader]: timestamp,
        [PAYMENT_WEBHOOK.signatureHeader]: signature,
        ...opts.headers,
      },
      payload: body,
    });
    return { status: res.statusCode, body: res.body ? res.json<Record<string, unknown>>() : {} };
  }

  /** One pass of the appointments' upkeep, now, on the fake clock. */
  tick(): Promise<void> {
    return this.services.appointments.tick();
  }

  /** The stored row: what survives the messages. */
  row(id: string) {
    return this.db
      .selectFrom('appointments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  /** The history, oldest first, details parsed. */
  async history(id: string) {
    const rows = await this.db
      .selectFrom('appointment_events')
      .selectAll()
      .where('appointment_id', '=', id)
      .orderBy('at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  }

  room(roomId: string) {
    return this.db
      .selectFrom('rooms')
      .select(['status', 'close_reason', 'empty_since'])
      .where('id', '=', roomId)
      .executeTakeFirstOrThrow();
  }

  connect(who: Person): Promise<TestClient> {
    return this.s.connect(who);
  }

  async closeClients(): Promise<void> {
    vi.restoreAllMocks();
    await this.s.closeClients();
  }

  close(): Promise<void> {
    return this.s.close();
  }
}

function toParty(body: Record<string, unknown>): Party {
  const user = body.user as { id: string; displayName: string };
  const tokens = body.tokens as { accessToken: string; refreshToken: string };
  return {
    id: user.id,
    displayName: user.displayName,
    token: tokens.accessToken,
    refreshToken: tokens.refreshToken,
  };
}

/** Every message written to `c` before this resolves has been handled (one socket is ordered). */
export async function flush(c: TestClient): Promise<void> {
  const reply = await c.request({ type: 'ping' });
  expect(reply.type).toBe('pong');
}

/** `room.leave`, handled (the departure is done) when this resolves. */
export async function leave(c: TestClient): Promise<void> {
  c.send({ type: 'room.leave' });
  await flush(c);
}

export const isoAt = (from: Date | string | number, ms = 0) =>
  new Date(new Date(from).getTime() + ms).toISOString();

/** `404 APPOINTMENT_NOT_FOUND`-style summary of a reply. */
export function outcome(res: Reply): string {
  const code = (res.body.error as { code?: string } | undefined)?.code;
  return code ? `${res.status} ${code}` : String(res.status);
}

/**
 * A window of 5 min before to 5 min after the start for the booking suites: every test
 * fits in an access token's 15 minutes of fake time without renewing.
 */
export const SHORT_WINDOW: Partial<Config> = {
  appointments: {
    ...testConfig().appointments,
    opensBeforeMs: 5 * MINUTE,
    closesAfterMs: 5 * MINUTE,
    upkeepIntervalMs: UPKEEP_NEVER_MS,
  },
};

/** An appointment row as booked (see `AppointmentsServer.book`); other suites seed with it too. */
export async function insertAppointment(
  db: Db,
  clock: Clock,
  b: { provider: { id: string }; client: { id: string } } & Omit<Booking, 'provider' | 'client'>,
): Promise<string> {
  const id = randomUUID();
  const now = clock.now().toISOString();
  const startsAt = b.startsAt ?? new Date(clock.now().getTime() + 5 * MINUTE);
  const durationMinutes = b.durationMinutes ?? 50;
  await db
    .insertInto('appointments')
    .values({
      id,
      provider_id: b.provider.id,
      client_id: b.client.id,
      created_by: b.provider.id,
      title: 'Session',
      notes: null,
      starts_at: startsAt.toISOString(),
      ends_at: new Date(startsAt.getTime() + durationMinutes * MINUTE).toISOString(),
      duration_minutes: durationMinutes,
      status: b.status ?? 'confirmed',
      payment_status: b.paymentStatus ?? 'paid',
      room_id: null,
      cancelled_at: null,
      cancelled_by: null,
      cancel_reason: null,
      call_started_at: null,
      call_ended_at: null,
      call_duration_seconds: null,
      provider_joined_at: null,
      client_joined_at: null,
      parties_absent_since: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}
