import { CHAT_LIMITS } from '@parley/protocol';
import type {
  ChatHistoryQuery,
  ChatHistoryResponse,
  ChatMessage,
  Room,
  User,
} from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/database.js';
import type { RateLimit, RateLimiter } from '../../platform/live/index.js';
import { ChatErrors } from './errors.js';
import type { ChatRepo } from './repo.js';
import { createUlidFactory } from '../../platform/ulid.js';
import { toChatMessage } from './views.js';

/**
 * What chat needs from the rooms module: a room as one user sees it (its chat switch,
 * whether it is open, and that user's standing). Throws ROOM_NOT_FOUND for no room.
 */
export interface ChatRooms {
  view(roomId: string, userId: string): Promise<Room>;
}

/**
 * The limits the protocol promises, as live-state rate limiters (`live.rates(name, …)`):
 * sends per user across tabs (the default: operators set CHAT_SEND_*, see app.ts);
 * typing at most once per user and room per interval.
 */
export const CHAT_RATES = {
  send: { burst: CHAT_LIMITS.sendBurst, perSecond: CHAT_LIMITS.sendPerSecond },
  typing: { burst: 1, perSecond: 1000 / CHAT_LIMITS.typingIntervalMs },
} as const satisfies Record<string, RateLimit>;

export type ChatServiceDeps = {
  db: Db;
  repo: ChatRepo;
  rooms: ChatRooms;
  clock: Clock;
  /** `config.chat`'s send rate (CHAT_SEND_*), else `CHAT_RATES.send`; keyed by user. */
  sendLimiter: RateLimiter;
  /** `CHAT_RATES.typing`, keyed by room and user. */
  typingLimiter: RateLimiter;
};

/** Concurrent senders to one room on PostgreSQL may draw the same seq; one retries. */
const INSERT_ATTEMPTS = 10;

export function createChatService(deps: ChatServiceDeps) {
  const { db, repo, rooms, clock, sendLimiter, typingLimiter } = deps;
  const ulid = createUlidFactory(clock);

  /**
   * Someone in the room's call may talk only while they are admitted and chat is on; with
   * chat off, its hosts and co-hosts still may (announcements, links), as in Meet.
   */
  async function requireChatOpen(roomId: string, user: User): Promise<void> {
    const room = await rooms.view(roomId, user.id);
    if (room.status === 'closed') throw ChatErrors.roomClosed();
    if (room.myStatus !== 'approved') throw ChatErrors.notApproved();
    const moderates = room.myRole === 'host' || room.myRole === 'cohost';
    if (!room.chatEnabled && !moderates) throw ChatErrors.disabled();
  }

  return {
    /**
     * Stores a message from `user` (text already validated by the protocol schema). The
     * sender's id and name come from the session, never from the message.
     */
    async send(roomId: string, user: User, text: string): Promise<ChatMessage> {
      // Per user across tabs, checked before any database work.
      const wait = await sendLimiter.take(user.id);
      if (wait > 0) throw ChatErrors.rateLimited(wait);
      await requireChatOpen(roomId, user);
      const row = {
        id: ulid(),
        room_id: roomId,
        user_id: user.id,
        display_name: user.displayName,
        text,
        sent_at: clock.now().toISOString(),
      };
      for (let attempt = 1; ; attempt++) {
        try {
          const seq = await repo.insert(db, row);
          return toChatMessage({ ...row, seq });
        } catch (err) {
          if (isUniqueViolation(err) && attempt < INSERT_ATTEMPTS) continue;
          throw err;
        }
      }
    },

    /** True when the others should hear that `user` is typing; false when throttled. */
    async typing(roomId: string, user: User): Promise<boolean> {
      // Dropped, not queued: a later keystroke sends the next one.
      if ((await typingLimiter.take(`${roomId}:${user.id}`)) > 0) return false;
      await requireChatOpen(roomId, user);
      return true;
    },

    /** The tail `room.joined` carries: the last messages, oldest first. */
    async recent(roomId: string): Promise<ChatMessage[]> {
      const rows = await repo.newestFirst(db, roomId, CHAT_LIMITS.tailSize);
      return rows.reverse().map(toChatMessage);
    },

    /**
     * A page of history for someone who was admitted (approved now, or left since).
     * No standing at all is the same 404 as no room; a pending, denied or kicked person
     * already knows the room exists and gets 403 NOT_APPROVED.
     */
    async history(
      roomId: string,
      user: User,
      query: ChatHistoryQuery,
    ): Promise<ChatHistoryResponse> {
      const room = await rooms.view(roomId, user.id);
      switch (room.myStatus) {
        case null:
          throw ChatErrors.roomNotFound();
        case 'pending':
        case 'denied':
        case 'kicked':
          throw ChatErrors.notApproved();
        case 'approved':
        case 'left':
          break;
      }
      let beforeSeq: number | undefined;
      if (query.before !== undefined) {
        beforeSeq = await repo.seqOf(db, roomId, query.before);
        if (beforeSeq === undefined) throw ChatErrors.unknownBefore();
      }
      // One more than asked tells whether there is anything older.
      const rows = await repo.newestFirst(db, roomId, query.limit + 1, beforeSeq);
      const hasMore = rows.length > query.limit;
      return {
        messages: rows.slice(0, query.limit).reverse().map(toChatMessage),
        hasMore,
      };
    },
  };
}
export type ChatService = ReturnType<typeof createChatService>;
