import { ChatMessageId } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { KeyedRateLimiter, KeyedThrottle } from './limits.js';
import { createUlidFactory } from './ulid.js';

describe('createUlidFactory', () => {
  it('makes valid ids that sort as text in the order they were made, within one millisecond too', () => {
    const clock = new ManualClock();
    const ulid = createUlidFactory(clock);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) {
      ids.push(ulid());
      if (i % 100 === 0) clock.advance(1);
    }
    expect(ids.every((id) => ChatMessageId.safeParse(id).success)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('starts with the time, so ids of a later millisecond sort after', () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00.000Z'));
    const ulid = createUlidFactory(clock, (n) => Buffer.alloc(n, 0xff));
    const a = ulid();
    clock.advance(1);
    const b = ulid();
    expect(a.slice(0, 10)).toBe('01KDVDNA00'); // 1767225600000 ms in Crockford base32
    expect(a < b).toBe(true);
  });

  it('never goes backwards when the clock does, nor repeats when the random part overflows', () => {
    const clock = new ManualClock();
    const ulid = createUlidFactory(clock, (n) => Buffer.alloc(n, 0xff)); // all 31s: overflows next
    const a = ulid();
    const b = ulid();
    clock.advance(-60_000);
    const c = ulid();
    expect(a < b && b < c).toBe(true);
  });
});

describe('KeyedRateLimiter', () => {
  it('serves a burst per key, then one per refill period, telling how long to wait', () => {
    const clock = new ManualClock();
    const limiter = new KeyedRateLimiter(1, 10, clock);
    for (let i = 0; i < 10; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1000);
    expect(limiter.take('b')).toBe(0); // keys are independent
    clock.advance(500);
    expect(limiter.take('a')).toBe(500);
    clock.advance(500);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1000);
    clock.advance(3_600_000); // never more than the burst
    for (let i = 0; i < 10; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('refills nothing when the clock steps back', () => {
    const clock = new ManualClock();
    const limiter = new KeyedRateLimiter(1, 1, clock);
    expect(limiter.take('a')).toBe(0);
    clock.advance(-10_000);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('stays bounded under a spray of users, keeping the recently limited ones', () => {
    const clock = new ManualClock();
    const limiter = new KeyedRateLimiter(1, 1, clock);
    for (let i = 0; i < 25_000; i++) limiter.take(`u${i}`);
    const size = (limiter as unknown as { buckets: Map<string, unknown> }).buckets.size;
    expect(size).toBeLessThanOrEqual(10_000);
    expect(limiter.take('u24999')).toBeGreaterThan(0);
  });
});

describe('KeyedThrottle', () => {
  it('lets one event per key through per interval and drops the rest', () => {
    const clock = new ManualClock();
    const throttle = new KeyedThrottle(2000, clock);
    expect(throttle.allow('a')).toBe(true);
    expect(throttle.allow('a')).toBe(false);
    expect(throttle.allow('b')).toBe(true);
    clock.advance(1999);
    expect(throttle.allow('a')).toBe(false);
    clock.advance(1);
    expect(throttle.allow('a')).toBe(true);
    expect(throttle.allow('a')).toBe(false);
  });

  it('stays bounded under a spray of keys, forgetting the oldest first', () => {
    const clock = new ManualClock();
    const throttle = new KeyedThrottle(2000, clock);
    const size = () => (throttle as unknown as { last: Map<string, number> }).last.size;
    for (let i = 0; i < 25_000; i++) throttle.allow(`k${i}`);
    expect(size()).toBeLessThanOrEqual(10_000);
    expect(throttle.allow('k24999')).toBe(false); // recent: still throttled
    expect(throttle.allow('k0')).toBe(true); // forgotten, so allowed again
  });
});
