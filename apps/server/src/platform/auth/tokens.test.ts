import { createHash, createHmac } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenService } from './tokens.js';

const SECRET = 'a'.repeat(40);
const now = new Date('2026-01-01T10:00:00Z');

describe('access tokens with the key imported once', () => {
  afterEach(() => vi.restoreAllMocks());

  it('imports the key once per service, not per signature or verification', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const tokens = createTokenService(SECRET);
    for (let i = 0; i < 5; i++) {
      const { token } = await tokens.signAccess(`user-${i}`, `session-${i}`, now);
      const claims = await tokens.verifyAccess(token, now);
      expect(claims).toMatchObject({ userId: `user-${i}`, sessionId: `session-${i}` });
    }
    expect(importKey).toHaveBeenCalledTimes(1);
  });

  it('still refuses a token signed with another secret, and accepts its own afterwards', async () => {
    const tokens = createTokenService(SECRET);
    const other = createTokenService('b'.repeat(40));
    const { token: foreign } = await other.signAccess('user-1', 'session-1', now);
    await expect(tokens.verifyAccess(foreign, now)).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    });
    const { token } = await tokens.signAccess('user-1', 'session-1', now);
    await expect(tokens.verifyAccess(token, now)).resolves.toMatchObject({ userId: 'user-1' });
    // The other service's cached key is its own too.
    await expect(other.verifyAccess(token, now)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses an expired token with the cached key', async () => {
    const tokens = createTokenService(SECRET);
    const { token } = await tokens.signAccess('user-1', 'session-1', now);
    const later = new Date(now.getTime() + 16 * 60_000);
    await expect(tokens.verifyAccess(token, later)).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
  });
});

