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

/** A stored `scrypt$N$r$p$salt$hash`, or undefined for anything else. */
function parseHash(
  stored: string,
): { params: ScryptParams; salt: string; hash: string } | undefined {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const [N, R, P] = [n, r, p].map(Number) as [number, number, number];
  if (scheme !== 'scrypt' || !salt || !hash) return undefined;
  if (![N, R, P].every((v) => Number.isInteger(v) && v > 0)) return undefined;
  return { params: { N, r: R, p: P }, salt, hash };
}

/** The N a stored hash was made with (undefined for anything not ours). */
export function hashCost(stored: string): number | undefined {
  return parseHash(stored)?.params.N;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const expected = Buffer.from(parsed.hash, 'base64url');
  const key = await scrypt(password, Buffer.from(parsed.salt, 'base64url'), parsed.params);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
