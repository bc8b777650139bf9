/**
 * Turns sampled audio levels (0..1) into a steady "is speaking" flag: on as soon as the
 * level passes `threshold`, off only after `holdMs` below it, so the highlight does not
 * flicker between syllables.
 */
export class SpeakingTracker {
  private readonly lastLoud = new Map<string, number>();

  constructor(
    private readonly threshold = 0.05,
    private readonly holdMs = 700,
  ) {}

  /** Records one sample for `id` at time `now` and says whether `id` counts as speaking. */
  sample(id: string, level: number, now: number): boolean {
    if (level >= this.threshold) {
      this.lastLoud.set(id, now);
      return true;
    }
    const last = this.lastLoud.get(id);
    if (last === undefined) return false;
    if (now - last <= this.holdMs) return true;
    this.lastLoud.delete(id);
    return false;
  }

  /** Forgets everyone not in `ids` (people who left). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of [...this.lastLoud.keys()]) if (!ids.has(id)) this.lastLoud.delete(id);
  }
}
