import { describe, expect, it } from 'vitest';
import { CHAT_LIMITS, ChatHistoryQuery, ChatMessageId } from './chat.js';

describe('ChatHistoryQuery', () => {
  it('defaults the limit to 50 and reads it from a query string', () => {
    expect(ChatHistoryQuery.parse({})).toEqual({ limit: CHAT_LIMITS.historyDefaultLimit });
    expect(ChatHistoryQuery.parse({ limit: '100' })).toEqual({ limit: 100 });
  });

  it.each(['0', '101', '2.5', 'ten', '-1'])('rejects the limit %j', (limit) => {
    expect(ChatHistoryQuery.safeParse({ limit }).success).toBe(false);
  });

  it('takes a message id as `before` and nothing else', () => {
    const before = '01JGZ7K3Q4M5N6P7R8S9T0VWXY';
    expect(ChatHistoryQuery.parse({ before })).toEqual({ before, limit: 50 });
    for (const bad of ['1', "01JGZ7K3Q4M5N6P7R8S9T0VWX'", '01jgz7k3q4m5n6p7r8s9t0vwxy']) {
      expect(ChatHistoryQuery.safeParse({ before: bad }).success).toBe(false);
    }
  });
});

describe('ChatMessageId', () => {
  it('is 26 characters of Crockford base32 (no I, L, O, U)', () => {
    expect(ChatMessageId.safeParse('0123456789ABCDEFGHJKMNPQRS').success).toBe(true);
    expect(ChatMessageId.safeParse('0123456789ABCDEFGHJKMNPQRI').success).toBe(false);
    expect(ChatMessageId.safeParse('0123456789ABCDEFGHJKMNPQR').success).toBe(false);
  });
});
