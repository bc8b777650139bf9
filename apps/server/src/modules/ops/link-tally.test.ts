import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { createMemoryLiveState } from '../../platform/live/index.js';
import { LINK_TALLY_STORE, createLinkTally } from './link-tally.js';

// The admin summary's link outcomes: a rolling 24 hours (the current UTC hour and the 23
// before it) counted in 24 live-state slots, one per hour of the day, reused a day later.

const HOUR = 60 * 60_000;

function tally() {
  const clock = new ManualClock(new Date('2031-03-03T09:59:59.000Z'));
  const live = createMemoryLiveState(clock);
  return { clock, live, t: createLinkTally({ live, clock }) };
}

describe('the deployment-wide link tally', () => {
  it('counts each outcome, and two tallies on one live state (two processes) count together', async () => {
    const { clock, live, t } = tally();
    const other = createLinkTally({ live, clock });
    await t.count('direct');
    await other.count('direct');
    await other.count('failed');
    await Promise.all([t.count('relay'), other.count('relay'), t.count('relay')]);
    expect(await t.lastDay()).toEqual({ direct: 2, relay: 3, failed: 1 });
    expect(await other.lastDay()).toEqual({ direct: 2, relay: 3, failed: 1 });
  });

  it('keeps the current hour and the 23 before it, then lets the oldest go', async () => {
    const { clock, t } = tally();
    await t.count('failed'); // 09:59:59 on the 3rd
    clock.advance(1_000); // 10:00
    await t.count('direct');
    clock.advance(23 * HOUR - 1_000); // 08:59:59 on the 4th: 09:00 on the 3rd is 23 hours back
    expect(await t.lastDay()).toEqual({ direct: 1, relay: 0, failed: 1 });
    clock.advance(1_000); // 09:00 on the 4th: the 3rd's 09:00 hour has left the window
    expect(await t.lastDay()).toEqual({ direct: 1, relay: 0, failed: 0 });
    clock.advance(HOUR); // 10:00 on the 4th
    expect(await t.lastDay()).toEqual({ direct: 0, relay: 0, failed: 0 });
  });

  it('a slot is emptied when its hour comes round again, and never more than 24 are kept', async () => {
    const { clock, live, t } = tally();
    await t.count('relay');
    await t.count('relay');
    for (let h = 0; h < 48; h++) {
      clock.advance(HOUR);
      await t.count('direct');
    }
    // The last 24 hours hold one report each; the 9:00 slot forgot the first day's relays.
    expect(await t.lastDay()).toEqual({ direct: 24, relay: 0, failed: 0 });
    expect(await live.store(LINK_TALLY_STORE).size()).toBe(24);
  });
});
