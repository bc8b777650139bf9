import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReactionFeed } from './reaction-feed';
import type { FloatingReaction } from './reaction-feed';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function feed(opts: { maxPerTile?: number; maxTotal?: number } = {}) {
  const seen: (readonly FloatingReaction[])[] = [];
  const f = new ReactionFeed({ onChange: (list) => seen.push(list), ...opts });
  const emojis = () => f.list.map((r) => `${r.connectionId}${r.emoji}`);
  return { f, seen, emojis };
}

describe('ReactionFeed', () => {
  it('shows a reaction for three seconds', () => {
    const { f, emojis, seen } = feed();
    f.push('c1', '👍');
    expect(emojis()).toEqual(['c1👍']);
    vi.advanceTimersByTime(2_999);
    expect(emojis()).toEqual(['c1👍']);
    vi.advanceTimersByTime(1);
    expect(emojis()).toEqual([]);
    expect(seen).toHaveLength(2);
  });

  it('keeps at most a few per tile, the oldest giving way', () => {
    const { f, emojis } = feed({ maxPerTile: 3 });
    for (const e of ['1', '2', '3', '4']) f.push('c1', e);
    f.push('c2', 'x');
    expect(emojis()).toEqual(['c12', 'c13', 'c14', 'c2x']);
  });

  it('keeps at most a few on the page', () => {
    const { f } = feed({ maxPerTile: 3, maxTotal: 4 });
    for (const c of ['a', 'b', 'c', 'd', 'e']) f.push(c, '🎉');
    expect(f.list.map((r) => r.connectionId)).toEqual(['b', 'c', 'd', 'e']);
    // The dropped one's timer is gone with it: nothing left over fires later.
    vi.advanceTimersByTime(3_000);
    expect(f.list).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops every timer when disposed', () => {
    const { f } = feed();
    f.push('c1', '👍');
    f.push('c2', '👏');
    f.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(f.list).toEqual([]);
  });
});
