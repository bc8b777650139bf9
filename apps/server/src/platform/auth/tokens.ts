import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { Errors } from '../errors.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const ISSUER = 'parley';
const AUDIENCE = 'parley';
// RFC 9068 access-token type: a token minted for another purpose (e.g. an invite)
// carries another `typ` and is refused here.
const ACCESS_TYP = 'at+jwt';

/** `sessionId` is the sign-in session (refresh-token family) the token was minted for. */
export type AccessClaims = { userId: string; sessionId: string; expiresAt: Date };

/**
 * HS256 access tokens. The key id is derived from the secret, so a token signed with
 * another secret is refused by its `kid` before any signature work, and rotating the
 * secret invalidates every outstanding token.
 */
export function createTokenService(secret: string) {
  // Imported once: handed raw bytes, jose runs crypto.subtle.importKey on every sign and
  // verify (about a sixth of an authenticated request's CPU). Not extractable.
  const keyReady = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const kid = createHash('sha256').update(secret).digest('base64url').slice(0, 12);

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
      const exp = iat + ACCESS_TOKEN_TTL_SECONDS;
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

    /** Throws INVALID_TOKEN or TOKEN_EXPIRED (both 401). */
    async verifyAccess(token: string, now: Date): Promise<AccessClaims> {
      const key = await keyReady;
      try {
        const { payload, protectedHeader } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          typ: ACCESS_TYP,
          currentDate: now,
          clockTolerance: 5,
          // Also refuses an `iat` in the future (jose checks it only with a max age).
          maxTokenAge: ACCESS_TOKEN_TTL_SECONDS,
          requiredClaims: ['sub', 'sid', 'exp', 'iat'],
        });
        const { sub, sid, exp } = payload;
        // A token without a session cannot be revoked, so it is not accepted at all.
        if (
          protectedHeader.kid !== kid ||
          typeof sub !== 'string' ||
          typeof sid !== 'string' ||
          !sid ||
          !exp
        ) {
          throw Errors.invalidToken();
        }
        return { userId: sub, sessionId: sid, expiresAt: new Date(exp * 1000) };
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw Errors.tokenExpired();
        throw Errors.invalidToken();
      }
    },
  };
}
export type TokenService = ReturnType<typeof createTokenService>;

/** Opaque refresh tokens: 256 random bits; only their SHA-256 is stored. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
