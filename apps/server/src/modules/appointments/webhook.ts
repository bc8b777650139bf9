import { PAYMENT_WEBHOOK, PaymentWebhookEvent } from '@parley/protocol';
import type { PaymentEventType, PaymentStatus, PaymentWebhookResponse } from '@parley/protocol';
import { Errors } from '../../platform/errors.js';
import { parsePlainJson } from '../../platform/plain-json.js';
import type { RequestContext } from '../../platform/request-context.js';
import type { AppointmentsContext } from './context.js';
import { AppointmentErrors, WebhookErrors } from './errors.js';
import { applyPayment } from './payments.js';
import { verifySignature } from './signature.js';

export type WebhookRequest = {
  /** The body exactly as received: the signature covers these bytes. */
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** Who sent it, for the audit entries of what it changes. */
  origin: RequestContext;
  /** Told the event once it is signed and valid, so the caller can log its id. */
  seen?: (event: PaymentWebhookEvent) => void;
};

/**
 * The only moves an event makes, from the statuses it may follow; anything else (late,
 * out of order, repeated) leaves the status as it is. `payment.failed` never changes
 * one: pending stays pending (the client may try again), and a late failure of an
 * earlier attempt must not undo a payment. An admin's change (applyPayment) is free.
 */
const MOVES: Record<
  PaymentEventType,
  { from: readonly PaymentStatus[]; to: PaymentStatus } | null
> = {
  'payment.succeeded': { from: ['pending', 'refunded'], to: 'paid' },
  'payment.refunded': { from: ['paid'], to: 'refunded' },
  'payment.waived': { from: ['pending'], to: 'waived' },
  'payment.failed': null,
};

/**
 * `POST /api/webhooks/payments`: signature, then timestamp, then JSON, then one
 * transaction that records the event id (each accepted once: the primary key decides
 * between concurrent deliveries) and applies it. An event about an unknown appointment
 * is refused (404) without being recorded, so the provider's corrected retry of the
 * same id can still succeed. An event that changes nothing (see MOVES) is recorded and
 * answered with the current status.
 */
export function createPaymentWebhook(
  ctx: AppointmentsContext,
): (req: WebhookRequest) => Promise<PaymentWebhookResponse> {
  return async function receive(req: WebhookRequest): Promise<PaymentWebhookResponse> {
    const secret = ctx.webhookSecret;
    if (!secret) throw WebhookErrors.notConfigured();
    const verdict = verifySignature(secret, req.rawBody, req.headers, ctx.clock.now().getTime());
    if (verdict === 'bad-signature') throw WebhookErrors.badSignature();
    if (verdict === 'stale') throw WebhookErrors.stale(PAYMENT_WEBHOOK.toleranceSeconds);

    // Only signed bytes are parsed: an unsigned body never reaches the JSON parser.
    const parsed = parsePlainJson(req.rawBody.toString('utf8'));
    if (!parsed.ok) throw Errors.validation({ body: [parsed.reason] });
    const result = PaymentWebhookEvent.safeParse(parsed.value);
    if (!result.success) {
      const fields: Record<string, string[]> = {};
      for (const issue of result.error.issues) {
        (fields[issue.path.map(String).join('.') || 'body'] ??= []).push(issue.message);
      }
      throw Errors.validation(fields);
    }
    const event = result.data;
    req.seen?.(event);

    const at = ctx.now();
    const { to, changed } = await ctx.transaction(req.origin, async (trx) => {
      const inserted = await trx
        .insertInto('payment_events')
        .values({
          id: event.id,
          appointment_id: event.appointmentId,
          type: event.type,
          received_at: at,
        })
        // A concurrent duplicate waits for the first one's commit (PostgreSQL) or its turn
        // (SQLite), then inserts nothing: a replay.
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if ((inserted.numInsertedOrUpdatedRows ?? 0n) === 0n) throw WebhookErrors.replayed(event.id);
      const row = await ctx.repo.find(trx, event.appointmentId, { lock: true });
      // Thrown inside the transaction: the event id is not kept.
      if (!row) throw AppointmentErrors.notFound();
      const move = MOVES[event.type];
      if (!move || !move.from.includes(row.payment_status)) {
        return { to: row.payment_status, changed: false };
      }
      const changed = await applyPayment(ctx, trx, row, move.to, {
        source: 'webhook',
        eventId: event.id,
        eventType: event.type,
      });
      return { to: move.to, changed };
    });
    if (changed) await ctx.notify(event.appointmentId);
    return { received: true, paymentStatus: to };
  };
}
