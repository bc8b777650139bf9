import { randomUUID } from 'node:crypto';
import { APPOINTMENT_LIMITS } from '@parley/protocol';
import type {
  Appointment,
  CreateAppointmentBody,
  RescheduleAppointmentBody,
  User,
} from '@parley/protocol';
import { Errors } from '../../platform/errors.js';
import type { RequestContext } from '../../platform/request-context.js';
import type { AppointmentsContext } from './context.js';
import { AppointmentErrors } from './errors.js';
import type { Trx } from './repo.js';
import { iso } from './time.js';
import { toAppointment } from './views.js';

// Booking and rebooking: who may, when, and that nobody is booked twice at once.

/** Guests have no appointments: every route refuses them (the routes check first). */
export function requireMember(actor: User): void {
  if (actor.isGuest) throw Errors.forbidden('Guests cannot use appointments.');
}

const isStaff = (u: { role: string; isGuest: boolean }) =>
  !u.isGuest && (u.role === 'provider' || u.role === 'admin');

export function createBooking(ctx: AppointmentsContext) {
  const { repo } = ctx;

  /** The booked slot as stored: a future start within the booking horizon. */
  function slot(startsAt: string, durationMinutes: number) {
    const start = Date.parse(startsAt);
    const now = ctx.clock.now().getTime();
    if (start <= now) throw AppointmentErrors.inPast('startsAt');
    const days = APPOINTMENT_LIMITS.maxAdvanceDays;
    if (start > now + days * 86_400_000) throw AppointmentErrors.tooFarAhead('startsAt', days);
    return {
      starts_at: iso(start),
      ends_at: iso(start + durationMinutes * 60_000),
      duration_minutes: durationMinutes,
    };
  }

  /**
   * Refuses a slot that overlaps an open appointment of the provider or the client
   * (either side of it). Under the people's locks, so two bookings cannot both pass.
   */
  async function ensureFree(
    trx: Trx,
    people: { providerId: string; clientId: string },
    s: { starts_at: string; ends_at: string },
    exceptId?: string,
  ): Promise<void> {
    const ids = [people.providerId, people.clientId];
    await repo.lockPeople(trx, ids);
    const clash = await repo.overlapping(trx, ids, s.starts_at, s.ends_at, exceptId);
    if (!clash) return;
    const providerBusy =
      clash.provider_id === people.providerId || clash.client_id === people.providerId;
    throw AppointmentErrors.conflict(providerBusy ? 'provider' : 'client', clash.id);
  }

  /** The provider of a new booking: the actor, or (admins only) the one they name. */
  async function providerFor(actor: User, body: CreateAppointmentBody): Promise<string> {
    if (!isStaff(actor)) throw AppointmentErrors.providersOnly();
    if (body.providerId === undefined || body.providerId === actor.id) return actor.id;
    if (actor.role !== 'admin')
      throw Errors.forbidden('Only admins can book for another provider.');
    const provider = await ctx.people.find(body.providerId);
    if (!provider) throw AppointmentErrors.userNotFound('providerId');
    if (!isStaff(provider))
      throw Errors.validation({ providerId: ['Must be a provider or an admin'] });
    return provider.id;
  }

  async function clientFor(clientId: string, providerId: string): Promise<string> {
    if (clientId === providerId)
      throw AppointmentErrors.invalidClient('The provider cannot be their own client.');
    // Disabled accounts are not found: they cannot be booked.
    const client = await ctx.people.find(clientId);
    if (!client) throw AppointmentErrors.userNotFound('clientId');
    if (client.isGuest) throw AppointmentErrors.invalidClient('Guests cannot be booked.');
    return client.id;
  }

  return {
    async create(
      actor: User,
      body: CreateAppointmentBody,
      origin: RequestContext,
    ): Promise<Appointment> {
      requireMember(actor);
      const providerId = await providerFor(actor, body);
      const clientId = await clientFor(body.clientId, providerId);
      const s = slot(body.startsAt, body.durationMinutes);
      const at = ctx.now();
      const id = randomUUID();
      const row = await ctx.transaction(origin, async (trx) => {
        await ensureFree(trx, { providerId, clientId }, s);
        await repo.insert(trx, {
          id,
          provider_id: providerId,
          client_id: clientId,
          created_by: actor.id,
          title: body.title,
          notes: body.notes ?? null,
          ...s,
          status: 'scheduled',
          payment_status: 'pending',
          room_id: null,
          cancelled_at: null,
          cancelled_by: null,
          cancel_reason: null,
          call_started_at: null,
          call_ended_at: null,
          call_duration_seconds: null,
          provider_joined_at: null,
          client_joined_at: null,
          created_at: at,
          updated_at: at,
        });
        await ctx.record(trx, id, 'created', {
          at,
          actorId: actor.id,
          details: { startsAt: s.starts_at, endsAt: s.ends_at },
        });
        return (await repo.find(trx, id))!;
      });
      await ctx.notify(id);
      return toAppointment(row, row.provider_id === actor.id ? 'provider' : 'admin', ctx.window);
    },

    /** A new time (the provider or an admin), before the booked start; the status stays. */
    async reschedule(
      actor: User,
      id: string,
      body: RescheduleAppointmentBody,
      origin: RequestContext,
    ): Promise<Appointment> {
      requireMember(actor);
      const { role } = await ctx.visible(id, actor);
      if (role === 'client') throw Errors.forbidden('Only the provider can reschedule.');
      const moved = await ctx.transaction(origin, async (trx) => {
        // Read again under the row lock: a concurrent change is either in or waits.
        const before = await repo.find(trx, id, { lock: true });
        if (!before) throw AppointmentErrors.notFound();
        if (before.status !== 'scheduled' && before.status !== 'confirmed')
          throw AppointmentErrors.invalidState(before.status);
        if (Date.parse(before.starts_at) <= ctx.clock.now().getTime())
          throw AppointmentErrors.invalidState(
            before.status,
            'The appointment has started; it can no longer be rescheduled.',
          );
        const s = slot(body.startsAt, body.durationMinutes ?? before.duration_minutes);
        await ensureFree(
          trx,
          { providerId: before.provider_id, clientId: before.client_id },
          s,
          id,
        );
        const at = ctx.now();
        // A room opened early (inside the old window) belongs to the old time: it is
        // detached here and closed after the commit, and who had joined it no longer counts
        // for the no-show check of the new time.
        await repo.transition(trx, id, ['scheduled', 'confirmed'], {
          ...s,
          room_id: null,
          provider_joined_at: null,
          client_joined_at: null,
          call_started_at: null,
          call_ended_at: null,
          call_duration_seconds: null,
          updated_at: at,
        });
        await ctx.record(trx, id, 'rescheduled', {
          at,
          actorId: actor.id,
          details: {
            from: { startsAt: before.starts_at, endsAt: before.ends_at },
            to: { startsAt: s.starts_at, endsAt: s.ends_at },
          },
        });
        return { after: (await repo.find(trx, id))!, oldRoom: before.room_id };
      });
      const { after, oldRoom } = moved;
      if (oldRoom)
        await ctx.afterCommit('room close', () =>
          ctx.rooms.close(oldRoom, 'ended', actor.id, origin),
        );
      await ctx.notify(id);
      return toAppointment(after, role, ctx.window);
    },
  };
}
