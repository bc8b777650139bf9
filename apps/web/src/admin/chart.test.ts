import { describe, expect, it } from 'vitest';
import { CHART_BOX, chartGeometry, niceCeiling } from './chart';
import { sample } from './testing/fixtures';

const baseline = CHART_BOX.height - CHART_BOX.bottom;
const right = CHART_BOX.width - CHART_BOX.right;

describe('niceCeiling', () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [11, 20],
    [40, 50],
    [51, 100],
    [100, 100],
    [101, 200],
  ])('%i → %i', (n, top) => expect(niceCeiling(n)).toBe(top));
});

describe('chartGeometry', () => {
  it('puts the oldest sample on the left, the newest on the right, the scale top at the top', () => {
    const g = chartGeometry([sample(0, 0), sample(30, 4), sample(60, 2)]);
    expect(g.max).toBe(5);
    expect(g.points.map((p) => p.x)).toEqual([CHART_BOX.left, (CHART_BOX.left + right) / 2, right]);
    expect(g.points[0]!.y).toBe(baseline);
    const plotH = baseline - CHART_BOX.top;
    expect(g.points[1]!.y).toBeCloseTo(baseline - (4 / 5) * plotH, 1);
    expect(g.line.split(' ')).toHaveLength(3);
    expect(g.area.startsWith(`M${CHART_BOX.left},${baseline}`)).toBe(true);
    expect(g.area.endsWith(`L${right},${baseline} Z`)).toBe(true);
    expect(g.ticks.map((t) => t.value)).toEqual([0, 5]);
    expect(chartGeometry([sample(0, 7)]).ticks.map((t) => t.value)).toEqual([0, 5, 10]);
  });

  it('spaces points by time, so a missing minute is a longer segment', () => {
    const g = chartGeometry([sample(0, 1), sample(1, 1), sample(10, 1)]);
    const [a, b, c] = g.points.map((p) => p.x);
    expect(c! - b!).toBeGreaterThan(5 * (b! - a!));
  });

  it('draws nothing for no samples and a flat line for an idle hour', () => {
    expect(chartGeometry([])).toMatchObject({ line: '', area: '', max: 1, points: [] });
    const idle = chartGeometry([sample(0, 0), sample(1, 0)]);
    expect(idle.points.every((p) => p.y === baseline)).toBe(true);
  });
});
