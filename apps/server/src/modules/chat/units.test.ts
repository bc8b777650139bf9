import { ChatMessageId } from '@parley/protocol';
import { decodeTime } from 'ulidx';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { createUlidFactory } from '../../platform/ulid.js';

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

  it('takes its time from the app clock, so ids of a later millisecond sort after', () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00.000Z'));
    const ulid = createUlidFactory(clock, () => 0.99);
    const a = ulid();
    clock.advance(1);
    const b = ulid();
    expect(a.slice(0, 10)).toBe('01KDVDNA00'); // 1767225600000 ms in Crockford base32
    expect(decodeTime(a)).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
    expect(decodeTime(b)).toBe(Date.parse('2026-01-01T00:00:00.001Z'));
    expect(a < b).toBe(true);
  });

  it('never goes backwards when the clock does', () => {
    const clock = new ManualClock();
    const ulid = createUlidFactory(clock);
    const a = ulid();
    const b = ulid();
    clock.advance(-60_000);
    const c = ulid();
    expect(a < b && b < c).toBe(true);
    expect(decodeTime(c)).toBe(decodeTime(a)); // held at the latest time seen
  });

  it('throws rather than repeat an id when the random part cannot count up any more', () => {
    const clock = new ManualClock();
    const ulid = createUlidFactory(clock, () => 1); // random part all Z: the next one overflows
    const first = ulid();
    expect(first.endsWith('Z'.repeat(16))).toBe(true);
    expect(() => ulid()).toThrow();
  });
});
