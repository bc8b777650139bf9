import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
import { Errors } from '../errors.js';

/** The default access-token lifetime; ACCESS_TOKEN_TTL_SECONDS (config) sets another. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const ISSUER = 'parley';
const AUDIENCE = 'parley';
// RFC 9068 access-token type: a token minted for another purpose (e.g. an invite)
// carries another `typ` and is refused here.
const ACCESS_TYP = 'at+jwt';
/** Seconds of leeway for `exp`, `nbf` and `iat`, for clocks a little apart. */
const CLOCK_TOLERANCE_S = 5;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/**
 * Verified tokens a service keeps. An entry is ~0.7 KB (measured: a 371-character token as
 * key, its claims, the Map and ring slots), so a full cache is under 3 MB. Each client holds
 * one token at a time; past 4096 clients active at once, the oldest are verified afresh.
 */
export const VERIFIED_CACHE_MAX = 4096;

/** `sessionId` is the sign-in session (refresh-token family) the token was minted for. */
export type AccessClaims = { userId: string; sessionId: string; expiresAt: Date };

/** The claims of a token that passed every check; the time checks run on every use. */
type Verified = {
  readonly sub: string;
  readonly sid: string;
  readonly exp: number;
  readonly iat: number;
  readonly nbf: number | undefined;
};

/**
 * HS256 access tokens. The key id is derived from the secret, so rotating the secret
 * invalidates every outstanding token, and a token of another secret is refused by its
 * signature (checked first, before anything of it is parsed) and by its `kid`.
 * `accessTtlSeconds` is how long a token it signs lives, and the oldest `iat` it accepts.
 */
