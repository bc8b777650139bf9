import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { PAYMENT_WEBHOOK } from '@parley/protocol';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../../platform/http-errors.js';
import { registerJsonBody } from '../../platform/json-body.js';
import { dialects, testApp } from '../../test/harness.js';
import { signPayload, verifySignature } from './signature.js';
import { AppointmentsServer, WEBHOOK_SECRET } from './test-appointments.js';
import type { Party } from './test-appointments.js';
import { paymentWebhookRoutes } from './webhook-routes.js';

// The payment provider's webhook: HMAC over the raw body, a timestamp within 5 minutes
// of the server's (fake) clock, each event id applied once, and every refusal changing
// nothing and logged.

const SECRET = 'whsec-unit-0123456789';
const T = 1_900_000_000; // unix seconds
const BODY = Buffer.from('{"id":"evt_1","type":"payment.succeeded","appointmentId":"x"}');
const sig = (body: Buffer | string = BODY, ts = String(T), secret = SECRET) =>
  `v1=${signPayload(secret, ts, body)}`;
/** Null leaves that header out. */
const headers = (signature: string | null, ts: string | null = String(T)) => ({
  ...(ts !== null ? { [PAYMENT_WEBHOOK.timestampHeader]: ts } : {}),
  ...(signature !== null ? { [PAYMENT_WEBHOOK.signatureHeader]: signature } : {}),
});
const verify = (h: Record<string, string | string[] | undefined>, body = BODY, nowMs = T * 1000) =>
  verifySignature(SECRET, body, h, nowMs);

describe('the webhook signature', () => {
  it('accepts the HMAC-SHA256 of "<timestamp>.<raw body>" under the shared secret', () => {
    expect(verify(headers(sig()))).toBe('ok');
  });

  it('refuses a signature made with another secret', () => {
    expect(verify(headers(sig(BODY, String(T), 'another-secret')))).toBe('bad-signature');
  });

  it('refuses a body changed after signing, even by one byte or only in its whitespace', () => {
    const tampered = Buffer.from(BODY.toString().replace('succeeded', 'refunded'));
    expect(verify(headers(sig()), tampered)).toBe('bad-signature');
    expect(verify(headers(sig()), Buffer.from(` ${BODY.toString()}`))).toBe('bad-signature');
  });

  it('refuses a timestamp changed after signing (the timestamp is signed too)', () => {
    expect(verify(headers(sig(), String(T + 1)))).toBe('bad-signature');
  });

  it('refuses a request without the signature or without the timestamp header', () => {
    expect(verify(headers(null))).toBe('bad-signature');
    expect(verify(headers(sig(), null))).toBe('bad-signature');
    expect(verify({})).toBe('bad-signature');
  });

  it('refuses malformed headers: no v1 scheme, not hex, a cut digest, a timestamp not in digits, a header sent twice', () => {
    const good = sig().slice(3);
    expect(verify(headers(good))).toBe('bad-signature'); // no "v1="
    expect(verify(headers(`v0=${good}`))).toBe('bad-signature');
    expect(verify(headers(`v1=${good.slice(0, 62)}zz`))).toBe('bad-signature');
    expect(verify(headers(`v1=${good.slice(0, 32)}`))).toBe('bad-signature');
    expect(verify(headers(`v1=${good}00`))).toBe('bad-signature');
    expect(verify(headers(sig(BODY, `${T}.0`), `${T}.0`))).toBe('bad-signature');
    expect(verify(headers(sig(BODY, `-${T}`), `-${T}`))).toBe('bad-signature');
    expect(verify(headers(sig(BODY, ''), ''))).toBe('bad-signature');
    expect(
      verify({
        [PAYMENT_WEBHOOK.timestampHeader]: String(T),
        [PAYMENT_WEBHOOK.signatureHeader]: [sig(), sig()],
      }),
    ).toBe('bad-signature');
  });

  it('accepts any matching v1 entry among several (secret rotation), and none when none matches', () => {
    const old = sig(BODY, String(T), 'the-old-secret');
    expect(verify(headers(`${old}, ${sig()}`))).toBe('ok');
    expect(verify(headers(`${sig()},${old}`))).toBe('ok');
    expect(verify(headers(`v0=abc, ${sig()}`))).toBe('ok');
    expect(verify(headers(`${old}, ${sig(BODY, String(T), 'another')}`))).toBe('bad-signature');
  });

  it(`is stale only beyond ${PAYMENT_WEBHOOK.toleranceSeconds} s either way, both edges accepted, after the signature check`, () => {
    const tol = PAYMENT_WEBHOOK.toleranceSeconds * 1000;
    const h = headers(sig());
    expect(verify(h, BODY, T * 1000 + tol)).toBe('ok');
    expect(verify(h, BODY, T * 1000 + tol + 1)).toBe('stale');
    expect(verify(h, BODY, T * 1000 - tol)).toBe('ok');
    expect(verify(h, BODY, T * 1000 - tol - 1)).toBe('stale');
    // A forged stale request is a bad signature: the clock check tells a forger nothing.
    expect(verify(headers(sig(BODY, String(T), 'x')), BODY, T * 1000 + tol + 1)).toBe(
      'bad-signature',
    );
  });
});

