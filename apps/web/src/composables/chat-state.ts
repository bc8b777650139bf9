import type { ChatMessage } from '@parley/protocol';

/**
 * Pure pieces of the chat panel's state, kept apart from Vue and the socket so they can be
 * tested on their own.
 */

/** `current` plus `incoming`, one entry per id (the later copy wins), ordered by `seq`. */
export function mergeMessages(
  current: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): ChatMessage[] {
  const byId = new Map<string, ChatMessage>();
  for (const m of current) byId.set(m.id, m);
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Messages that count as unread: new ones (not already shown) from someone else, while the
 * panel is closed.
 */
export function unreadDelta(
  known: ReadonlySet<string>,
  incoming: readonly ChatMessage[],
  selfUserId: string | undefined,
  panelOpen: boolean,
): number {
  if (panelOpen) return 0;
  let n = 0;
  for (const m of incoming) if (!known.has(m.id) && m.userId !== selfUserId) n += 1;
  return n;
}

/** Lets a `chat.typing` out at most once every `intervalMs` while the person types. */
export class TypingThrottle {
  private lastSent = -Infinity;
  constructor(private readonly intervalMs = 2000) {}

  /** Call on every keystroke; true when a `chat.typing` should be sent now. */
  shouldSend(now: number): boolean {
    if (now - this.lastSent < this.intervalMs) return false;
    this.lastSent = now;
    return true;
  }

  /** After a message went out: the next keystroke may announce typing again. */
  reset(): void {
    this.lastSent = -Infinity;
  }
}

/** Who is typing: each `chat.typing` keeps a person listed for `showMs`. */
export class TypingTracker {
  private readonly until = new Map<string, { name: string; until: number }>();
  constructor(private readonly showMs = 4000) {}

  saw(userId: string, name: string, now: number): void {
    this.until.set(userId, { name, until: now + this.showMs });
  }

  /** Their message arrived: they are no longer typing it. */
  stopped(userId: string): void {
    this.until.delete(userId);
  }

  /** Names still typing at `now`, in the order they started; expired ones are dropped. */
  names(now: number): string[] {
    for (const [id, v] of this.until) if (v.until <= now) this.until.delete(id);
    return [...this.until.values()].map((v) => v.name);
  }

  /** When the next entry expires (to schedule a refresh), or undefined when none is left. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const v of this.until.values()) if (next === undefined || v.until < next) next = v.until;
    return next;
  }
}
