/**
 * The contract between the suite runner (run.ts) and its workloads. A workload measures
 * Parley and its ceilings/peers side by side: for each round, each subject in turn (the order
 * rotates every round so no subject always runs first), and reports per-subject medians and
 * the ratios the targets are stated in.
 */
export type RoundContext = {
  /** Round number from 0; round -1 is the unrecorded warm-up. */
  round: number;
  /** Quick mode (`BENCH_QUICK=1`): short durations and small N, for smoke tests only. */
  quick: boolean;
  /** 1-minute load average seen before the round started. */
  load: number;
};

/** One measurement of one subject in one round: named metrics, e.g. { rps: 51234, p99Ms: 4.1 }. */
export type Sample = Record<string, number>;

export type Workload<S extends string = string> = {
  /** CLI name: `npm run bench -- <name>`. */
  name: string;
  /** One line for the docs table. */
  title: string;
  subjects: readonly S[];
  /** Measures one subject once (start it, load it, stop it). */
  measure(subject: S, ctx: RoundContext): Promise<Sample>;
  /**
   * The summary rows from the medians: each metric of interest, per subject, and the ratios
   * (e.g. parley / ceiling). `medians[subject][metric]`.
   */
  summarize(medians: Record<S, Sample>): SummaryRow[];
  /** Optional series for the latency-vs-offered-load chart (fan-out knee). */
  curves?(samples: Record<S, Sample[]>): Curve[];
};

export type SummaryRow = {
  metric: string;
  /** Subject -> value, in the unit named. */
  values: Record<string, number>;
  unit: string;
  /** Ratios such as { 'parley / node:http': 0.61 }. */
  ratios: Record<string, number>;
  /** The target for this row, stated as text, and whether the run met it. */
  target?: { text: string; met: boolean };
};

export type Curve = { subject: string; points: { offered: number; p99Ms: number }[] };
