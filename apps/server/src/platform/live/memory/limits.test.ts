import { CHAT_LIMITS } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import { createMemoryAttemptLimiter, createMemoryRateLimiter } from './limits.js';

/** Keys the memory limiters keep at most (see MAX_KEYS in limits.ts). */
const MAX_KEYS = 100_000;

describe('memory RateLimiter', () => {
  it('serves a burst per key, then one per refill period, telling how long to wait', async () => {
    const clock = new ManualClock();
    const limiter = createMemoryRateLimiter({ burst: 10, perSecond: 1 }, clock);
    for (let i = 0; i < 10; i++) expect(await limiter.take('a')).toBe(0);
    expect(await limiter.take('a')).toBe(1000);
    expect(await limiter.take('b')).toBe(0); // keys are independent
    clock.advance(500);
    expect(await limiter.take('a')).toBe(500);
    clock.advance(500);
    expect(await limiter.take('a')).toBe(0);
    expect(await limiter.take('a')).toBe(1000);
    clock.advance(3_600_000); // never more than the burst
    for (let i = 0; i < 10; i++) expect(await limiter.take('a')).toBe(0);
    expect(await limiter.take('a')).toBeGreaterThan(0);
  });

  it('with a burst of one it lets one event per interval through (chat typing: one per 2 s)', async () => {
    const clock = new ManualClock();
    const perSecond = 1000 / CHAT_LIMITS.typingIntervalMs;
    const limiter = createMemoryRateLimiter({ burst: 1, perSecond }, clock);
    expect(await limiter.take('a')).toBe(0);
    expect(await limiter.take('a')).toBe(CHAT_LIMITS.typingIntervalMs);
    expect(await limiter.take('b')).toBe(0);
    clock.advance(CHAT_LIMITS.typingIntervalMs - 1);
    expect(await limiter.take('a')).toBeGreaterThan(0); // refused tries do not push it back
    clock.advance(1);
    expect(await limiter.take('a')).toBe(0);
    expect(await limiter.take('a')).toBeGreaterThan(0);
  });

  it('refills nothing when the clock steps back', async () => {
    const clock = new ManualClock();
    const limiter = createMemoryRateLimiter({ burst: 1, perSecond: 1 }, clock);
    expect(await limiter.take('a')).toBe(0);
    clock.advance(-10_000);
    expect(await limiter.take('a')).toBeGreaterThan(0);
  });

  it('stays bounded under a spray of keys, forgetting the oldest and keeping the recent ones', async () => {
    const clock = new ManualClock();
    const limiter = createMemoryRateLimiter({ burst: 1, perSecond: 1 }, clock);
    for (let i = 0; i <= MAX_KEYS; i++) await limiter.take(`u${i}`);
    expect(await limiter.take(`u${MAX_KEYS}`)).toBeGreaterThan(0); // recent: still limited
    expect(await limiter.take('u0')).toBe(0); // forgotten: a fresh bucket
  });
});

describe('memory AttemptLimiter', () => {
  it('blocks a key after `limit` failures for the rest of the window, in whole seconds', async () => {
    const clock = new ManualClock();
    const limiter = createMemoryAttemptLimiter({ limit: 3, windowMs: 60_000 }, clock);
    for (let i = 0; i < 3; i++) {
      expect(await limiter.blockedFor('a')).toBe(0);
      await limiter.fail('a');
    }
    expect(await limiter.blockedFor('a')).toBe(60);
    expect(await limiter.blockedFor('b')).toBe(0); // keys are independent
    clock.advance(59_500);
    expect(await limiter.blockedFor('a')).toBe(1);
    clock.advance(500);
    expect(await limiter.blockedFor('a')).toBe(0); // the window ended: counting starts over
    await limiter.fail('a');
    expect(await limiter.blockedFor('a')).toBe(0);
  });

  it('reset forgets the failures (a successful login)', async () => {
    const clock = new ManualClock();
    const limiter = createMemoryAttemptLimiter({ limit: 1, windowMs: 60_000 }, clock);
    await limiter.fail('a');
    expect(await limiter.blockedFor('a')).toBeGreaterThan(0);
    await limiter.reset('a');
    expect(await limiter.blockedFor('a')).toBe(0);
  });
});
