import { describe, expect, it } from 'vitest';
import { callSlot } from './call-slot';

const END = Date.parse('2025-06-01T10:50:00.000Z');
const MIN = 60_000;

describe('callSlot', () => {
  it('counts the time left to the booked end with no warning until 5 min before it', () => {
    expect(callSlot(END, END - 30 * MIN)).toEqual({
      msLeft: 30 * MIN,
      warning: false,
      over: false,
    });
    expect(callSlot(END, END - 5 * MIN - 1).warning).toBe(false);
  });

  it('warns from exactly 5 min before the end', () => {
    expect(callSlot(END, END - 5 * MIN)).toEqual({ msLeft: 5 * MIN, warning: true, over: false });
    expect(callSlot(new Date(END).toISOString(), END - 1).warning).toBe(true);
  });

  it('is over from the end on, with nothing left and no warning', () => {
    expect(callSlot(END, END)).toEqual({ msLeft: 0, warning: false, over: true });
    expect(callSlot(END, END + 10 * MIN)).toEqual({ msLeft: 0, warning: false, over: true });
  });
});
