import { describe, expect, it } from 'vitest';
import {
  DOCS_BEGIN,
  DOCS_END,
  medianSample,
  mediansOf,
  ratio,
  replaceBetweenMarkers,
  roundOrder,
  suiteMarkdown,
  targetsTable,
  workloadTable,
} from './summary.js';
import type { RoundRecord, SuiteReport, WorkloadResult } from './summary.js';

const round = (n: number, samples: RoundRecord['samples']): RoundRecord => ({
  round: n,
  load: 0.5 + n,
  busy: 0.1,
  order: Object.keys(samples),
  samples,
  ms: {},
});

const httpMe: WorkloadResult = {
  name: 'http-me',
  title: 'GET /api/auth/me',
  subjects: ['parley', 'node-http'],
  budgetMs: 1000,
  elapsedMs: 61_000,
  rounds: [round(0, { parley: { rps: 1 } }), round(1, { parley: { rps: 2 } })],
  medians: {},
  summary: [
    {
      metric: 'requests/s',
      values: { parley: 30_123.4, 'node-http': 60_000 },
      unit: '1/s',
      ratios: { 'parley / node:http': 0.50206 },
      target: { text: 'parley ≥ 0.5 × node:http', met: true },
    },
    {
      metric: 'p99 latency',
      values: { parley: 4.1234, 'node-http': 1.5 },
      unit: 'ms',
      ratios: {},
    },
  ],
  curves: [],
};

describe('round order', () => {
  it('rotates by one each round, so each of three subjects goes first once in three rounds', () => {
    const s = ['a', 'b', 'c'];
    expect(roundOrder(s, -1)).toEqual(['a', 'b', 'c']);
    const firsts = [0, 1, 2].map((r) => roundOrder(s, r)[0]);
    expect(new Set(firsts)).toEqual(new Set(s));
    expect(roundOrder(s, 0)).toEqual(['b', 'c', 'a']);
    expect(roundOrder(['only'], 5)).toEqual(['only']);
    expect(roundOrder([], 0)).toEqual([]);
  });
});

describe('medians and ratios', () => {
  it('take each metric’s median over the rounds, ignoring non-finite values', () => {
    expect(
      medianSample([
        { rps: 3, p99: 10 },
        { rps: 1, p99: Number.POSITIVE_INFINITY },
        { rps: 2, p99: 20 },
      ]),
    ).toEqual({ rps: 2, p99: 15 });
    expect(medianSample([{ x: Number.NaN }]).x).toBeNaN();
  });

  it('give medians per subject from the recorded rounds, a subject missing in one round too', () => {
    const m = mediansOf(
      ['p', 'q'],
      [
        round(0, { p: { rps: 10 }, q: { rps: 1 } }),
        round(1, { p: { rps: 30 } }),
        round(2, { p: { rps: 20 } }),
      ],
    );
    expect(m).toEqual({ p: { rps: 20 }, q: { rps: 1 } });
  });

  it('divide only finite numbers by a finite non-zero one', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(undefined, 4)).toBeNaN();
    expect(ratio(3, Number.NaN)).toBeNaN();
  });
});

describe('markdown summary', () => {
  it('lists each target with the measured ratios and whether it was met', () => {
    const missed: WorkloadResult = {
      ...httpMe,
      name: 'http-health',
      summary: [
        { ...httpMe.summary[0]!, target: { text: 'parley ≥ 0.6 × node:http', met: false } },
      ],
    };
    expect(targetsTable([httpMe, missed]).split('\n')).toEqual([
      '| workload | target | measured | met |',
      '|---|---|---|:---:|',
      '| `http-me` | parley ≥ 0.5 × node:http | parley / node:http 0.502 | ✅ |',
      '| `http-health` | parley ≥ 0.6 × node:http | parley / node:http 0.502 | ❌ |',
    ]);
  });

  it('shows a failed workload as a missed target with its first error line', () => {
    const failed = { ...httpMe, error: 'Error: 12 responses not 2xx (429×12)\n    at x' };
    expect(targetsTable([failed])).toContain(
      '| `http-me` | — | failed: Error: 12 responses not 2xx (429×12) | ❌ |',
    );
  });

  it('puts one column per subject, 3 significant digits, thousands separated', () => {
    expect(workloadTable(httpMe).split('\n')).toEqual([
      '| metric | unit | parley | node-http | ratios |',
      '|---|---|---:|---:|---|',
      '| requests/s | 1/s | 30,123 | 60,000 | parley / node:http 0.502 |',
      '| p99 latency | ms | 4.12 | 1.5 | – |',
    ]);
  });

  it('says what ran where, how many rounds, and links the chart', () => {
    const report: SuiteReport = {
      startedAt: '2026-12-01T01:30:00.000Z',
      elapsedMs: 17.24 * 60_000,
      command: 'npm run bench',
      quick: false,
      node: 'v20.20.2',
      machine: { cpu: 'AMD EPYC', cores: 2, memoryGiB: 23.5 },
      complete: true,
      workloads: [httpMe],
    };
    const md = suiteMarkdown(report, {
      resultsFile: 'bench/results/suite-x.json',
      charts: { 'http-me': 'bench/http-me.svg' },
    });
    expect(md).toContain('Run 2026-12-01 01:30 UTC, `npm run bench`, 17.2 min; Node v20.20.2;');
    expect(md).toContain('load average before rounds 0.5–1.5');
    expect(md).toContain('Medians of 2 rounds (time budget reached before 3), 61 s.');
    expect(md).toContain('![p99 latency against offered load, http-me](bench/http-me.svg)');
    expect(md).not.toContain('quick mode');
    expect(suiteMarkdown({ ...report, quick: true }, { resultsFile: 'x' })).toContain(
      'quick mode: smoke test only',
    );
  });
});

describe('docs section', () => {
  it('replaces only what is between the markers', () => {
    const doc = `# B\n\nintro\n\n${DOCS_BEGIN}\nold\n${DOCS_END}\n\n## Rest\n`;
    expect(replaceBetweenMarkers(doc, 'new table\n')).toBe(
      `# B\n\nintro\n\n${DOCS_BEGIN}\n\nnew table\n\n${DOCS_END}\n\n## Rest\n`,
    );
  });

  it('refuses a file without the markers', () => {
    expect(() => replaceBetweenMarkers('# B\n', 'x')).toThrow(/suite:begin/);
  });
});
