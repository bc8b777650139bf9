import { describe, expect, it } from 'vitest';
import { randomToken } from './random-token.js';

describe('randomToken', () => {
  it('gives base64url of the length asked for, across pool refills', () => {
    for (const bytes of [1, 12, 18, 4096, 5000]) {
      const token = randomToken(bytes);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(bytes);
    }
  });

  it('never hands out the same bytes twice: 10,000 tokens of 18 bytes (many refills) all differ', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(randomToken(18));
    expect(seen.size).toBe(10_000);
  });

  it('is not predictable from its neighbours: bytes look uniform over 1 MB', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 1024; i++) {
      for (const b of Buffer.from(randomToken(1024), 'base64url')) counts[b]!++;
    }
    // Each value expected 4,096 times; a stuck or repeating pool is far off.
    expect(Math.min(...counts)).toBeGreaterThan(3_600);
    expect(Math.max(...counts)).toBeLessThan(4_600);
  });
});
