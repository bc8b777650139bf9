import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';

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
});
