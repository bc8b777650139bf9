/**
 * The pure part of the suite's report: round order, medians, ratios, the markdown summary
 * and the generated section of docs/BENCHMARKS.md. run.ts does the measuring and the files.
 */
import { fmt } from '../report.js';
import { median } from '../stats.js';
import type { Curve, Sample, SummaryRow } from './types.js';

export const DOCS_BEGIN = '<!-- suite:begin -->';
export const DOCS_END = '<!-- suite:end -->';

/** One round of one workload as recorded (the warm-up, round -1, is not). */
export type RoundRecord = {
  round: number;
  /** 1-minute load average before the round. */
  load: number;
  /** Share of all cores busy (from /proc/stat) just before the round, 0–1. */
  busy: number;
  order: string[];
  samples: Record<string, Sample>;
  /** Wall time of each subject's measure, ms. */
  ms: Record<string, number>;
};

export type WorkloadResult = {
  name: string;
  title: string;
  subjects: string[];
  budgetMs: number;
  elapsedMs: number;
  rounds: RoundRecord[];
  medians: Record<string, Sample>;
  summary: SummaryRow[];
  curves: Curve[];
  /** Set when a measure threw: the workload has no figures. */
  error?: string;
};

export type SuiteReport = {
  startedAt: string;
  elapsedMs: number;
  command: string;
  quick: boolean;
  node: string;
  machine: Record<string, unknown>;
  /** Every workload there is ran (not a `-- <name>` selection). */
  complete: boolean;
  workloads: WorkloadResult[];
};

/**
 * The subjects in the order of one round: rotated by one each round, so over three rounds
 * of three subjects each goes first once (round -1, the warm-up, keeps the listed order).
 */
export function roundOrder<T>(subjects: readonly T[], round: number): T[] {
  const n = subjects.length;
  if (n === 0) return [];
  const k = (((round + 1) % n) + n) % n;
  return [...subjects.slice(k), ...subjects.slice(0, k)];
}

/** Per metric, the median of the finite values of the rounds (NaN where there is none). */
export function medianSample(samples: readonly Sample[]): Sample {
  const keys = new Set(samples.flatMap((s) => Object.keys(s)));
  const out: Sample = {};
  for (const key of keys) {
    out[key] = median(samples.map((s) => s[key]).filter((v): v is number => v !== undefined));
  }
  return out;
}

/** Medians per subject over the recorded rounds. */
export function mediansOf(
  subjects: readonly string[],
  rounds: readonly RoundRecord[],
): Record<string, Sample> {
  return Object.fromEntries(
    subjects.map((s) => [
      s,
      medianSample(rounds.map((r) => r.samples[s]).filter((x): x is Sample => x !== undefined)),
    ]),
  );
}

/** Every recorded sample per subject, for `Workload.curves`. */
export function samplesBySubject(
  subjects: readonly string[],
  rounds: readonly RoundRecord[],
): Record<string, Sample[]> {
  return Object.fromEntries(
    subjects.map((s) => [
      s,
      rounds.map((r) => r.samples[s]).filter((x): x is Sample => x !== undefined),
    ]),
  );
}

/** a / b, NaN unless both are finite and b is not 0. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return Number.NaN;
  }
  return a / b;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;

function ratiosText(ratios: Record<string, number>): string {
  return Object.entries(ratios)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(' · ');
}

/** One line per target: the workload, the target, the ratios measured and ✅/❌. */
export function targetsTable(workloads: readonly WorkloadResult[]): string {
  const lines = [row(['workload', 'target', 'measured', 'met']), '|---|---|---|:---:|'];
  for (const w of workloads) {
    if (w.error) {
      lines.push(row([`\`${w.name}\``, '—', `failed: ${w.error.split('\n')[0] ?? ''}`, '❌']));
      continue;
    }
    for (const r of w.summary) {
      if (!r.target) continue;
      const measured = Object.keys(r.ratios).length
        ? ratiosText(r.ratios)
        : Object.entries(r.values)
            .map(([s, v]) => `${s} ${fmt(v)} ${r.unit}`)
            .join(' · ');
      lines.push(row([`\`${w.name}\``, r.target.text, measured, r.target.met ? '✅' : '❌']));
    }
  }
  return lines.join('\n');
}

/** A workload's rows: one column per subject (medians), then the ratios. */
export function workloadTable(w: WorkloadResult): string {
  const head = ['metric', 'unit', ...w.subjects, 'ratios'];
  const lines = [row(head), `|---|---|${w.subjects.map(() => '---:|').join('')}---|`];
  for (const r of w.summary) {
    lines.push(
      row([
        r.metric,
        r.unit,
        ...w.subjects.map((s) => fmt(r.values[s] ?? Number.NaN)),
        ratiosText(r.ratios) || '–',
      ]),
    );
  }
  return lines.join('\n');
}

function loadRange(workloads: readonly WorkloadResult[]): string {
  const loads = workloads.flatMap((w) => w.rounds.map((r) => r.load));
  const busy = workloads.flatMap((w) => w.rounds.map((r) => r.busy));
  if (!loads.length) return 'no rounds recorded';
  const range = (xs: number[], f: (x: number) => string) =>
    `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
  return (
    `load average before rounds ${range(loads, (x) => x.toFixed(1))}, ` +
    `CPU busy before rounds ${range(busy, (x) => `${Math.round(x * 100)} %`)}`
  );
}

/**
 * The markdown summary: what ran where, the targets, one table per workload and the charts
 * (`charts[name]` is the chart's path relative to the docs file).
 */
export function suiteMarkdown(
  report: SuiteReport,
  opts: { resultsFile: string; charts?: Record<string, string> },
): string {
  const m = report.machine;
  const minutes = (report.elapsedMs / 60_000).toFixed(1);
  const out: string[] = [
    `Run ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC, \`${report.command}\`` +
      `${report.quick ? ' (quick mode: smoke test only, not figures)' : ''}, ${minutes} min; ` +
      `Node ${report.node}; ${String(m.cpu)}, ${String(m.cores)} cores, ${String(m.memoryGiB)} GiB; ` +
      `${loadRange(report.workloads)}. Results: \`${opts.resultsFile}\`.`,
    '',
    targetsTable(report.workloads),
  ];
  for (const w of report.workloads) {
    out.push('', `#### \`${w.name}\`: ${w.title}`, '');
    if (w.error) {
      out.push(`Failed: ${w.error.split('\n')[0] ?? ''}`);
      continue;
    }
    const rounds = w.rounds.length;
    out.push(
      `Medians of ${rounds} round${rounds === 1 ? '' : 's'}` +
        `${rounds < 3 ? ' (time budget reached before 3)' : ''}, ${Math.round(w.elapsedMs / 1000)} s.`,
      '',
      workloadTable(w),
    );
    const chart = opts.charts?.[w.name];
    if (chart) out.push('', `![p99 latency against offered load, ${w.name}](${chart})`);
  }
  return out.join('\n');
}

/** Replaces what is between the suite markers (the markers stay); throws if they are missing. */
export function replaceBetweenMarkers(doc: string, content: string): string {
  const begin = doc.indexOf(DOCS_BEGIN);
  const end = doc.indexOf(DOCS_END);
  if (begin < 0 || end < begin) {
    throw new Error(`the docs have no ${DOCS_BEGIN} … ${DOCS_END} section`);
  }
  return `${doc.slice(0, begin + DOCS_BEGIN.length)}\n\n${content.trim()}\n\n${doc.slice(end)}`;
}
