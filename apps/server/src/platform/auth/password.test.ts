import { describe, expect, it } from 'vitest';
import { hashCost, hashPassword, verifyPassword } from './password.js';

describe('scrypt password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const h = await hashPassword('correct horse 42', 1024);
    expect(await verifyPassword('correct horse 42', h)).toBe(true);
    expect(await verifyPassword('correct horse 43', h)).toBe(false);
  });

  it('salts per hash and records its parameters', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same pass 1', 1024),
      hashPassword('same pass 1', 1024),
    ]);
    expect(a).not.toBe(b);
    expect(a.split('$').slice(0, 4)).toEqual(['scrypt', '1024', '8', '1']);
  });

  it('verifies a hash made with other parameters (cost can be raised later)', async () => {
    const h = await hashPassword('correct horse 42', 2048);
    expect(await verifyPassword('correct horse 42', h)).toBe(true);
  });

  it('treats unicode-equivalent passwords as equal (NFKC)', async () => {
    const h = await hashPassword('caf\u00e9 password', 1024);
    expect(await verifyPassword('cafe\u0301 password', h)).toBe(true);
  });

  it('refuses malformed stored hashes instead of throwing', async () => {
    expect(await verifyPassword('x', 'bcrypt$whatever')).toBe(false);
    expect(await verifyPassword('x', '')).toBe(false);
  });

  it('hashCost reads N back from a stored hash, and nothing from anything else', async () => {
    expect(hashCost(await hashPassword('a password 1', 2048))).toBe(2048);
    for (const bad of ['', 'bcrypt$1024$8$1$s$h', 'scrypt$x$8$1$s$h', 'scrypt$-4$8', 'scrypt']) {
      expect(hashCost(bad), bad).toBeUndefined();
    }
  });
});
