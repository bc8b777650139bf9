import { z } from 'zod';

export const CHAT_LIMITS = {
  /**
   * Characters after trimming, counted as JavaScript's `String.length` counts them
   * (UTF-16 code units), which is also what an HTML `maxlength` counts.
   */
  maxTextLength: 2000,
  /** Messages `room.joined` carries. */
  tailSize: 50,
  historyDefaultLimit: 50,
  historyMaxLimit: 100,
  /**
   * Per user, across tabs: a token bucket of `sendBurst` messages refilled at
   * `sendPerSecond`. A quick back-and-forth fits; a paste loop does not.
   */
  sendPerSecond: 1,
  sendBurst: 10,
  /** At most one `chat.typing` per user and room in this window reaches the others. */
  typingIntervalMs: 2000,
} as const;

/**
 * Server-assigned message id: a ULID (26 characters of Crockford base32, time-ordered).
 * Order within a room is `seq`; the id is what `before` and clients' keys use.
 */
export const ChatMessageId = z
  .string()
  .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { message: 'Not a message id' });

// Control characters would let a message forge lines or hide text; newline and tab are
// the only ones a chat message needs. NUL also cannot be stored in PostgreSQL text.
const hasForbiddenControl = (s: string) => /\p{Cc}/u.test(s.replace(/[\n\t]/g, ''));
// A lone surrogate cannot be encoded as UTF-8: it would be stored as U+FFFD, not as sent.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What a person types: CRLF and CR become LF, then trimmed, 1–2000 characters. */
export const ChatText = z
  .string()
  .overwrite((s) => s.replace(/\r\n?/g, '\n'))
  .trim()
  .min(1, { message: 'Write something' })
  .max(CHAT_LIMITS.maxTextLength, {
    message: `Use at most ${CHAT_LIMITS.maxTextLength} characters`,
  })
  .refine((s) => !hasForbiddenControl(s), {
    message: 'Control characters other than newline and tab are not allowed',
  })
  .refine((s) => !LONE_SURROGATE.test(s), { message: 'Not valid Unicode text' });

/**
 * One stored message. `userId` and `displayName` are the sender's as the server knows
 * them at send time, never taken from the client. `text` is raw text: render it as
 * text, never as HTML.
 */
export const ChatMessage = z
  .object({
    id: ChatMessageId,
    /** 1, 2, 3… per room, in the order the server stored them. */
    seq: z.int().min(1),
    roomId: z.uuid(),
    userId: z.uuid(),
    displayName: z.string(),
    text: z.string(),
    sentAt: z.iso.datetime(),
  })
  .meta({ id: 'ChatMessage' });
export type ChatMessage = z.infer<typeof ChatMessage>;

/**
 * `GET /api/rooms/:id/messages` query (`limit` arrives as text and is coerced). No
 * registered id: @fastify/swagger cannot expand a `$ref` into query parameters.
 */
export const ChatHistoryQuery = z.object({
  before: ChatMessageId.optional().meta({
    description: 'Return messages older than this one; the newest page when left out',
  }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(CHAT_LIMITS.historyMaxLimit)
    .default(CHAT_LIMITS.historyDefaultLimit),
});
export type ChatHistoryQuery = z.infer<typeof ChatHistoryQuery>;

export const ChatHistoryResponse = z
  .object({
    messages: z.array(ChatMessage).meta({ description: 'Oldest first' }),
    hasMore: z.boolean().meta({ description: 'Older messages exist before the first one' }),
  })
  .meta({ id: 'ChatHistoryResponse' });
export type ChatHistoryResponse = z.infer<typeof ChatHistoryResponse>;
