import type { Clock, TimerId } from './clock';

/** How long a link may take to connect before it is repaired (PROTOCOL.md, "Links heal"). */
export const REPAIR_BOUND_MS = 8_000;
/** The bound while another of our links is connected: the network works, this link does not. */
export const REPAIR_BOUND_FAST_MS = 4_000;

/** What a repair did last: nothing yet, a re-offer with new ICE credentials, a new connection. */
export type RepairStep = 'none' | 'ice-restart' | 'rebuild';

export interface LinkHealth {
  /** `repairing` once the link missed its bound; back to `connected` when media flows. */
  state: 'connecting' | 'connected' | 'repairing';
  step: RepairStep;
  /** Repair actions taken on this link (ICE restarts and rebuilds, across rebuilds). */
  repairs: number;
}

export interface LinkRepairOptions {
  clock: Clock;
  /** The polite side only acts if the impolite one did not (it waits three bounds). */
  polite: boolean;
  /** The bound to use now (asked each time a step is scheduled). */
  boundMs: () => number;
  /** Whether an ICE restart can help: stable, with the peer's description applied. */
  canRestartIce: () => boolean;
  restartIce: () => void;
  /** Replace the RTCPeerConnection with a new one that offers (this watcher is then closed). */
  rebuild: () => void;
  onChange: () => void;
  /** Carried over from the link this one replaced. */
  repairs?: number;
}

/**
 * Watches one link and repairs it when it does not connect in time: the impolite side
 * restarts ICE after one bound (or rebuilds at once when a restart cannot help, e.g. an
 * offer or answer was lost) and rebuilds after two; the polite side rebuilds after three
 * bounds, so it acts only when the impolite side did not. Both sides agree on who is
 * impolite (isPolite), so at most one of them acts at each step.
 */
export class LinkRepair {
  private readonly opts: LinkRepairOptions;
  private timer: TimerId | undefined;
  private _health: LinkHealth;
  private closed = false;

  constructor(opts: LinkRepairOptions) {
    this.opts = opts;
    this._health = { state: 'connecting', step: 'none', repairs: opts.repairs ?? 0 };
    this.schedule(1);
  }

  get health(): LinkHealth {
    return { ...this._health };
  }

  /** The link's connection state changed. */
  state(state: RTCPeerConnectionState): void {
    if (this.closed) return;
    if (state === 'connected') {
      this.clear();
      return this.set({ ...this._health, state: 'connected', step: 'none' });
    }
    // A link that was up and went down starts a fresh schedule (the link already restarts
    // ICE on `failed` and after a long `disconnected`; this bounds what happens next).
    if ((state === 'failed' || state === 'disconnected') && this._health.state === 'connected') {
      this.set({ ...this._health, state: 'repairing' });
      this.schedule(1);
    }
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  /** Arms the check after `bounds` bounds from now (1 = the next bound). */
  private schedule(bound: number): void {
    this.clear();
    this.timer = this.opts.clock.setTimeout(() => this.due(bound), this.opts.boundMs());
  }

  private due(bound: number): void {
    this.timer = undefined;
    if (this.closed || this._health.state === 'connected') return;
    if (this._health.state !== 'repairing') this.set({ ...this._health, state: 'repairing' });
    const { polite } = this.opts;
    if (!polite && bound === 1 && this.opts.canRestartIce()) {
      this.set({ ...this._health, step: 'ice-restart', repairs: this._health.repairs + 1 });
      this.opts.restartIce();
      return this.schedule(2);
    }
    if (!polite || bound >= 3) {
      this.set({ ...this._health, step: 'rebuild', repairs: this._health.repairs + 1 });
      this.close();
      return this.opts.rebuild();
    }
    this.schedule(bound + 1);
  }

  private set(health: LinkHealth): void {
    this._health = health;
    this.opts.onChange();
  }

  private clear(): void {
    if (this.timer === undefined) return;
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Why a link is not carrying media right now, for the tile and its quality indicator:
 * `late` (not connected within its bound yet), `ice-restart` / `rebuild` (the repair
 * under way), `lost` (it was up and dropped). Undefined while the link is fine or still
 * within its first bound.
 */
export type LinkTrouble = 'late' | 'ice-restart' | 'rebuild' | 'lost';

export function linkTrouble(
  state: RTCPeerConnectionState,
  health: LinkHealth | undefined,
): LinkTrouble | undefined {
  const down = state === 'disconnected' || state === 'failed';
  if (health?.state === 'repairing') {
    if (health.step !== 'none') return health.step;
    return down ? 'lost' : 'late';
  }
  return down ? 'lost' : undefined;
}
