import { describe, expect, it } from 'vitest';
import { gridLayout } from './layout';

const LAPTOP = [1280, 620] as const;
const PHONE = [374, 640] as const;

describe('gridLayout', () => {
  it('gives one person the whole stage', () => {
    const l = gridLayout(1, ...LAPTOP);
    expect([l.cols, l.rows]).toEqual([1, 1]);
    expect(l.tileHeight).toBe(620);
  });

  it('puts two people side by side on a laptop and stacks them on a phone', () => {
    expect(gridLayout(2, ...LAPTOP)).toMatchObject({ cols: 2, rows: 1 });
    expect(gridLayout(2, ...PHONE)).toMatchObject({ cols: 1, rows: 2 });
  });

  it('makes three and four people a 2x2 grid', () => {
    expect(gridLayout(3, ...LAPTOP)).toMatchObject({ cols: 2, rows: 2 });
    expect(gridLayout(4, ...LAPTOP)).toMatchObject({ cols: 2, rows: 2 });
  });

  it('grows to a wider grid for bigger calls', () => {
    expect(gridLayout(6, ...LAPTOP)).toMatchObject({ cols: 3, rows: 2 });
    expect(gridLayout(9, ...LAPTOP)).toMatchObject({ cols: 3, rows: 3 });
    const twelve = gridLayout(12, ...LAPTOP);
    expect(twelve.cols * twelve.rows).toBeGreaterThanOrEqual(12);
  });

  it('keeps tiles 16:9 on a landscape stage and within the stage', () => {
    for (let n = 1; n <= 12; n++) {
      const l = gridLayout(n, ...LAPTOP);
      expect(l.tileWidth / l.tileHeight).toBeCloseTo(16 / 9, 1);
      expect(l.cols * l.tileWidth).toBeLessThanOrEqual(LAPTOP[0]);
      expect(l.rows * l.tileHeight).toBeLessThanOrEqual(LAPTOP[1]);
    }
  });

  it('survives a stage that has not been measured yet', () => {
    expect(gridLayout(3, 0, 0)).toMatchObject({ tileWidth: 0, tileHeight: 0 });
    expect(gridLayout(0, 100, 100).cols).toBe(1);
  });
});
