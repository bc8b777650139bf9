import { createHmac, timingSafeEqual } from 'node:crypto';
import { PAYMENT_WEBHOOK } from '@parley/protocol';

// The payment webhook's signature (PROTOCOL.md §8):
//   x-parley-timestamp: <unix seconds>
//   x-parley-signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body bytes>")>[, v1=…]
// Several `v1=` entries may be sent while the provider rotates its secret; any match passes.

export type SignatureVerdict = 'ok' | 'bad-signature' | 'stale';

/** More entries than a rotation needs are refused: each one costs an HMAC compare. */
const MAX_ENTRIES = 8;
const TIMESTAMP = /^\d{1,12}$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** The hex HMAC a sender puts after `v1=` (also what tests and integrators sign with). */
export function signPayload(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** One header's value, refusing a header sent twice (two values: which one was signed?). */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Checks the signature first, then the timestamp against `nowMs`: a forged request
 * learns nothing about the clock. Both edges of the tolerance are accepted.
 */
export function verifySignature(
  secret: string,
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  nowMs: number,
): SignatureVerdict {
  const timestamp = single(headers[PAYMENT_WEBHOOK.timestampHeader])?.trim();
  const header = single(headers[PAYMENT_WEBHOOK.signatureHeader]);
  if (!timestamp || !TIMESTAMP.test(timestamp) || !header) return 'bad-signature';

  const entries = header.split(',').map((e) => e.trim());
  if (entries.length > MAX_ENTRIES) return 'bad-signature';
  const candidates = entries
    .filter((e) => e.startsWith('v1='))
    .map((e) => e.slice(3))
    .filter((hex) => HEX_SHA256.test(hex));
  if (candidates.length === 0) return 'bad-signature';

  const expected = Buffer.from(signPayload(secret, timestamp, rawBody), 'hex');
  // Every candidate is compared (no early exit), each in constant time.
  let match = false;
  for (const hex of candidates) {
    const given = Buffer.from(hex, 'hex');
    if (given.length === expected.length && timingSafeEqual(given, expected)) match = true;
  }
  if (!match) return 'bad-signature';

  const skewMs = Math.abs(nowMs - Number(timestamp) * 1000);
  return skewMs > PAYMENT_WEBHOOK.toleranceSeconds * 1000 ? 'stale' : 'ok';
}
