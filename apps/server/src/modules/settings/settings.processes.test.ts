import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { liveKinds, testDeployment } from '../../test/deployment.js';
import type { LiveKind } from '../../test/deployment.js';
import { dialects, testConfig } from '../../test/harness.js';
import type { Dialect } from '../../test/harness.js';
import { Api, outcome } from './test-settings.js';

// A settings change made on one process is obeyed by every other (issue 13): two apps on
// one database and one live state stand in for two processes — in memory, and over Redis
// when TEST_REDIS_URL is set. The announcement on the bus reaches the other process at
// once; if it is lost, the periodic reload (every 30 s) catches up.

const cases = dialects.flatMap((d) => liveKinds.map((l) => [d, l] as [Dialect, LiveKind]));

/** The periodic settings reload in app.ts. */
const RELOAD_MS = 30_000;

const base = testConfig();
// Every other timer of the two apps far apart, so moving the fake clock 30 s runs the
// settings reload and little else.
const quietTimers = {
  calls: { ...base.calls, reapIntervalMs: 3_600_000 },
  appointments: { ...base.appointments, upkeepIntervalMs: 3_600_000 },
  live: { expiryMs: 3_600_000, tickMs: 600_000 },
};

describe.each(cases)('settings across two processes on %s with %s live state', (dialect, kind) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  /** Two "processes": each its own app (and, over Redis, its own connections). */
  async function twoProcesses(clock: ManualClock) {
    const d = await testDeployment({
      live: kind,
      dialect,
      clock,
      timers: clock,
      config: quietTimers,
    });
    close = d.close;
    return { one: new Api(d.apps[0]!), two: new Api(d.apps[1]!), p2: d.apps[1]! };
  }

  /**
   * What process two answers a registration with, once it has heard. Only the bus can tell
   * it: the fake clock never moves, so its periodic reload never runs. Over Redis the
   * announcement crosses a network, so this waits for the answer (milliseconds here)
   * rather than a wall-clock window a busy machine could miss.
   */
  async function registrationOnTwo(two: Api, expected: string): Promise<string> {
    if (kind === 'memory') return outcome(await two.register());
    let last = '';
    await vi
      .waitFor(
        async () => {
          last = outcome(await two.register());
          if (last !== expected) throw new Error(`still ${last}`);
        },
        { timeout: 15_000, interval: 20 },
      )
      .catch(() => undefined);
    return last;
  }

  it('registration closed on process one is refused by process two right after the PATCH returns', async () => {
    const clock = new ManualClock(new Date());
    const { one, two } = await twoProcesses(clock);
    const admin = await one.admin();
    expect((await two.register()).status).toBe(201);

    await one.patchSettings(admin, { registration: 'closed' });
    expect(await registrationOnTwo(two, '403 REGISTRATION_CLOSED')).toBe('403 REGISTRATION_CLOSED');
    expect((await two.call('GET', '/api/settings')).body.registration).toBe('closed');

    // And back: both processes open again, through the same path.
    await one.patchSettings(admin, { registration: 'open' });
    expect(await registrationOnTwo(two, '201')).toBe('201');
  });

  it('a process that missed the announcement catches up at its periodic reload', async () => {
    const clock = new ManualClock(new Date());
    const { one, two, p2 } = await twoProcesses(clock);
    const admin = await one.admin();
    // Process two stops hearing the bus (Redis away for a moment, a dropped message).
    p2.services.settings.close();

    await one.patchSettings(admin, { registration: 'closed', guestAccess: false });
    await new Promise((r) => setTimeout(r, kind === 'redis' ? 200 : 0));
    expect((await two.register()).status).toBe(201);
    expect((await two.guest()).status).toBe(201);

    await clock.tick(RELOAD_MS);
    // The reload the timer started reads the database; let it land (nothing else would:
    // process two hears no bus).
    await vi.waitFor(() => expect(p2.services.settings.get().registration).toBe('closed'));
    expect(outcome(await two.register())).toBe('403 REGISTRATION_CLOSED');
    expect(outcome(await two.guest())).toBe('403 GUESTS_DISABLED');
  });
});
