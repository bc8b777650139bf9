import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

type ScryptParams = { N: number; r: number; p: number };

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes, plus headroom.
    const maxmem = 256 * params.N * params.r;
    scryptCb(password.normalize('NFKC'), salt, 32, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/**
 * Self-describing hash `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised
 * later and old hashes still verify. scrypt runs on libuv's thread pool, off the event loop.
 */
export async function hashPassword(password: string, N: number): Promise<string> {
  const params = { N, r: 8, p: 1 };
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, params);
  return [
    'scrypt',
    N,
    params.r,
    params.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

/** The N a stored hash was made with (undefined for anything not ours). */
export function hashCost(stored: string): number | undefined {
  const [scheme, n] = stored.split('$');
  const value = Number(n);
  return scheme === 'scrypt' && Number.isInteger(value) && value > 0 ? value : undefined;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
