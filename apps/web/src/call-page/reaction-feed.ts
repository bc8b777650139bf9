import type { Clock, TimerId } from '../calls';
import { systemClock } from '../calls';

/** A reaction floating over its sender's tile. */
export interface FloatingReaction {
  /** Unique for the page's lifetime (a key for the bubble). */
  id: number;
  /** The sender's connection (the `reaction` message's connectionId). */
  connectionId: string;
  emoji: string;
}

export interface ReactionFeedOptions {
  /** Called with the new list whenever a bubble appears or goes. */
  onChange: (list: readonly FloatingReaction[]) => void;
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** How long a bubble floats. */
  lifetimeMs?: number;
  /** Bubbles over one tile at once; an older one gives way. */
  maxPerTile?: number;
  /** Bubbles on the page at once. */
  maxTotal?: number;
}

export const REACTION_LIFETIME_MS = 3_000;

/**
 * The reactions on screen: each for `lifetimeMs`, at most a few per tile and a few on the
 * page, so a burst from a big room stays readable (the oldest gives way first). The page
 * model feeds it the engine's `reaction` events and hands `list` to the stage.
 */
export class ReactionFeed {
  private items: FloatingReaction[] = [];
  private readonly timers = new Map<number, TimerId>();
  private nextId = 1;
  private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  private readonly lifetimeMs: number;
  private readonly maxPerTile: number;
  private readonly maxTotal: number;

  constructor(private readonly opts: ReactionFeedOptions) {
    this.clock = opts.clock ?? systemClock;
    this.lifetimeMs = opts.lifetimeMs ?? REACTION_LIFETIME_MS;
    this.maxPerTile = opts.maxPerTile ?? 3;
    this.maxTotal = opts.maxTotal ?? 8;
  }

  get list(): readonly FloatingReaction[] {
    return this.items;
  }

  push(connectionId: string, emoji: string): void {
    const item = { id: this.nextId++, connectionId, emoji };
    let next = [...this.items, item];
    const mine = next.filter((r) => r.connectionId === connectionId);
    const drop = new Set(
      mine.slice(0, Math.max(0, mine.length - this.maxPerTile)).map((r) => r.id),
    );
    next = next.filter((r) => !drop.has(r.id));
    for (const r of next.slice(0, Math.max(0, next.length - this.maxTotal))) drop.add(r.id);
    for (const id of drop) this.clearTimer(id);
    this.items = next.filter((r) => !drop.has(r.id));
    this.timers.set(
      item.id,
      this.clock.setTimeout(() => this.remove(item.id), this.lifetimeMs),
    );
    this.opts.onChange(this.items);
  }

  /** Drops everything (leaving the call). */
  dispose(): void {
    for (const id of [...this.timers.keys()]) this.clearTimer(id);
    this.items = [];
  }

  private remove(id: number): void {
    this.timers.delete(id);
    const next = this.items.filter((r) => r.id !== id);
    if (next.length === this.items.length) return;
    this.items = next;
    this.opts.onChange(this.items);
  }

  private clearTimer(id: number): void {
    const timer = this.timers.get(id);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this.timers.delete(id);
  }
}
