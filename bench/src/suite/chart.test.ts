import { describe, expect, it } from 'vitest';
import { latencyChart, linearTicks, logTicks } from './chart.js';

const curves = [
  {
    subject: 'parley',
    points: [
      { offered: 4000, p99Ms: 100 },
      { offered: 1000, p99Ms: 1 },
      { offered: 2000, p99Ms: 10 },
    ],
  },
  { subject: 'ws <bare>', points: [{ offered: 1000, p99Ms: 2 }] },
];

/** The polyline of one subject as [x, y] pairs. */
function line(svg: string, subject: string): number[][] {
  const m = new RegExp(`data-subject="${subject}"[^>]*points="([^"]+)"`).exec(svg);
  if (!m) throw new Error(`no line for ${subject}`);
  return m[1]!.split(' ').map((p) => p.split(',').map(Number));
}

describe('latency chart (SVG)', () => {
  it('draws one line per subject, points sorted by offered load', () => {
    const svg = latencyChart(curves, { title: 'knee' })!;
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    const xs = line(svg, 'parley').map(([x]) => x!);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(svg.match(/<circle/g)).toHaveLength(4);
  });

  it('puts latency on a log scale: 10 ms halfway between 1 and 100 ms, higher latency higher up', () => {
    const [p1, p10, p100] = line(latencyChart(curves, { title: 'knee' })!, 'parley');
    expect(p1![1]! - p10![1]!).toBeCloseTo(p10![1]! - p100![1]!, 0);
    expect(p100![1]!).toBeLessThan(p1![1]!);
  });

  it('puts offered load on a linear scale from 0', () => {
    const [p1000, p2000, p4000] = line(latencyChart(curves, { title: 'knee' })!, 'parley');
    expect(p4000![0]! - p2000![0]!).toBeCloseTo(2 * (p2000![0]! - p1000![0]!), 0);
  });

  it('escapes text and leaves out points without a finite latency', () => {
    const svg = latencyChart(
      [...curves, { subject: 'gone', points: [{ offered: 1, p99Ms: Number.POSITIVE_INFINITY }] }],
      { title: 'a < b & c' },
    )!;
    expect(svg).toContain('a &lt; b &amp; c');
    expect(svg).toContain('ws &lt;bare&gt;');
    expect(svg).not.toContain('gone');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('draws nothing without a point', () => {
    expect(latencyChart([], { title: 'x' })).toBeUndefined();
    expect(latencyChart([{ subject: 's', points: [] }], { title: 'x' })).toBeUndefined();
  });
});

describe('axis ticks', () => {
  it('step linear axes by 1, 2 or 5 × 10^k up to the maximum', () => {
    expect(linearTicks(14_000)).toEqual([0, 5000, 10_000, 15_000]);
    expect(linearTicks(5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(linearTicks(0)).toEqual([0]);
  });

  it('cover the values with whole decades', () => {
    expect(logTicks(0.3, 40)).toEqual([0.1, 1, 10, 100]);
    expect(logTicks(10, 10)).toEqual([10, 100]);
  });
});
