import type { PaymentStatus } from '@parley/protocol';
import type { AppointmentsContext } from './context.js';
import type { AppointmentRow, Trx } from './repo.js';

/** Who changed a payment status: an admin through the API, or the provider's webhook. */
export type PaymentSource =
  { source: 'admin'; actorId: string } | { source: 'webhook'; eventId: string; eventType: string };

/**
 * Sets the payment status of `row` inside `trx` and records a `payment` history line
 * (from, to, source). False (nothing written) when it already had that status.
 * The caller notifies the parties after the commit.
 */
export async function applyPayment(
  ctx: AppointmentsContext,
  trx: Trx,
  row: AppointmentRow,
  to: PaymentStatus,
  by: PaymentSource,
): Promise<boolean> {
  const from = row.payment_status;
  if (from === to) return false;
  const at = ctx.now();
  // Conditional on the status the caller read (and locked): the history's `from` is true.
  const r = await trx
    .updateTable('appointments')
    .set({ payment_status: to, updated_at: at })
    .where('id', '=', row.id)
    .where('payment_status', '=', from)
    .executeTakeFirst();
  if (r.numUpdatedRows === 0n) return false;
  await ctx.record(trx, row.id, 'payment', {
    at,
    actorId: by.source === 'admin' ? by.actorId : null,
    details:
      by.source === 'admin'
        ? { from, to, source: 'admin' }
        : { from, to, source: 'webhook', eventId: by.eventId, eventType: by.eventType },
  });
  return true;
}