export function createTokenService(secret: string, accessTtlSeconds = ACCESS_TOKEN_TTL_SECONDS) {
  if (!Number.isInteger(accessTtlSeconds) || accessTtlSeconds < 1) {
    throw new RangeError(`access-token lifetime must be a positive whole number of seconds`);
  }
  // Signing (sign-in, refresh) goes through jose, with the key imported once: handed raw
  // bytes, jose runs crypto.subtle.importKey on every signature. Not extractable.
  const keyReady = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const kid = createHash('sha256').update(secret).digest('base64url').slice(0, 12);
  const secretBytes = Buffer.from(secret, 'utf8');
  // Keyed by the token's exact text; filled only by tokens that passed every check, so a
  // refused token never takes a place. Oldest first out, through a ring of the keys in
  // insertion order: evicting by the Map's first key walks past every deleted slot V8 keeps
  // at the front of the table, ~1 µs an eviction once full.
  const verified = new Map<string, Verified>();
  const order = new Array<string | undefined>(VERIFIED_CACHE_MAX);
  let next = 0;

  return {
    /**
     * `sessionId` travels as the `sid` claim, so a revoked session (logout, refresh-token
     * reuse, disabled account) can refuse its access tokens before they expire.
     */
    async signAccess(
      userId: string,
      sessionId: string,
      now: Date,
    ): Promise<{ token: string; expiresAt: Date }> {
      const iat = Math.floor(now.getTime() / 1000);
      const exp = iat + accessTtlSeconds;
      const token = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: ACCESS_TYP, kid })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(exp)
        .setJti(randomBytes(9).toString('base64url'))
        .sign(await keyReady);
      return { token, expiresAt: new Date(exp * 1000) };
    },

    /**
     * Throws INVALID_TOKEN or TOKEN_EXPIRED (both 401). Synchronous HMAC, not jose: jose runs
     * WebCrypto's verify as an async job, about a fifth of an authenticated request's CPU,
     * and this runs for every request and every socket `hello`. Signature first, then the
     * header and claims jose checked (differential test in tokens.test.ts).
     *
     * A token seen again skips the HMAC and the parsing (~11 % of `GET /api/auth/me`'s CPU):
     * it is looked up by its exact text in a bounded cache of the tokens this service, with
     * this secret, already verified. Not a security boundary: a hit means these very bytes
     * passed the signature and claim checks before; the time checks (nbf, iat, exp, max age)
     * run against `now` on every call, and the caller still checks the session every request.
     * `remember: false` (a socket's `hello`, verified once per connection) reads the cache but
     * adds nothing to it: ~0.7 KB an entry would stay for a token never presented again.
     */
    verifyAccess(
      token: string,
      now: Date,
      opts: { remember?: boolean } = {},
    ): Promise<AccessClaims> {
      try {
        return Promise.resolve(verify(token, now, opts.remember ?? true));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : Errors.invalidToken());
      }
    },

    /** For tests: how many verified tokens the cache holds. */
    cacheSize(): number {
      return verified.size;
    },
  };

  function verify(token: string, now: Date, remember: boolean): AccessClaims {
    const t = Math.floor(now.getTime() / 1000);
    const hit = verified.get(token);
    if (hit) {
      // Refused at this `now`: dropped. An expired token for good; one not valid yet (seen
      // only when the clock stepped back) is verified afresh next time.
      try {
        checkTimes(hit, t);
      } catch (err) {
        verified.delete(token);
        throw err;
      }
      return claimsOf(hit);
    }
    const fresh = verifySignatureAndClaims(token);
    checkTimes(fresh, t);
    if (!remember) return claimsOf(fresh);
    // The slot's token may be gone already (met expired); the Map never outgrows the ring.
    const oldest = order[next];
    if (oldest !== undefined) verified.delete(oldest);
    order[next] = token;
    next = (next + 1) % VERIFIED_CACHE_MAX;
    verified.set(token, fresh);
    return claimsOf(fresh);
  }

  /** Everything but the time: these answers never change for one token and one secret. */
  function verifySignatureAndClaims(token: string): Verified {
    const parts = token.split('.');
    const [h, p, s] = parts;
    if (parts.length !== 3 || !h || !p || !s || !BASE64URL.test(h) || !BASE64URL.test(p)) {
      throw Errors.invalidToken();
    }
    const signature = Buffer.from(s, 'base64url');
    const expected = createHmac('sha256', secretBytes).update(`${h}.${p}`).digest();
    // The canonical encoding only: no second spelling of one signature.
    if (
      signature.length !== expected.length ||
      signature.toString('base64url') !== s ||
      !timingSafeEqual(signature, expected)
    ) {
      throw Errors.invalidToken();
    }
    const header = jsonObject(h);
    if (
      header.alg !== 'HS256' ||
      header.typ !== ACCESS_TYP ||
      header.kid !== kid ||
      // No extension this service understands, so none may be critical (RFC 7515 4.1.11).
      header.crit !== undefined ||
      header.b64 !== undefined
    ) {
      throw Errors.invalidToken();
    }
    const c = jsonObject(p);
    const { sub, sid, exp, iat, nbf, iss, aud } = c;
    const audOk = aud === AUDIENCE || (Array.isArray(aud) && aud.includes(AUDIENCE));
    // A token without a session cannot be revoked, so it is not accepted at all.
    if (
      iss !== ISSUER ||
      !audOk ||
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      !sid ||
      !isTime(exp) ||
      !isTime(iat) ||
      (nbf !== undefined && !isTime(nbf))
    ) {
      throw Errors.invalidToken();
    }
    return { sub, sid, exp, iat, nbf };
  }

  /** `t` is `now` in whole seconds; throws as a fresh verification of the token would. */
  function checkTimes({ exp, iat, nbf }: Verified, t: number): void {
    if (nbf !== undefined && nbf > t + CLOCK_TOLERANCE_S) throw Errors.invalidToken();
    // Issued in the future: refused (jose checked it only with a max age, as here).
    if (iat > t + CLOCK_TOLERANCE_S) throw Errors.invalidToken();
    if (exp <= t - CLOCK_TOLERANCE_S) throw Errors.tokenExpired();
    // Older than a token can be, whatever its `exp` says.
    if (t - iat - CLOCK_TOLERANCE_S > accessTtlSeconds) throw Errors.tokenExpired();
  }
}

/** A new object on every call, so a caller's change never reaches a cached entry. */
function claimsOf(v: Verified): AccessClaims {
  return { userId: v.sub, sessionId: v.sid, expiresAt: new Date(v.exp * 1000) };
}

/** A base64url segment holding a JSON object, or INVALID_TOKEN. */
function jsonObject(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw Errors.invalidToken();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw Errors.invalidToken();
  }
  return value as Record<string, unknown>;
}

/** NumericDate: seconds, a finite number (RFC 7519 2). */
function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
export type TokenService = ReturnType<typeof createTokenService>;

/** Opaque refresh tokens: 256 random bits; only their SHA-256 is stored. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
