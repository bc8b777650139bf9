import { describe, expect, it } from 'vitest';
import { kneeOf, pastKnee, senderOf } from './fanout-load.js';
import type { StepResult } from './fanout-load.js';

const step = (
  offered: number,
  deliveriesPerSec: number,
  p99Ms: number,
  complete = true,
): StepResult => ({
  offered,
  deliveriesPerSec,
  p99Ms,
  p50Ms: p99Ms / 2,
  complete,
  deliveries: deliveriesPerSec,
  cpuUsPerDelivery: 10,
  generatorBusy: 0.5,
});

describe('fan-out knee', () => {
  it('is the most deliveries/s among steps with p99 within the bound', () => {
    const steps = [
      step(10_000, 9_900, 3),
      step(20_000, 19_800, 12),
      step(30_000, 28_000, 48),
      step(40_000, 31_000, 210),
    ];
    expect(kneeOf(steps, 50)?.offered).toBe(30_000);
    expect(kneeOf(steps, 10)?.offered).toBe(10_000);
  });

  it('ignores incomplete steps and a NaN p99, and is undefined when no step qualifies', () => {
    const steps = [
      step(10_000, 9_900, 5),
      step(20_000, 19_000, 8, false),
      step(30_000, 25_000, Number.NaN),
    ];
    expect(kneeOf(steps)?.offered).toBe(10_000);
    expect(kneeOf([step(10_000, 9_000, 51)])).toBeUndefined();
    expect(kneeOf([])).toBeUndefined();
  });

  it('a step is past the knee when its p99 exceeds the bound or deliveries went missing', () => {
    expect(pastKnee(step(1, 1, 50))).toBe(false);
    expect(pastKnee(step(1, 1, 50.1))).toBe(true);
    expect(pastKnee(step(1, 1, 5, false))).toBe(true);
  });

  it('spreads consecutive messages over the rooms first, then over each room’s members', () => {
    // 3 rooms of 2: sockets 0,1 | 2,3 | 4,5.
    expect(Array.from({ length: 7 }, (_, k) => senderOf(k, 3, 2))).toEqual([0, 2, 4, 1, 3, 5, 0]);
  });
});
