import { describe, expect, it } from 'vitest';
import { GraceTimers } from './grace.js';
import { KeyedLock } from './keyed-lock.js';
import { isOriginAllowed } from './origin.js';
import { TokenBucket } from './token-bucket.js';

describe('isOriginAllowed', () => {
  it('allows no Origin, the request host and configured origins; refuses the rest', () => {
    const allowed = ['https://meet.example.org'];
    expect(isOriginAllowed(undefined, 'meet.local:8080', allowed)).toBe(true);
    expect(isOriginAllowed('http://meet.local:8080', 'meet.local:8080', allowed)).toBe(true);
    expect(isOriginAllowed('http://MEET.local:8080', 'meet.local:8080', allowed)).toBe(true);
    expect(isOriginAllowed('https://meet.example.org', 'internal:8080', allowed)).toBe(true);
    expect(isOriginAllowed('http://meet.example.org', 'internal:8080', allowed)).toBe(false);
    expect(isOriginAllowed('http://meet.local:9090', 'meet.local:8080', allowed)).toBe(false);
    expect(isOriginAllowed('https://meet.example.org.evil.com', 'x', allowed)).toBe(false);
    expect(isOriginAllowed('null', 'meet.local:8080', allowed)).toBe(false);
    expect(isOriginAllowed('http://meet.local:8080', undefined, [])).toBe(false);
  });
});

describe('TokenBucket', () => {
  it('serves a burst, refuses past it, and refills at the sustained rate', () => {
    let now = 0;
    const bucket = new TokenBucket(50, 200, () => now);
    for (let i = 0; i < 200; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 100; // 5 tokens
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 60_000; // never more than the burst
    for (let i = 0; i < 200; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });
});

describe('KeyedLock', () => {
  it('runs tasks of one key one at a time, in order, even when one fails; other keys run alongside', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const step =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}:end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      lock.run('a', step('a1', 20, true)),
      lock.run('a', step('a2', 1)),
      lock.run('b', step('b1', 5)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('a1:end')).toBeLessThan(log.indexOf('a2:start'));
    expect(log.indexOf('b1:end')).toBeLessThan(log.indexOf('a1:end'));
  });
});

describe('GraceTimers', () => {
  it('fires once per (room, user) unless cancelled, and clear() stops them all', async () => {
    const fired: string[] = [];
    const grace = new GraceTimers(20, (room, user) => fired.push(`${room}/${user}`));
    grace.start('r1', 'u1');
    grace.start('r1', 'u1'); // restarting replaces
    grace.start('r1', 'u2');
    grace.start('r2', 'u1');
    grace.cancel('r1', 'u2');
    expect(grace.pending()).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(fired.sort()).toEqual(['r1/u1', 'r2/u1']);
    grace.start('r3', 'u1');
    grace.clear();
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toHaveLength(2);
    expect(grace.pending()).toBe(0);
  });
});
