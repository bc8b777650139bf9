/**
 * `npm run bench`: every workload of bench/src/suite/workloads/ (found at run time, so a new
 * file there is picked up without edits here), or `npm run bench -- <name> [<name>…]`.
 * `BENCH_QUICK=1` shortens everything for smoke tests; `--docs` rewrites the docs section
 * from a partial run too.
 *
 * Per workload: one unrecorded warm-up round, then up to 3 rounds within the workload's time
 * budget; the subjects take turns, in an order rotated every round. Before each round the
 * runner waits (boundedly) for the machine to go quiet and records the load it saw.
 * Results: bench/results/suite-<stamp>.json, a markdown summary on stdout and, when every
 * workload ran, in docs/BENCHMARKS.md between the suite markers, with an SVG chart per
 * workload that has latency-against-load curves.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fileStamp, fmt, machine, writeFormatted } from '../report.js';
import { latencyChart } from './chart.js';
import {
  mediansOf,
  replaceBetweenMarkers,
  roundOrder,
  samplesBySubject,
  suiteMarkdown,
} from './summary.js';
import type { RoundRecord, SuiteReport, WorkloadResult } from './summary.js';
import type { Sample, Workload } from './types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '../../..');
const WORKLOADS_DIR = path.join(HERE, 'workloads');
const RESULTS_DIR = path.resolve(HERE, '../../results');
const DOCS_FILE = path.join(REPO_ROOT, 'docs/BENCHMARKS.md');
const CHARTS_DIR = path.join(REPO_ROOT, 'docs/bench');

const ROUNDS = 3;
/** The whole suite must fit in 20 minutes; the rest is start-up and writing. */
const TOTAL_BUDGET_MS = 19 * 60_000;
/** Before a round: wait for the cores to be this idle, at most this long. */
const QUIET_BUSY = 0.2;
const QUIET_WAIT_MS = { full: 15_000, quick: 3_000 };
/** A measure that takes longer than this is stuck: the workload fails, the suite goes on. */
const MEASURE_TIMEOUT_MS = 5 * 60_000;

/**
 * Time per workload (warm-up and rounds; a round past it is not started, the first recorded
 * one always is). Their sum is over the total on purpose: most workloads finish well inside
 * their budget, and when the total runs short every budget shrinks in proportion.
 */
const BUDGET_MS: Record<string, number> = {
  // A warm-up and 3 rounds of three 8 s loads plus settling take ~135 s: when the total
  // ran short, the 170 s shrank below that and the third round was cut (2026-12-01T0541).
  'http-me': 170_000,
  'http-health': 170_000,
  'connect-hello': 70_000,
  'join-storm': 80_000,
  'idle-rss': 100_000,
  'fanout-knee': 300_000,
  'fanout-redis': 130_000,
  'rest-join': 60_000,
  'invite-accept': 60_000,
  'browser-join': 180_000,
};
const DEFAULT_BUDGET_MS = 120_000;
/** Order of the report (the issue's table first); workloads not listed follow by name. */
const ORDER = Object.keys(BUDGET_MS);

type Args = { names: string[]; docs: boolean; help: boolean };

