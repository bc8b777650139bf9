import { createHash, createHmac } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VERIFIED_CACHE_MAX, createTokenService } from './tokens.js';

const SECRET = 'a'.repeat(40);
const now = new Date('2026-01-01T10:00:00Z');
/** The service's key id for SECRET (a hash of it), as its tokens carry it. */
const KID = createHash('sha256').update(SECRET).digest('base64url').slice(0, 12);
/** The claims of a valid access token issued at `iat` (seconds) for `ttl` seconds. */
const validClaims = (iat: number, ttl: number) => ({
  sub: 'user-1',
  sid: 'session-1',
  iss: 'parley',
  aud: 'parley',
  iat,
  nbf: iat,
  exp: iat + ttl,
});

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
  const kid = KID;
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
  const kid = KID;
  const header = { alg: 'HS256', typ: 'at+jwt', kid };
  const claims = { ...validClaims(t, 900), jti: 'j' };
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

  it.each(cases)(
    '%s, presented a second time (from the cache): still jose’s answer',
    async (_name, make) => {
      const token = await make();
      await weSay(token);
      expect(await weSay(token)).toBe(await joseSays(token));
    },
  );

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

describe('the cache of verified access tokens', () => {
  const t = Math.floor(now.getTime() / 1000);
  const at = (seconds: number) => new Date((t + seconds) * 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: KID })).toString(
    'base64url',
  );
  /** A genuine token, signed here without jose so thousands are quick to make. */
  function genuine(claims: Record<string, unknown> = {}, secret = SECRET): string {
    const payload = Buffer.from(JSON.stringify({ ...validClaims(t, 60), ...claims })).toString(
      'base64url',
    );
    const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
    return `${header}.${payload}.${signature.toString('base64url')}`;
  }

  it('a cached token still expires: verified at t, then TOKEN_EXPIRED past exp', async () => {
    const tokens = createTokenService(SECRET, 60);
    const token = genuine();
    await expect(tokens.verifyAccess(token, now)).resolves.toMatchObject({ userId: 'user-1' });
    expect(tokens.cacheSize()).toBe(1);
    // From the cache, inside the 5 s leeway past `exp`, then past it.
    await expect(tokens.verifyAccess(token, at(64))).resolves.toMatchObject({ userId: 'user-1' });
    expect(tokens.cacheSize()).toBe(1);
    await expect(tokens.verifyAccess(token, at(65))).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
    // Met expired, so dropped.
    expect(tokens.cacheSize()).toBe(0);
  });

  it('a cached token older than the lifetime is TOKEN_EXPIRED, whatever its exp says', async () => {
    const tokens = createTokenService(SECRET, 60);
    const token = genuine({ exp: t + 3600 });
    await tokens.verifyAccess(token, now);
    await expect(tokens.verifyAccess(token, at(65))).resolves.toMatchObject({ userId: 'user-1' });
    await expect(tokens.verifyAccess(token, at(66))).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
  });

  it('a cached token is refused before its nbf and iat when the clock steps back', async () => {
    const tokens = createTokenService(SECRET);
    const token = genuine({ exp: t + 900 });
    await tokens.verifyAccess(token, now);
    expect(tokens.cacheSize()).toBe(1);
    await expect(tokens.verifyAccess(token, at(-6))).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    });
    const noNbf = genuine({ exp: t + 900, nbf: undefined });
    await tokens.verifyAccess(noNbf, now);
    await expect(tokens.verifyAccess(noNbf, at(-6))).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    });
    // Valid again once the clock is back.
    await expect(tokens.verifyAccess(token, now)).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('a bad signature is refused even after the genuine token was cached', async () => {
    const tokens = createTokenService(SECRET);
    const token = genuine();
    await tokens.verifyAccess(token, now);
    const [h, p, s] = token.split('.') as [string, string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flip = (c: string, bit: number) => alphabet[alphabet.indexOf(c) ^ bit]!;
    const refused = [
      // Another signature altogether, of another secret.
      genuine({}, 'b'.repeat(40)),
      // One bit of the signature changed.
      `${h}.${p}.${flip(s[0]!, 1)}${s.slice(1)}`,
      // The same signature bytes spelt another way (unused trailing bits set).
      `${h}.${p}.${s.slice(0, -1)}${flip(s.at(-1)!, 1)}`,
      // The genuine signature over other claims.
      `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`,
      `${token}=`,
      `${token}.`,
    ];
    for (const bad of refused) {
      await expect(tokens.verifyAccess(bad, now)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    }
    expect(tokens.cacheSize()).toBe(1);
    await expect(tokens.verifyAccess(token, now)).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('a refused token is never cached', async () => {
    const tokens = createTokenService(SECRET);
    const refused = [
      'not-a-token',
      genuine({}, 'b'.repeat(40)),
      genuine({ sid: '' }),
      // Signed by this secret but not valid yet, or expired: refused, so not kept either.
      genuine({ nbf: t + 60 }),
      genuine({ iat: t - 120, exp: t - 60 }),
    ];
    for (const bad of refused) {
      await expect(tokens.verifyAccess(bad, now)).rejects.toBeDefined();
    }
    expect(tokens.cacheSize()).toBe(0);
  });

  it('remember: false (a socket hello) uses a kept token but keeps none of its own', async () => {
    const tokens = createTokenService(SECRET);
    const once = genuine({ sid: 'socket' });
    const claims = await tokens.verifyAccess(once, now, { remember: false });
    expect(claims.sessionId).toBe('socket');
    expect(tokens.cacheSize()).toBe(0);
    // Kept by an HTTP request, it is read from the cache by the socket as well.
    const http = genuine({ sid: 'http' });
    await tokens.verifyAccess(http, now);
    expect(tokens.cacheSize()).toBe(1);
    expect((await tokens.verifyAccess(http, now, { remember: false })).sessionId).toBe('http');
    expect(tokens.cacheSize()).toBe(1);
  });

  it(`holds at most ${VERIFIED_CACHE_MAX} tokens, dropping the oldest first`, async () => {
    const tokens = createTokenService(SECRET, 60);
    const many = Array.from({ length: VERIFIED_CACHE_MAX + 1 }, (_, i) =>
      genuine({ sid: `session-${i}` }),
    );
    for (const token of many) await tokens.verifyAccess(token, now);
    expect(tokens.cacheSize()).toBe(VERIFIED_CACHE_MAX);
    // Met expired, a cached token is dropped (the size falls); the first was already gone.
    const later = at(65);
    await expect(tokens.verifyAccess(many[0]!, later)).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
    expect(tokens.cacheSize()).toBe(VERIFIED_CACHE_MAX);
    await expect(tokens.verifyAccess(many[1]!, later)).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
    expect(tokens.cacheSize()).toBe(VERIFIED_CACHE_MAX - 1);
  });

  it('a change to the returned claims does not change what the next call returns', async () => {
    const tokens = createTokenService(SECRET);
    const token = genuine();
    const expected = { userId: 'user-1', sessionId: 'session-1', expiresAt: at(60) };
    for (let i = 0; i < 3; i++) {
      const claims = await tokens.verifyAccess(token, now);
      expect(claims).toEqual(expected);
      claims.userId = 'admin';
      claims.sessionId = 'other';
      claims.expiresAt.setTime(Date.UTC(2999, 0));
    }
  });

  it('a hit returns the same claims as a miss', async () => {
    const tokens = createTokenService(SECRET);
    const token = genuine({ sub: 'user-9', sid: 'session-9' });
    const miss = await tokens.verifyAccess(token, now);
    expect(tokens.cacheSize()).toBe(1);
    const hit = await tokens.verifyAccess(token, now);
    expect(hit).toEqual(miss);
    expect(hit).toEqual({ userId: 'user-9', sessionId: 'session-9', expiresAt: at(60) });
    expect(hit).not.toBe(miss);
    expect(hit.expiresAt).not.toBe(miss.expiresAt);
  });

  it('belongs to one service: another secret’s service neither shares nor trusts it', async () => {
    const tokens = createTokenService(SECRET);
    const other = createTokenService('b'.repeat(40));
    const token = genuine();
    await tokens.verifyAccess(token, now);
    await expect(other.verifyAccess(token, now)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    expect(other.cacheSize()).toBe(0);
    expect(createTokenService(SECRET).cacheSize()).toBe(0);
  });
});