describe.each(dialects)('POST /api/webhooks/payments on %s', (dialect) => {
  let a: AppointmentsServer;
  let provider: Party;
  let client: Party;
  beforeAll(async () => {
    a = await AppointmentsServer.start(dialect);
    ({ provider, client } = await a.people());
  });
  afterEach(async () => {
    await a.closeClients();
  });
  afterAll(async () => {
    await a.close();
  });

  const event = (
    appointmentId: string,
    type = 'payment.succeeded',
    id = `evt_${randomUUID()}`,
  ) => ({
    id,
    type,
    appointmentId,
  });
  const pending = () => a.book({ provider, client, paymentStatus: 'pending' });
  const received = (id: string) =>
    a.db.selectFrom('payment_events').selectAll().where('id', '=', id).execute();
  const payments = async (appointmentId: string) =>
    (await a.history(appointmentId)).filter((e) => e.kind === 'payment');
  /** The appointment is as booked: still pending, no history, the event not kept. */
  async function unchanged(appointmentId: string, eventId: string): Promise<void> {
    expect((await a.row(appointmentId)).payment_status).toBe('pending');
    expect(await payments(appointmentId)).toEqual([]);
    expect(await received(eventId)).toEqual([]);
  }

  it('applies a well-signed event once, records it in the history, and tells both parties', async () => {
    const id = await pending();
    const [p, c] = [await a.connect(provider), await a.connect(client)];
    const e = event(id);
    const res = await a.webhook(e);
    expect(res).toEqual({ status: 200, body: { received: true, paymentStatus: 'paid' } });
    const row = await a.row(id);
    expect(row.payment_status).toBe('paid');
    expect(row.updated_at).toBe(a.clock.now().toISOString());
    expect(await payments(id)).toMatchObject([
      {
        actor_id: null,
        at: a.clock.now().toISOString(),
        details: {
          from: 'pending',
          to: 'paid',
          source: 'webhook',
          eventId: e.id,
          eventType: e.type,
        },
      },
    ]);
    expect(await received(e.id)).toHaveLength(1);
    for (const who of [p, c]) {
      const msg = await who.next('appointment.updated', {
        match: (m) => m.appointment.id === id,
      });
      expect(msg.appointment.paymentStatus).toBe('paid');
    }
  });

  /** Delivers each event in turn; each answer is 200 with the status it leaves. */
  async function deliver(id: string, steps: (readonly [string, string])[]): Promise<void> {
    for (const [type, status] of steps) {
      const e = event(id, type);
      const res = await a.webhook(e);
      expect(res, type).toEqual({ status: 200, body: { received: true, paymentStatus: status } });
      expect((await a.row(id)).payment_status, type).toBe(status);
      // Kept even when it changed nothing: the same delivery again is a replay.
      expect(await received(e.id), type).toHaveLength(1);
    }
  }
  const moves = async (id: string) =>
    (await payments(id)).map((e) => [e.details.from, e.details.to]);

  it('applies only forward moves: succeeded pending|refunded → paid, refunded paid → refunded, waived pending → waived; a no-op is kept but adds no history', async () => {
    const id = await pending();
    await deliver(id, [
      ['payment.failed', 'pending'],
      ['payment.succeeded', 'paid'],
      ['payment.succeeded', 'paid'],
      ['payment.refunded', 'refunded'],
      ['payment.refunded', 'refunded'],
      ['payment.succeeded', 'paid'],
    ]);
    expect(await moves(id)).toEqual([
      ['pending', 'paid'],
      ['paid', 'refunded'],
      ['refunded', 'paid'],
    ]);
    const waived = await pending();
    await deliver(waived, [
      ['payment.waived', 'waived'],
      ['payment.succeeded', 'waived'],
      ['payment.refunded', 'waived'],
    ]);
    expect(await moves(waived)).toEqual([['pending', 'waived']]);
  });

  it('a late payment.failed never undoes a payment: succeeded then failed stays paid', async () => {
    const id = await pending();
    await deliver(id, [
      ['payment.succeeded', 'paid'],
      ['payment.failed', 'paid'],
    ]);
    expect(await moves(id)).toEqual([['pending', 'paid']]);
  });

  it('a refund delivered before its payment leaves it pending, and the payment then makes it paid', async () => {
    const id = await pending();
    await deliver(id, [
      ['payment.refunded', 'pending'],
      ['payment.succeeded', 'paid'],
    ]);
    expect(await moves(id)).toEqual([['pending', 'paid']]);
  });

  it('a waiver after a payment leaves it paid', async () => {
    const id = await pending();
    await deliver(id, [
      ['payment.succeeded', 'paid'],
      ['payment.waived', 'paid'],
    ]);
    expect(await moves(id)).toEqual([['pending', 'paid']]);
  });

  it('an admin may still set any payment status, backwards too', async () => {
    const id = await pending();
    await deliver(id, [['payment.succeeded', 'paid']]);
    const admin = await a.admin();
    const res = await a.api('PUT', `/api/appointments/${id}/payment`, admin, {
      paymentStatus: 'pending',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await a.row(id)).payment_status).toBe('pending');
  });

  it('refuses a bad signature with 401 WEBHOOK_SIGNATURE_INVALID and changes nothing', async () => {
    const id = await pending();
    const e = event(id);
    const body = JSON.stringify(e);
    const tries = [
      await a.webhook(e, { secret: 'not-the-secret' }),
      await a.webhook(body.replace('succeeded', 'waived'), {
        signature: `v1=${signPayload(WEBHOOK_SECRET, String(Math.floor(a.clock.now().getTime() / 1000)), body)}`,
      }),
      await a.webhook(e, { signature: '' }),
      await a.webhook(e, { signature: 'v1=nothex' }),
      await a.webhook(e, { timestamp: 'yesterday' }),
    ];
    for (const res of tries) {
      expect(res.status).toBe(401);
      expect((res.body.error as { code: string }).code).toBe('WEBHOOK_SIGNATURE_INVALID');
    }
    // Without the headers at all.
    const bare = await a.s.t.app.inject({
      method: 'POST',
      url: '/api/webhooks/payments',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(bare.statusCode).toBe(401);
    expect(bare.json<{ error: { code: string } }>().error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    await unchanged(id, e.id);
    // The same event, signed properly afterwards, still goes through: refusals kept nothing.
    expect((await a.webhook(e)).status).toBe(200);
  });

  it('a bearer token gives no rights: an admin without a signature is refused like anyone', async () => {
    const id = await pending();
    const e = event(id);
    const admin = await a.admin();
    const res = await a.api('POST', '/api/webhooks/payments', admin, e);
    expect(res.status).toBe(401);
    expect((res.body.error as { code: string }).code).toBe('WEBHOOK_SIGNATURE_INVALID');
    await unchanged(id, e.id);
  });

  it('accepts timestamps exactly 5 minutes old or ahead and refuses 1 ms beyond either edge (401 WEBHOOK_TIMESTAMP_STALE)', async () => {
    const tol = PAYMENT_WEBHOOK.toleranceSeconds;
    // A whole second on the fake clock, so the edges fall on exact milliseconds.
    const B = Math.ceil(a.clock.now().getTime() / 1000) + 1;
    a.clock.set(new Date(B * 1000));
    const stale = async (timestamp: number) => {
      const id = await pending();
      const e = event(id);
      const res = await a.webhook(e, { timestamp });
      expect(res.status, `timestamp ${timestamp - B} s`).toBe(401);
      expect((res.body.error as { code: string }).code).toBe('WEBHOOK_TIMESTAMP_STALE');
      await unchanged(id, e.id);
    };
    const fine = async (timestamp: number) => {
      const res = await a.webhook(event(await pending()), { timestamp });
      expect(res.status, `timestamp ${timestamp - B} s`).toBe(200);
    };
    await fine(B - tol);
    await fine(B + tol);
    await stale(B - tol - 1);
    await stale(B + tol + 1);
    a.clock.advance(1); // now = B s + 1 ms: B − 300 s is 300.001 s old
    await stale(B - tol);
    a.clock.set(new Date((B + 1) * 1000 - 1)); // now = B + 1 s − 1 ms: B + 301 s is 300.001 s ahead
    await stale(B + 1 + tol);
    a.clock.advance(1);
    await fine(B + 1 + tol);
  });

  it('refuses a replay of an accepted event id with 409 WEBHOOK_REPLAYED, changing nothing', async () => {
    const id = await pending();
    const e = event(id);
    expect((await a.webhook(e)).status).toBe(200);
    a.clock.advance(60_000);
    const again = await a.webhook(e);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'WEBHOOK_REPLAYED',
      details: { eventId: e.id },
    });
    // The same id with another type is the same event: refused, the status stays paid.
    const twisted = await a.webhook({ ...e, type: 'payment.refunded' });
    expect(twisted.status).toBe(409);
    expect((await a.row(id)).payment_status).toBe('paid');
    expect(await payments(id)).toHaveLength(1);
    expect(await received(e.id)).toHaveLength(1);
  });

  it('applies an event delivered several times at once exactly once', async () => {
    const id = await pending();
    const e = event(id, 'payment.waived');
    const answers = await Promise.all(Array.from({ length: 5 }, () => a.webhook(e)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect((await a.row(id)).payment_status).toBe('waived');
    expect(await payments(id)).toHaveLength(1);
    expect(await received(e.id)).toHaveLength(1);
  });

  it('answers 404 for an unknown appointment without keeping the event id, so a corrected retry succeeds', async () => {
    const e = event(randomUUID());
    const res = await a.webhook(e);
    expect(res.status).toBe(404);
    expect((res.body.error as { code: string }).code).toBe('APPOINTMENT_NOT_FOUND');
    expect(await received(e.id)).toEqual([]);
    const id = await pending();
    expect((await a.webhook({ ...e, appointmentId: id })).status).toBe(200);
    expect((await a.row(id)).payment_status).toBe('paid');
  });

  it('parses the body only after a good signature: bad JSON or a bad event is 400 when signed, 401 when not', async () => {
    const id = await pending();
    const cases: [string, string][] = [
      ['not json', '{"id":'],
      [
        'duplicate keys',
        `{"id":"evt_d","id":"evt_e","type":"payment.succeeded","appointmentId":"${id}"}`,
      ],
      [
        'a poisoned key',
        `{"__proto__":{},"id":"evt_p","type":"payment.succeeded","appointmentId":"${id}"}`,
      ],
      [
        'an unknown type',
        JSON.stringify({ id: 'evt_t', type: 'payment.stolen', appointmentId: id }),
      ],
      ['an extra field', JSON.stringify({ ...event(id), paymentStatus: 'paid' })],
      ['no id', JSON.stringify({ type: 'payment.succeeded', appointmentId: id })],
      ['an empty body', ''],
    ];
    for (const [what, body] of cases) {
      const signed = await a.webhook(body);
      expect(signed.status, what).toBe(400);
      expect((signed.body.error as { code: string }).code, what).toBe('VALIDATION_FAILED');
      const forged = await a.webhook(body, { secret: 'wrong' });
      expect(forged.status, what).toBe(401);
    }
    expect((await a.row(id)).payment_status).toBe('pending');
    expect(await payments(id)).toEqual([]);
  });

  it('reads its raw body in its own scope: other routes keep the app-wide JSON guard', async () => {
    const res = await a.s.t.app.inject({
      method: 'POST',
      url: '/api/auth/guest',
      headers: { 'content-type': 'application/json' },
      payload: '{"displayName":"a","displayName":"b"}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('INVALID_JSON');
  });

  it('is documented in OpenAPI: the event body, every answer, and no bearer security', async () => {
    const doc = (await a.s.t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, Record<string, unknown>>>;
    }>();
    const op = doc.paths['/api/webhooks/payments']?.post;
    expect(op).toMatchObject({ tags: ['webhooks'] });
    expect(op).not.toHaveProperty('security');
    expect(JSON.stringify(op?.requestBody)).toContain('PaymentWebhookEvent');
    expect(Object.keys(op?.responses as object).sort()).toEqual(
      ['200', '400', '401', '404', '409', '503'].sort(),
    );
    expect(String(op?.description)).toContain(PAYMENT_WEBHOOK.signatureHeader);
  });

  it('refuses a body over 64 KiB before reading it (413)', async () => {
    const res = await a.webhook(`{"pad":"${'x'.repeat(64 * 1024)}"}`);
    expect(res.status).toBe(413);
  });

  it('answers 503 WEBHOOK_NOT_CONFIGURED when the server has no secret', async () => {
    const t = await testApp({ dialect, config: { paymentWebhookSecret: undefined } });
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/webhooks/payments',
        headers: {
          'content-type': 'application/json',
          [PAYMENT_WEBHOOK.timestampHeader]: String(T),
          [PAYMENT_WEBHOOK.signatureHeader]: sig(),
        },
        payload: BODY,
      });
      expect(res.statusCode).toBe(503);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('WEBHOOK_NOT_CONFIGURED');
    } finally {
      await t.close();
    }
  });

  it('logs every refusal (code, event id once signed, sender) and each acceptance, never the signature', async () => {
    // The test app logs nothing; the same routes and service behind a logger we can read.
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const app = Fastify({ logger: { level: 'info', stream } }) as unknown as FastifyInstance;
    registerJsonBody(app);
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    registerErrorHandling(app);
    await app.register(paymentWebhookRoutes({ appointments: a.services.appointments }), {
      prefix: '/api',
    });
    await app.ready();
    try {
      const id = await pending();
      const e = event(id);
      const body = JSON.stringify(e);
      const ts = String(Math.floor(a.clock.now().getTime() / 1000));
      const send = (signature: string) =>
        app.inject({
          method: 'POST',
          url: '/api/webhooks/payments',
          headers: {
            'content-type': 'application/json',
            [PAYMENT_WEBHOOK.timestampHeader]: ts,
            [PAYMENT_WEBHOOK.signatureHeader]: signature,
          },
          payload: body,
        });
      const good = `v1=${signPayload(WEBHOOK_SECRET, ts, body)}`;
      const forged = `v1=${signPayload('forged', ts, body)}`;
      expect((await send(forged)).statusCode).toBe(401);
      expect((await send(good)).statusCode).toBe(200);
      expect((await send(good)).statusCode).toBe(409);
      // Refused by Fastify before the handler runs: still logged, once.
      const text = await app.inject({
        method: 'POST',
        url: '/api/webhooks/payments',
        headers: { 'content-type': 'application/xml' },
        payload: body,
      });
      expect(text.statusCode).toBe(415);
      const big = await app.inject({
        method: 'POST',
        url: '/api/webhooks/payments',
        headers: { 'content-type': 'application/json' },
        payload: `{"pad":"${'x'.repeat(64 * 1024)}"}`,
      });
      expect(big.statusCode).toBe(413);

      const refused = lines.filter((l) => l.msg === 'payment webhook refused');
      expect(refused).toMatchObject([
        { level: 40, statusCode: 401, code: 'WEBHOOK_SIGNATURE_INVALID', ip: '127.0.0.1' },
        { level: 40, statusCode: 409, code: 'WEBHOOK_REPLAYED', eventId: e.id, ip: '127.0.0.1' },
        { level: 40, statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', ip: '127.0.0.1' },
        { level: 40, statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', ip: '127.0.0.1' },
      ]);
      expect(refused[0]).not.toHaveProperty('eventId'); // unsigned: its claims are not repeated
      expect(lines.filter((l) => l.msg === 'payment webhook accepted')).toMatchObject([
        { level: 30, eventId: e.id, paymentStatus: 'paid' },
      ]);
      const all = JSON.stringify(lines);
      for (const secret of [good.slice(3), forged.slice(3), WEBHOOK_SECRET]) {
        expect(all).not.toContain(secret);
      }
    } finally {
      await app.close();
    }
  });
});
