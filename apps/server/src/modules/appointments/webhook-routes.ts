import { PAYMENT_WEBHOOK, PaymentWebhookEvent, PaymentWebhookResponse } from '@parley/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../../platform/audit.js';
import { noAudit } from '../../platform/audit.js';
import { callerOf } from '../../platform/auth/hook.js';
import { AppError } from '../../platform/errors.js';
import { errorResponses } from '../../platform/http-errors.js';
import type { AppointmentsService } from './service.js';

/** A payment event is a few hundred bytes; the app's limit, stated for this route. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

const DESCRIPTION = [
  'Called by the payment provider, not by users: no bearer token, the signature is the authentication.',
  `Headers: \`${PAYMENT_WEBHOOK.timestampHeader}\` (unix seconds) and \`${PAYMENT_WEBHOOK.signatureHeader}\`:`,
  '`v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body bytes>")>`, several `v1=` entries separated by',
  'commas while a secret is rotated (any match passes). The body (`PaymentWebhookEvent`:',
  '`{id, type, appointmentId}`) is parsed only after the signature is checked, over the exact bytes received.',
  `Errors: 401 WEBHOOK_SIGNATURE_INVALID (headers missing, malformed or wrong), 401 WEBHOOK_TIMESTAMP_STALE`,
  `(more than ${PAYMENT_WEBHOOK.toleranceSeconds} s from the server clock), 400 VALIDATION_FAILED (signed, but`,
  'not a valid event), 404 APPOINTMENT_NOT_FOUND (the event is not kept: a corrected retry may reuse its id),',
  '409 WEBHOOK_REPLAYED (this event id was already accepted; nothing changed), 503 WEBHOOK_NOT_CONFIGURED.',
  'Every refusal is logged. Only forward moves apply: payment.succeeded pending|refunded → paid,',
  'payment.refunded paid → refunded, payment.waived pending → waived; payment.failed never changes',
  'the status. Any other event (late, out of order) changes nothing: 200 with the current status,',
  'and its id is kept like any accepted event.',
].join(' ');

/**
 * `POST /api/webhooks/payments`. The signature covers the raw bytes, so this route gets
 * its own scope whose JSON parser hands the handler a Buffer; every other route keeps
 * the app's parser (platform/json-body.ts).
 */
export function paymentWebhookRoutes(deps: {
  appointments: AppointmentsService;
  /** Every refusal is audited (`webhook.refused`). */
  audit?: AuditLog;
}) {
  const audit = deps.audit ?? noAudit;
  return function register(app: FastifyInstance): void {
    void app.register((scope, _opts, done) => {
      // Refusals the handler never saw (wrong content type, too large, …) are logged here;
      // those it logged itself are not logged twice.
      const loggedByHandler = new WeakSet<FastifyRequest>();
      const errorCode = new WeakMap<FastifyRequest, string>();
      // The event a refused request carried, once its signature was checked.
      const signedEvent = new WeakMap<FastifyRequest, PaymentWebhookEvent>();
      scope.addHook('onError', async (req, _reply, err) => {
        if (err.code) errorCode.set(req, err.code);
      });
      // Every refusal is audited once, whoever refused it (the parser, the limit, the
      // handler), before the answer leaves. The reason, never the signature: the event is
      // named only once it was signed.
      scope.addHook('onSend', async (req, reply, payload) => {
        if (reply.statusCode < 300) return payload;
        const event = signedEvent.get(req);
        await audit.record({
          type: 'webhook.refused',
          actorId: null,
          ...(event ? { targetType: 'appointment', targetId: event.appointmentId } : {}),
          details: {
            statusCode: reply.statusCode,
            code: errorCode.get(req) ?? null,
            ...(event ? { eventId: event.id, eventType: event.type } : {}),
          },
          origin: callerOf(req),
        });
        return payload;
      });
      scope.addHook('onResponse', async (req, reply) => {
        if (reply.statusCode < 300 || loggedByHandler.has(req)) return;
        const code = errorCode.get(req);
        req.log.warn(
          { statusCode: reply.statusCode, ...(code ? { code } : {}), ip: req.ip },
          'payment webhook refused',
        );
      });
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser(
        'application/json',
        { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
        (_req, body, next) => next(null, body),
      );

      scope.post('/webhooks/payments', {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        schema: {
          tags: ['webhooks'],
          summary: 'Payment provider webhook: sets an appointment’s payment status',
          description: DESCRIPTION,
          // Documented only: the handler parses the body itself after the signature check.
          body: PaymentWebhookEvent,
          response: { 200: PaymentWebhookResponse, ...errorResponses(400, 401, 404, 409, 503) },
        },
        // The body stays the raw Buffer (the schema above is for the docs).
        validatorCompiler: () => (data: unknown) => ({ value: data }),
        handler: async (req) => {
          let eventId: string | undefined;
          try {
            const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
            const res = await deps.appointments.paymentWebhook({
              rawBody,
              headers: req.headers,
              origin: callerOf(req),
              seen: (event) => {
                eventId = event.id;
                signedEvent.set(req, event);
              },
            });
            req.log.info(
              { eventId, paymentStatus: res.paymentStatus, ip: req.ip },
              'payment webhook accepted',
            );
            return res;
          } catch (err) {
            // Never the secret nor the signature: the code, the event (once signed), the sender.
            if (err instanceof AppError) {
              loggedByHandler.add(req);
              req.log.warn(
                {
                  statusCode: err.status,
                  code: err.code,
                  ...(eventId ? { eventId } : {}),
                  ip: req.ip,
                },
                'payment webhook refused',
              );
            }
            throw err;
          }
        },
      });
      done();
    });
  };
}
