import type { MetricsSample } from '@parley/protocol';

export interface ChartBox {
  width: number;
  height: number;
  /** Room for the axis labels, left and bottom. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

export const CHART_BOX: ChartBox = {
  width: 640,
  height: 200,
  left: 36,
  bottom: 24,
  top: 12,
  right: 8,
};

export interface ChartGeometry {
  /** `<polyline points>`: one point per sample, oldest on the left. */
  line: string;
  /** `<path d>` of the area under the line, down to the axis. */
  area: string;
  /** The top of the scale: at least 1, rounded up to a "nice" number. */
  max: number;
  /** Horizontal guide lines (whole numbers): value and y. */
  ticks: { value: number; y: number }[];
  /** Each sample's point, for the accessible table and hover labels. */
  points: { x: number; y: number; sample: MetricsSample }[];
}

/** 1, 2, 5, 10, 20, 50, … : the smallest of these at or above `n` (at least 1). */
export function niceCeiling(n: number): number {
  if (n <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Where the participants-over-time chart draws (plain SVG, no chart library). The x axis
 * is the samples' own times, so a gap (a minute nobody sampled) shows as a longer segment.
 */
export function chartGeometry(
  samples: readonly MetricsSample[],
  value: (s: MetricsSample) => number = (s) => s.participants,
  box: ChartBox = CHART_BOX,
): ChartGeometry {
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const baseline = box.top + plotH;
  const max = niceCeiling(Math.max(0, ...samples.map(value)));
  const times = samples.map((s) => Date.parse(s.at));
  const t0 = Math.min(...times);
  const span = Math.max(...times) - t0;
  const points = samples.map((sample, i) => ({
    x: round(box.left + (span > 0 ? ((times[i]! - t0) / span) * plotW : plotW)),
    y: round(baseline - (value(sample) / max) * plotH),
    sample,
  }));
  const line = points.map((p) => `${p.x},${p.y}`).join(' ');
  const first = points[0];
  const last = points[points.length - 1];
  const area =
    first && last
      ? `M${first.x},${baseline} ${points.map((p) => `L${p.x},${p.y}`).join(' ')} L${last.x},${baseline} Z`
      : '';
  // Whole people only: a middle line where half the scale is a whole number.
  const fractions = max % 2 === 0 ? [0, 0.5, 1] : [0, 1];
  const ticks = fractions.map((f) => ({ value: max * f, y: round(baseline - f * plotH) }));
  return { line, area, max, ticks, points };
}
