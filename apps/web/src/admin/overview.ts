import type { MetricsSummary } from '@parley/protocol';
import { Emitter } from '../calls/emitter';

export type OverviewState =
  | { kind: 'loading' }
  | { kind: 'ready'; summary: MetricsSummary; refreshing: boolean; error: unknown }
  | { kind: 'failed'; error: unknown };

/**
 * Share of peer links that came up (directly or through TURN), as a whole percentage;
 * null before any link reported.
 */
export function successRate(links: MetricsSummary['links']): number | null {
  const total = links.direct + links.relay + links.failed;
  if (total === 0) return null;
  return Math.round(((links.direct + links.relay) / total) * 100);
}

/** The admin overview: the metrics summary, refreshed on demand (the page does it each minute). */
export class Overview {
  private _state: OverviewState = { kind: 'loading' };
  private readonly events = new Emitter<{ change: (s: OverviewState) => void }>();
  private disposed = false;

  constructor(private readonly fetchSummary: () => Promise<MetricsSummary>) {}

  get state(): OverviewState {
    return this._state;
  }

  on(event: 'change', fn: (s: OverviewState) => void): () => void {
    return this.events.on(event, fn);
  }

  /** The first load shows "loading"; later ones keep the numbers shown until new ones come. */
  async load(): Promise<void> {
    const shown = this._state.kind === 'ready' ? this._state : null;
    this.set(shown ? { ...shown, refreshing: true } : { kind: 'loading' });
    try {
      const summary = await this.fetchSummary();
      this.set({ kind: 'ready', summary, refreshing: false, error: null });
    } catch (error) {
      this.set(shown ? { ...shown, refreshing: false, error } : { kind: 'failed', error });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.events.clear();
  }

  private set(s: OverviewState): void {
    if (this.disposed) return;
    this._state = s;
    this.events.emit('change', s);
  }
}
