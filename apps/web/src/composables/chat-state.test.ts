import type { ChatMessage } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { TypingThrottle, TypingTracker, mergeMessages, unreadDelta } from './chat-state';

const ROOM = '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12';
const ADA = '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11';
const GRACE = '9d2f3c4b-1a2b-4c3d-8e4f-5a6b7c8d9e0f';

function msg(seq: number, userId = GRACE, text = `m${seq}`): ChatMessage {
  return {
    id: `01JGZ7K3Q4M5N6P7R8S9T0V${String(seq).padStart(3, '0')}`,
    seq,
    roomId: ROOM,
    userId,
    displayName: userId === ADA ? 'Ada' : 'Grace',
    text,
    sentAt: new Date(1_735_725_600_000 + seq * 1000).toISOString(),
  };
}

describe('mergeMessages', () => {
  it('orders by seq whatever the arrival order', () => {
    const out = mergeMessages([msg(2)], [msg(5), msg(1), msg(3)]);
    expect(out.map((m) => m.seq)).toEqual([1, 2, 3, 5]);
  });

  it('keeps one copy per id (history and a live message overlapping)', () => {
    const out = mergeMessages([msg(1), msg(2), msg(3)], [msg(3), msg(2), msg(4)]);
    expect(out.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('prepends an older page', () => {
    const out = mergeMessages([msg(51), msg(52)], [msg(1), msg(2), msg(50)]);
    expect(out.map((m) => m.seq)).toEqual([1, 2, 50, 51, 52]);
  });
});

describe('unreadDelta', () => {
  const known = new Set([msg(1).id]);
  it('counts new messages from others while the panel is closed', () => {
    expect(unreadDelta(known, [msg(2), msg(3)], ADA, false)).toBe(2);
  });
  it('does not count own messages, known ones, or anything while open', () => {
    expect(unreadDelta(known, [msg(2, ADA)], ADA, false)).toBe(0);
    expect(unreadDelta(known, [msg(1)], ADA, false)).toBe(0);
    expect(unreadDelta(known, [msg(2)], ADA, true)).toBe(0);
  });
});

describe('TypingThrottle', () => {
  it('lets one typing notice out per 2 s of continuous typing', () => {
    const t = new TypingThrottle(2000);
    const sent = [0, 100, 500, 1999, 2000, 2100, 3999, 4000].filter((ms) => t.shouldSend(ms));
    expect(sent).toEqual([0, 2000, 4000]);
  });
  it('starts over after a send', () => {
    const t = new TypingThrottle(2000);
    expect(t.shouldSend(0)).toBe(true);
    t.reset();
    expect(t.shouldSend(10)).toBe(true);
  });
});

describe('TypingTracker', () => {
  it('shows a name for 4 s after the last notice', () => {
    const t = new TypingTracker(4000);
    t.saw(GRACE, 'Grace', 0);
    expect(t.names(3999)).toEqual(['Grace']);
    t.saw(GRACE, 'Grace', 3000);
    expect(t.names(6999)).toEqual(['Grace']);
    expect(t.names(7000)).toEqual([]);
    expect(t.nextExpiry()).toBeUndefined();
  });
  it('drops a person whose message arrived', () => {
    const t = new TypingTracker(4000);
    t.saw(GRACE, 'Grace', 0);
    t.saw(ADA, 'Ada', 0);
    t.stopped(GRACE);
    expect(t.names(1)).toEqual(['Ada']);
  });
});