describe('the access-token lifetime (ACCESS_TOKEN_TTL_SECONDS)', () => {
  const t = Math.floor(now.getTime() / 1000);
  const kid = createHash('sha256').update(SECRET).digest('base64url').slice(0, 12);
  /** A genuine token issued `age` seconds ago whose `exp` is still an hour away. */
  const issuedAgo = (age: number) =>
    new SignJWT({ sid: 'session-1' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .setSubject('user-1')
      .setIssuer('parley')
      .setAudience('parley')
      .setIssuedAt(t - age)
      .setExpirationTime(t + 3600)
      .sign(new TextEncoder().encode(SECRET));
  const at = (seconds: number) => new Date((t + seconds) * 1000);

  it('is 900 s by default', async () => {
    const { expiresAt } = await createTokenService(SECRET).signAccess('u', 's', now);
    expect(expiresAt.getTime() - now.getTime()).toBe(900_000);
  });

  it('a service made with 60 s signs tokens that expire 60 s out, and they expire then', async () => {
    const tokens = createTokenService(SECRET, 60);
    const { token, expiresAt } = await tokens.signAccess('user-1', 'session-1', now);
    expect(expiresAt).toEqual(at(60));
    await expect(tokens.verifyAccess(token, now)).resolves.toMatchObject({ expiresAt: at(60) });
    // Within the 5 s clock leeway past `exp`, then expired.
    await expect(tokens.verifyAccess(token, at(64))).resolves.toMatchObject({ userId: 'user-1' });
    await expect(tokens.verifyAccess(token, at(65))).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
  });

  it('refuses a token issued more than the lifetime (+5 s leeway) ago, whatever its exp says', async () => {
    const short = createTokenService(SECRET, 60);
    await expect(short.verifyAccess(await issuedAgo(65), now)).resolves.toMatchObject({
      userId: 'user-1',
    });
    await expect(short.verifyAccess(await issuedAgo(66), now)).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
    // The default service takes the same token: the bound is the configured lifetime.
    await expect(
      createTokenService(SECRET).verifyAccess(await issuedAgo(66), now),
    ).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('refuses a lifetime that is no positive whole number of seconds', () => {
    expect(() => createTokenService(SECRET, 0)).toThrow(RangeError);
    expect(() => createTokenService(SECRET, 1.5)).toThrow(RangeError);
  });
});

describe('verifyAccess, checked against jose', () => {
  const tokens = createTokenService(SECRET);
  const key = new TextEncoder().encode(SECRET);
  const t = Math.floor(now.getTime() / 1000);
  const kid = createHash('sha256').update(SECRET).digest('base64url').slice(0, 12);
  const header = { alg: 'HS256', typ: 'at+jwt', kid };
  const claims = {
    sub: 'user-1',
    sid: 'session-1',
    iss: 'parley',
    aud: 'parley',
    iat: t,
    nbf: t,
    exp: t + 900,
    jti: 'j',
  };
  const sign = (h: Record<string, unknown>, c: Record<string, unknown>, secret = key) =>
    new SignJWT(c).setProtectedHeader(h as { alg: string }).sign(secret);

  /** What the jose call this verifier replaced answered: the claims, or the error code. */
  async function joseSays(token: string): Promise<string> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: 'parley',
        audience: 'parley',
        typ: 'at+jwt',
        currentDate: now,
        clockTolerance: 5,
        maxTokenAge: 900,
        requiredClaims: ['sub', 'sid', 'exp', 'iat'],
      });
      const { sub, sid, exp } = payload;
      if (protectedHeader.kid !== kid || typeof sub !== 'string' || typeof sid !== 'string' || !sid)
        return 'INVALID_TOKEN';
      return `ok ${sub} ${sid} ${exp}`;
    } catch (err) {
      return err instanceof joseErrors.JWTExpired ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN';
    }
  }
  async function weSay(token: string): Promise<string> {
    try {
      const c = await tokens.verifyAccess(token, now);
      return `ok ${c.userId} ${c.sessionId} ${c.expiresAt.getTime() / 1000}`;
    } catch (err) {
      return (err as { code: string }).code;
    }
  }

  const cases: [string, () => Promise<string> | string][] = [
    ['genuine', () => sign(header, claims)],
    ['minted by the service', async () => (await tokens.signAccess('u', 's', now)).token],
    ['audience list with ours', () => sign(header, { ...claims, aud: ['x', 'parley'] })],
    ['audience list without ours', () => sign(header, { ...claims, aud: ['x'] })],
    ['expired 4 s ago (leeway)', () => sign(header, { ...claims, iat: t - 904, exp: t - 4 })],
    ['expired 6 s ago', () => sign(header, { ...claims, iat: t - 906, nbf: t - 906, exp: t - 6 })],
    ['issued 906 s ago, exp later', () => sign(header, { ...claims, iat: t - 906, exp: t + 60 })],
    ['nbf 4 s ahead', () => sign(header, { ...claims, nbf: t + 4 })],
    ['nbf 6 s ahead', () => sign(header, { ...claims, nbf: t + 6 })],
    ['iat 6 s ahead', () => sign(header, { ...claims, iat: t + 6, nbf: t })],
    ['no nbf', () => sign(header, { ...claims, nbf: undefined })],
    ['nbf a string', () => sign(header, { ...claims, nbf: String(t) })],
    ['exp a string', () => sign(header, { ...claims, exp: String(t + 900) })],
    ['no exp', () => sign(header, { ...claims, exp: undefined })],
    ['no iat', () => sign(header, { ...claims, iat: undefined })],
    ['no sub', () => sign(header, { ...claims, sub: undefined })],
    ['sub a number', () => sign(header, { ...claims, sub: 7 })],
    ['empty sid', () => sign(header, { ...claims, sid: '' })],
    ['no sid', () => sign(header, { ...claims, sid: undefined })],
    ['other issuer', () => sign(header, { ...claims, iss: 'evil' })],
    ['other audience', () => sign(header, { ...claims, aud: 'parley:invite' })],
    ['other secret', () => sign(header, claims, new TextEncoder().encode('b'.repeat(40)))],
    ['HS512', () => sign({ ...header, alg: 'HS512' }, claims)],
    ['no typ', () => sign({ alg: 'HS256', kid }, claims)],
    ['typ JWT', () => sign({ ...header, typ: 'JWT' }, claims)],
    ['other kid', () => sign({ ...header, kid: 'nope' }, claims)],
    ['alg none', () => `${b64({ ...header, alg: 'none' })}.${b64(claims)}.`],
    ['two parts', async () => (await sign(header, claims)).split('.').slice(0, 2).join('.')],
    ['four parts', async () => `${await sign(header, claims)}.x`],
    ['garbage', () => 'not-a-token'],
    ['payload not JSON', () => reSign(`${b64(header)}.${b64url('{nope')}`)],
    ['payload an array', () => reSign(`${b64(header)}.${b64([claims])}`)],
    ['header an array', () => reSign(`${b64([header])}.${b64(claims)}`)],
    [
      'tampered claims, old signature',
      async () => {
        const [h, , s] = (await sign(header, claims)).split('.');
        return `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`;
      },
    ],
  ];

  function b64url(s: string): string {
    return Buffer.from(s).toString('base64url');
  }
  function b64(o: unknown): string {
    return b64url(JSON.stringify(o));
  }
  /** A correct HS256 signature over whatever the first two segments are. */
  function reSign(signingInput: string): string {
    return `${signingInput}.${createHmac('sha256', SECRET).update(signingInput).digest('base64url')}`;
  }

  it.each(cases)('%s: the same answer as jose', async (_name, make) => {
    const token = await make();
    expect(await weSay(token)).toBe(await joseSays(token));
  });

  // Stricter than jose, on purpose: no extensions are understood, so none may be critical;
  // jose took padding on a signature.
  it('refuses a critical header extension and a padded signature', async () => {
    expect(await weSay(reSign(`${b64({ ...header, crit: ['exp'], exp: 1 })}.${b64(claims)}`))).toBe(
      'INVALID_TOKEN',
    );
    expect(await weSay(`${await sign(header, claims)}=`)).toBe('INVALID_TOKEN');
  });

  it('refuses a second spelling of a genuine signature (base64url with trailing bits set)', async () => {
    const token = await sign(header, claims);
    const [h, p, s] = token.split('.') as [string, string, string];
    // 32 bytes → 43 characters; the last one carries 4 unused bits, which decoding ignores.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1)!);
    const twin = `${s.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(twin, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
    expect(await weSay(`${h}.${p}.${twin}`)).toBe('INVALID_TOKEN');
    expect(await weSay(token)).toMatch(/^ok /);
  });
});
