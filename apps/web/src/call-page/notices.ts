import type { Clock, TimerId } from '../calls';
import type { Notice, NoticeMessage } from './types';

/** How long a notice stays, and how many show at once (the oldest gives way). */
export const NOTICE_MS = 4_000;
export const MAX_NOTICES = 3;

/**
 * The short messages in the corner of the call ("Bob was removed", "X muted you"). Each
 * goes after NOTICE_MS by the injected clock; dispose() clears every timer, so none fires
 * after the page is gone.
 */
export class NoticeQueue {
  private items: Notice[] = [];
  private readonly timers = new Map<number, TimerId>();
  private nextId = 0;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly onChange: () => void,
  ) {}

  get list(): Notice[] {
    return this.items;
  }

  push(message: NoticeMessage, kind: Notice['kind'] = 'error' in message ? 'error' : 'info'): void {
    if (this.disposed) return;
    const id = ++this.nextId;
    const next = [...this.items, { id, kind, message }];
    for (const gone of next.splice(0, Math.max(0, next.length - MAX_NOTICES))) this.forget(gone.id);
    this.items = next;
    this.timers.set(
      id,
      this.clock.setTimeout(() => this.dismiss(id), NOTICE_MS),
    );
    this.onChange();
  }

  dismiss(id: number): void {
    if (!this.items.some((n) => n.id === id)) return;
    this.forget(id);
    this.items = this.items.filter((n) => n.id !== id);
    this.onChange();
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.timers.keys()]) this.forget(id);
    this.items = [];
  }

  private forget(id: number): void {
    const timer = this.timers.get(id);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this.timers.delete(id);
  }
}
