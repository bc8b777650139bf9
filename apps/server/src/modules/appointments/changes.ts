import type {
  Appointment,
  AppointmentRole,
  CancelAppointmentBody,
  SetPaymentBody,
  User,
} from '@parley/protocol';
import { Errors } from '../../platform/errors.js';
import type { RequestContext } from '../../platform/request-context.js';
import { requireMember } from './booking.js';
import type { AppointmentsContext } from './context.js';
import { AppointmentErrors } from './errors.js';
import { applyPayment } from './payments.js';
import type { AppointmentRow, Trx } from './repo.js';
import { toAppointment } from './views.js';

// The changes a person asks for: confirm, cancel, set the payment status. Each is one
// transaction over the locked row; only after its commit are the parties told.

const isAdmin = (u: User) => u.role === 'admin' && !u.isGuest;

export function createChanges(ctx: AppointmentsContext) {
  const { repo } = ctx;

  /**
   * Runs `change` on the row, locked, if `actor` may see it; notifies the parties after
   * the commit when it changed something; answers with the actor's view.
   */
  async function change(
    actor: User,
    id: string,
    check: (role: AppointmentRole) => void,
    apply: (trx: Trx, row: AppointmentRow) => Promise<boolean>,
    origin: RequestContext,
  ): Promise<Appointment> {
    requireMember(actor);
    const { role } = await ctx.visible(id, actor);
    check(role);
    const { row, changed } = await ctx.transaction(origin, async (trx) => {
      const locked = await repo.find(trx, id, { lock: true });
      if (!locked) throw AppointmentErrors.notFound();
      const changed = await apply(trx, locked);
      return { row: (await repo.find(trx, id))!, changed };
    });
    if (changed) await ctx.notify(id);
    return toAppointment(row, role, ctx.window);
  }

  return {
    /** The provider (or an admin) confirms a scheduled appointment. */
    confirm: (actor: User, id: string, origin: RequestContext) =>
      change(
        actor,
        id,
        (role) => {
          if (role === 'client') throw Errors.forbidden('Only the provider can confirm.');
        },
        async (trx, row) => {
          if (row.status !== 'scheduled') throw AppointmentErrors.invalidState(row.status);
          const at = ctx.now();
          await repo.transition(trx, row.id, ['scheduled'], {
            status: 'confirmed',
            updated_at: at,
          });
          await ctx.record(trx, row.id, 'confirmed', { at, actorId: actor.id });
          return true;
        },
        origin,
      ),

    /** Either party (or an admin) calls it off, with a reason, before it starts. */
    async cancel(
      actor: User,
      id: string,
      body: CancelAppointmentBody,
      origin: RequestContext,
    ): Promise<Appointment> {
      // Set inside the transaction; a holder, so the compiler does not narrow it to null.
      const opened: { roomId: string | null } = { roomId: null };
      const answer = await change(
        actor,
        id,
        () => undefined,
        async (trx, row) => {
          if (row.status !== 'scheduled' && row.status !== 'confirmed')
            throw AppointmentErrors.invalidState(row.status);
          if (Date.parse(row.starts_at) <= ctx.clock.now().getTime())
            throw AppointmentErrors.invalidState(
              row.status,
              'The appointment has started; it can no longer be cancelled.',
            );
          const at = ctx.now();
          await repo.transition(trx, row.id, ['scheduled', 'confirmed'], {
            status: 'cancelled',
            cancelled_at: at,
            cancelled_by: actor.id,
            cancel_reason: body.reason,
            updated_at: at,
          });
          await ctx.record(trx, row.id, 'cancelled', {
            at,
            actorId: actor.id,
            details: { reason: body.reason },
          });
          opened.roomId = row.room_id;
          return true;
        },
        origin,
      );
      // A room opened early (inside the window, before the start) goes with it.
      const room = opened.roomId;
      if (room) {
        await ctx.afterCommit('room close', () => ctx.rooms.close(room, 'ended', actor.id, origin));
      }
      return answer;
    },

    /** An admin sets the payment status (the webhook is the provider's way). */
    setPayment: (actor: User, id: string, body: SetPaymentBody, origin: RequestContext) =>
      change(
        actor,
        id,
        () => {
          if (!isAdmin(actor)) throw Errors.forbidden('Only admins can set the payment status.');
        },
        (trx, row) =>
          applyPayment(ctx, trx, row, body.paymentStatus, { source: 'admin', actorId: actor.id }),
        origin,
      ),
  };
}
