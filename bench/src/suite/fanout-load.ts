/**
 * Room fan-out under a paced offered load, shared by fanout-knee and fanout-redis: rooms
 * of `size` sockets, `media.update` sent at `rate` messages/s in total, round-robin over
 * the rooms and then over each room's members, and every delivery (each member, the
 * sender included, gets one `participant.updated`) timed from its send. The k-th update
 * from a sender that a receiver gets is that sender's k-th send: order is kept end to end.
 */
import { percentile } from '../stats.js';
import { encode } from './ws-load.js';
import type { LoadSocket, Wire } from './ws-load.js';

export type StepResult = {
  /** Offered deliveries/s (messages/s × room size). */
  offered: number;
  /** Deliveries per second achieved: delivered / (first send → last receive). */
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Every delivery arrived before the drain deadline. */
  complete: boolean;
  deliveries: number;
  /** Subject CPU over the step, per delivery (µs), when a meter is given. */
  cpuUsPerDelivery: number;
  /**
   * This process's (the load generator's) CPU over the step, as a share of one core. Near
   * 1, the step measured the generator: every subject would stall at the same load.
   */
  generatorBusy: number;
};

/** The knee: the most deliveries/s of a complete step whose p99 stayed within the bound. */
export function kneeOf(steps: readonly StepResult[], maxP99Ms = 50): StepResult | undefined {
  let best: StepResult | undefined;
  for (const s of steps) {
    if (!s.complete || !(s.p99Ms <= maxP99Ms)) continue;
    if (!best || s.deliveriesPerSec > best.deliveriesPerSec) best = s;
  }
  return best;
}

/** Stepping stops after the first step past the bound (one point beyond the knee for the chart). */
export function pastKnee(step: StepResult, maxP99Ms = 50): boolean {
  return !step.complete || !(step.p99Ms <= maxP99Ms);
}

/** Sender order: message k goes to room k mod R, member (k div R) mod size. */
export function senderOf(k: number, rooms: number, size: number): number {
  const room = k % rooms;
  const member = Math.floor(k / rooms) % size;
  return room * size + member;
}

export class FanoutRun {
  private readonly index = new Map<string, number>();
  private readonly frames: [string, string];

  /**
   * `sockets[i]` is in room floor(i / size) and had `connectionIds[i]` in its welcome
   * (what `participant.updated` names it by).
   */
  constructor(
    private readonly sockets: readonly LoadSocket[],
    connectionIds: readonly string[],
    private readonly size: number,
    wire: Wire,
  ) {
    connectionIds.forEach((id, i) => this.index.set(id, i));
    // Toggling state, so every message is a real change.
    this.frames = [
      encode(wire, 'media.update', { audio: true, video: true, screen: false }),
      encode(wire, 'media.update', { audio: false, video: true, screen: false }),
    ];
  }

  /** One step: `rate` messages/s for `durationMs`, then waits up to `drainMs` for the rest. */
  async step(
    rate: number,
    durationMs: number,
    opts: { drainMs?: number; cpuMs?: () => number } = {},
  ): Promise<StepResult> {
    const n = this.sockets.length;
    const size = this.size;
    const rooms = Math.ceil(n / size);
    const total = Math.round((rate * durationMs) / 1000);
    const sendTimes: number[][] = Array.from({ length: n }, () => []);
    // counts[receiver * size + sender's seat]: updates from that sender seen so far.
    const counts = new Int32Array(n * size);
    const latencies = new Float64Array(total * size);
    let received = 0;
    let stray = 0;
    let lastAt = 0;
    let done: (() => void) | undefined;
    this.sockets.forEach((s, r) => {
      s.onUpdate = (senderId, at) => {
        const from = this.index.get(senderId);
        const sentAt = from === undefined ? undefined : sendTimes[from];
        if (from === undefined || !sentAt) return void stray++;
        const k = counts[r * size + (from % size)]!++;
        const t = sentAt[k];
        if (t === undefined) return void stray++;
        latencies[received++] = at - t;
        lastAt = at;
        if (received === latencies.length) done?.();
      };
    });
    const cpu0 = opts.cpuMs?.();
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    let k = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
        for (; k < due; k++) {
          const i = senderOf(k, rooms, size);
          const list = sendTimes[i]!;
          list.push(performance.now());
          this.sockets[i]!.sendRaw(this.frames[list.length % 2]!);
        }
        if (k >= total) return resolve();
        setTimeout(tick, 1);
      };
      tick();
    });
    const complete = await new Promise<boolean>((resolve) => {
      if (received === latencies.length) return resolve(true);
      const timer = setTimeout(() => resolve(false), opts.drainMs ?? 10_000);
      done = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    const cpu = cpu0 === undefined ? Number.NaN : opts.cpuMs!() - cpu0;
    const own = process.cpuUsage(own0);
    const generatorBusy = (own.user + own.system) / 1000 / (performance.now() - t0);
    for (const s of this.sockets) s.onUpdate = undefined;
    const got = latencies.subarray(0, received).sort();
    return {
      offered: rate * size,
      deliveriesPerSec: (received / (lastAt - t0)) * 1000,
      p50Ms: percentile(got, 50),
      p99Ms: percentile(got, 99),
      complete: complete && stray === 0,
      deliveries: received,
      cpuUsPerDelivery: (cpu * 1000) / received,
      generatorBusy,
    };
  }
}