function parseArgs(argv: string[]): Args {
  const args: Args = { names: [], docs: false, help: false };
  for (const a of argv) {
    if (a === '--docs') args.docs = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a} (options: --docs, --help)`);
    else args.names.push(a);
  }
  return args;
}

function workloadFiles(): Map<string, string> {
  const files = readdirSync(WORKLOADS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .filter((f) => !f.startsWith('_'));
  const byName = new Map(files.map((f) => [f.slice(0, -3), path.join(WORKLOADS_DIR, f)]));
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return new Map([...byName].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0])));
}

function isWorkload(x: unknown): x is Workload {
  const w = x as Partial<Workload> | undefined;
  return (
    !!w &&
    typeof w.name === 'string' &&
    Array.isArray(w.subjects) &&
    typeof w.measure === 'function' &&
    typeof w.summarize === 'function'
  );
}

/** user+nice+system+… and idle jiffies of all cores together, from /proc/stat. */
function cpuJiffies(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the machine's cores are mostly idle (bounded) and returns what it saw. The
 * 1-minute load average is recorded but not waited on: it is a one-minute moving average,
 * so after a round that kept both cores busy it stays above any useful threshold for over a
 * minute even on an idle machine; the share of busy CPU over the last second does not lag.
 */
async function settle(quick: boolean): Promise<{ load: number; busy: number }> {
  const end = Date.now() + (quick ? QUIET_WAIT_MS.quick : QUIET_WAIT_MS.full);
  for (;;) {
    const a = cpuJiffies();
    await sleep(1000);
    const b = cpuJiffies();
    const busy = a && b && b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : 0;
    if (busy < QUIET_BUSY || Date.now() >= end) return { load: os.loadavg()[0] ?? 0, busy };
  }
}

function brief(sample: Sample): string {
  return Object.entries(sample)
    .filter(([k]) => !k.includes(':'))
    .slice(0, 4)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(' · ');
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function runWorkload(
  w: Workload,
  quick: boolean,
  allottedMs: number,
): Promise<WorkloadResult> {
  const started = Date.now();
  const rounds: RoundRecord[] = [];
  const result: WorkloadResult = {
    name: w.name,
    title: w.title,
    subjects: [...w.subjects],
    budgetMs: Math.round(allottedMs),
    elapsedMs: 0,
    rounds,
    medians: {},
    summary: [],
    curves: [],
  };
  const tag = `[${w.name}]`;
  try {
    for (let round = -1; round < ROUNDS; round++) {
      const spent = Date.now() - started;
      const perRound = spent / (round + 1);
      if (round >= 1 && spent + perRound > allottedMs) {
        console.log(
          `${tag} time budget (${Math.round(allottedMs / 1000)} s) reached after ${round} rounds`,
        );
        break;
      }
      const { load, busy } = await settle(quick);
      const order = roundOrder(w.subjects, round);
      const label = round < 0 ? 'warm-up' : `round ${round + 1}/${ROUNDS}`;
      console.log(
        `${tag} ${label}: load ${load.toFixed(2)}, CPU busy ${Math.round(busy * 100)} %, order ${order.join(' → ')}`,
      );
      const record: RoundRecord = { round, load, busy, order: [...order], samples: {}, ms: {} };
      for (const subject of order) {
        const t0 = Date.now();
        const sample = await withTimeout(
          w.measure(subject, { round, quick, load }),
          MEASURE_TIMEOUT_MS,
          `${w.name} ${subject}`,
        );
        const ms = Date.now() - t0;
        record.samples[subject] = sample;
        record.ms[subject] = ms;
        console.log(`${tag}   ${subject}: ${brief(sample)} (${(ms / 1000).toFixed(1)} s)`);
      }
      if (round >= 0) rounds.push(record);
    }
    result.medians = mediansOf(w.subjects, rounds);
    result.summary = w.summarize(result.medians);
    result.curves = w.curves?.(samplesBySubject(w.subjects, rounds)) ?? [];
  } catch (err) {
    result.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    console.error(`${tag} FAILED: ${result.error}`);
  }
  result.elapsedMs = Date.now() - started;
  return result;
}

function usage(names: string[]): string {
  return [
    'npm run bench                      every workload (≤ 20 min), docs/BENCHMARKS.md updated',
    'npm run bench -- <name> [<name>…]  some workloads (JSON and stdout; --docs to update the docs)',
    'BENCH_QUICK=1 npm run bench …      short smoke run (figures not comparable)',
    '',
    `workloads: ${names.join(', ')}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const quick = process.env.BENCH_QUICK === '1';
  const files = workloadFiles();
  if (args.help) {
    console.log(usage([...files.keys()]));
    return 0;
  }
  const unknown = args.names.filter((n) => !files.has(n));
  if (unknown.length) {
    console.error(`unknown workload ${unknown.join(', ')}\n\n${usage([...files.keys()])}`);
    return 2;
  }
  const selected = args.names.length
    ? [...files.keys()].filter((n) => args.names.includes(n))
    : [...files.keys()];
  const complete = selected.length === files.size;
  const command = `${quick ? 'BENCH_QUICK=1 ' : ''}npm run bench${args.names.length || args.docs ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const startedAt = new Date();
  const start = Date.now();
  console.log(
    `${command}: ${selected.join(', ')}${quick ? ' (quick mode: smoke test only)' : ''}; ` +
      `generator pid ${process.pid} on core(s) ${affinity()}`,
  );

  const results: WorkloadResult[] = [];
  for (const [i, name] of selected.entries()) {
    const budget = BUDGET_MS[name] ?? DEFAULT_BUDGET_MS;
    const restBudgets = selected
      .slice(i)
      .reduce((s, n) => s + (BUDGET_MS[n] ?? DEFAULT_BUDGET_MS), 0);
    const remaining = TOTAL_BUDGET_MS - (Date.now() - start);
    // When the total runs short, every remaining workload gives up the same share.
    const allotted = Math.max(0, Math.min(budget, (budget * remaining) / restBudgets));
    console.log(`\n[${name}] ${i + 1}/${selected.length}, budget ${Math.round(allotted / 1000)} s`);
    let w: unknown;
    try {
      w = ((await import(pathToFileURL(files.get(name)!).href)) as { default?: unknown }).default;
      if (!isWorkload(w)) throw new Error(`${files.get(name)} has no Workload as default export`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(`[${name}] FAILED to load: ${error}`);
      results.push({
        name,
        title: name,
        subjects: [],
        budgetMs: allotted,
        elapsedMs: 0,
        rounds: [],
        medians: {},
        summary: [],
        curves: [],
        error,
      });
      continue;
    }
    results.push(await runWorkload(w, quick, allotted));
  }

  const report: SuiteReport = {
    startedAt: startedAt.toISOString(),
    elapsedMs: Date.now() - start,
    command,
    quick,
    node: process.version,
    machine: machine(),
    complete,
    workloads: results,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = `${fileStamp(startedAt)}${quick ? '-quick' : ''}`;
  const jsonFile = path.join(RESULTS_DIR, `suite-${stamp}.json`);
  await writeFormatted(jsonFile, JSON.stringify(report));
  const failed = results.filter((r) => r.error);
  const writeDocs = args.docs || (complete && !quick && failed.length === 0);

  // Charts go next to the docs when the docs are rewritten, else next to the JSON.
  const charts: Record<string, string> = {};
  const chartDir = writeDocs ? CHARTS_DIR : RESULTS_DIR;
  mkdirSync(chartDir, { recursive: true });
  for (const r of results) {
    const svg = latencyChart(r.curves, {
      title: `${r.name}: p99 latency against offered load (medians of ${r.rounds.length} rounds)`,
    });
    if (!svg) continue;
    const file = path.join(chartDir, writeDocs ? `${r.name}.svg` : `suite-${stamp}-${r.name}.svg`);
    writeFileSync(file, svg);
    charts[r.name] = path.relative(path.dirname(DOCS_FILE), file);
  }

  const markdown = suiteMarkdown(report, {
    resultsFile: path.relative(REPO_ROOT, jsonFile),
    charts,
  });
  console.log(`\n${markdown}\n`);
  console.log(`results: ${path.relative(process.cwd(), jsonFile)}`);
  if (writeDocs) {
    await writeFormatted(
      DOCS_FILE,
      replaceBetweenMarkers(readFileSync(DOCS_FILE, 'utf8'), markdown),
    );
    console.log(`docs: ${path.relative(process.cwd(), DOCS_FILE)} (suite section rewritten)`);
  } else {
    console.log(
      `docs not rewritten (${!complete ? 'not every workload ran' : quick ? 'quick mode' : 'a workload failed'}; --docs forces it)`,
    );
  }
  if (failed.length) console.error(`failed: ${failed.map((r) => r.name).join(', ')}`);
  return failed.length ? 1 : 0;
}

/** The cores this process may run on (the npm script pins it to core 1). */
function affinity(): string {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    return /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? '?';
  } catch {
    return '?';
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
