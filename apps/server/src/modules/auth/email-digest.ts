import { createHmac } from 'node:crypto';

// An address typed at sign-in that belongs to no account is a stranger's personal data:
// the audit log keeps it only as a keyed digest (and its domain), so repeated tries with
// one address still line up, and nobody reading the log learns the address itself.

/** The key for those digests, derived from the JWT secret under its own label. */
export function auditEmailKey(jwtSecret: string): Buffer {
  return createHmac('sha256', jwtSecret).update('parley:audit:unknown-email').digest();
}

/** `hmac:` and the first 32 hex digits of HMAC-SHA256(key, the normalized address). */
export function emailDigest(key: Buffer, normalizedEmail: string): string {
  return `hmac:${createHmac('sha256', key).update(normalizedEmail).digest('hex').slice(0, 32)}`;
}

/** The part after the last `@` (the address is valid by the schema; '' if not). */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1);
}
