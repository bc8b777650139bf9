/**
 * A line chart of p99 latency against offered load (`Workload.curves`), as a hand-written
 * SVG: linear x, logarithmic y (the knee is where latency leaves the floor by orders of
 * magnitude), one coloured line per subject. No dependencies, stable output for the docs.
 */
import type { Curve } from './types.js';

const W = 720;
const H = 400;
const PAD = { left: 64, right: 150, top: 40, bottom: 52 };
const COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

export type ChartOptions = { title: string; xLabel?: string; yLabel?: string };

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number) => String(Math.round(x * 10) / 10);

/** Round steps for a linear axis from 0 to (at least) max: 1, 2 or 5 × 10^k, about five. */
export function linearTicks(max: number): number[] {
  if (!(max > 0)) return [0];
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  // Up to the first tick at or past max, so the last point is inside the plot.
  for (let t = 0; ; t += step) {
    ticks.push(Math.round(t * 1e6) / 1e6);
    if (t >= max * (1 - 1e-9)) return ticks;
  }
}

/** The decades that hold [min, max], e.g. 0.3–40 → [0.1, 1, 10, 100]. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) ticks.push(Number((10 ** e).toPrecision(1)));
  return ticks;
}

const label = (x: number) => (x >= 1000 ? x.toLocaleString('en-US') : String(x));

/** The chart, or undefined when no curve has a point with a finite, positive p99. */
export function latencyChart(curves: readonly Curve[], opts: ChartOptions): string | undefined {
  const series = curves
    .map((c) => ({
      subject: c.subject,
      points: c.points
        .filter((p) => Number.isFinite(p.offered) && Number.isFinite(p.p99Ms) && p.p99Ms > 0)
        .sort((a, b) => a.offered - b.offered),
    }))
    .filter((c) => c.points.length > 0);
  if (!series.length) return undefined;
  const all = series.flatMap((c) => c.points);
  const xTicks = linearTicks(Math.max(...all.map((p) => p.offered)));
  const yTicks = logTicks(
    Math.min(...all.map((p) => p.p99Ms)),
    Math.max(...all.map((p) => p.p99Ms)),
  );
  const xMax = xTicks[xTicks.length - 1]!;
  const yLo = Math.log10(yTicks[0]!);
  const yHi = Math.log10(yTicks[yTicks.length - 1]!);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + (xMax > 0 ? (v / xMax) * plotW : 0);
  const y = (v: number) => PAD.top + plotH - ((Math.log10(v) - yLo) / (yHi - yLo)) * plotH;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(opts.title)}</text>`,
  ];
  for (const t of yTicks) {
    out.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${num(y(t))}" y2="${num(y(t))}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${num(y(t) + 4)}" text-anchor="end">${esc(label(t))}</text>`,
    );
  }
  for (const t of xTicks) {
    out.push(
      `<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#eee"/>`,
      `<text x="${num(x(t))}" y="${PAD.top + plotH + 16}" text-anchor="middle">${esc(label(t))}</text>`,
    );
  }
  out.push(
    `<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
    `<text x="${PAD.left + plotW / 2}" y="${H - 12}" text-anchor="middle">${esc(opts.xLabel ?? 'offered load (per second)')}</text>`,
    `<text transform="translate(16 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel ?? 'p99 latency (ms, log scale)')}</text>`,
  );
  series.forEach((c, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const pts = c.points.map((p) => `${num(x(p.offered))},${num(y(p.p99Ms))}`);
    out.push(
      `<polyline data-subject="${esc(c.subject)}" fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(' ')}"/>`,
      ...c.points.map(
        (p) => `<circle cx="${num(x(p.offered))}" cy="${num(y(p.p99Ms))}" r="3" fill="${colour}"/>`,
      ),
      `<line x1="${W - PAD.right + 14}" x2="${W - PAD.right + 34}" y1="${PAD.top + 10 + i * 20}" y2="${PAD.top + 10 + i * 20}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${W - PAD.right + 40}" y="${PAD.top + 14 + i * 20}">${esc(c.subject)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
