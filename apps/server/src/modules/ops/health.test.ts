import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { testApp } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { HEALTH_CACHE_MS } from './routes.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('GET /api/health, checked at most once a second', () => {
  async function withCountedPing() {
    const clock = new ManualClock();
    t = await testApp({ clock });
    const pings = { count: 0, failing: false };
    const ping = t.db.ping.bind(t.db);
    t.db.ping = () => {
      pings.count++;
      return pings.failing ? Promise.reject(new Error('database is gone')) : ping();
    };
    const health = async () => {
      const res = await t!.app.inject({ method: 'GET', url: '/api/health' });
      return { status: res.statusCode, body: res.json() };
    };
    return { clock, pings, health };
  }

  it('answers from one check within the window, and checks again once it has passed', async () => {
    const { clock, pings, health } = await withCountedPing();
    expect((await health()).body).toMatchObject({ status: 'ok', checks: { db: { status: 'ok' } } });
    // Requests arriving together share the check in flight too.
    await Promise.all([health(), health()]);
    clock.advance(HEALTH_CACHE_MS - 1);
    expect((await health()).status).toBe(200);
    expect(pings.count).toBe(1);
    clock.advance(1);
    expect((await health()).status).toBe(200);
    expect(pings.count).toBe(2);
  });

  it('a database that fails shows as unhealthy (503) once the cached answer has expired', async () => {
    const { clock, pings, health } = await withCountedPing();
    expect((await health()).status).toBe(200);
    pings.failing = true;
    // Still the answer of the last second: the failure is not seen yet.
    clock.advance(HEALTH_CACHE_MS / 2);
    expect((await health()).status).toBe(200);
    clock.advance(HEALTH_CACHE_MS / 2);
    const down = await health();
    expect(down.status).toBe(503);
    // Same shape as before the cache: status, version, both checks.
    expect(down.body).toEqual({
      status: 'error',
      version: expect.any(String),
      checks: {
        db: { status: 'error', message: 'unavailable' },
        bus: expect.objectContaining({ status: 'ok' }),
      },
    });
    // And it recovers the same way.
    pings.failing = false;
    clock.advance(HEALTH_CACHE_MS);
    expect((await health()).status).toBe(200);
  });

  it('a clock set back does not keep an old answer', async () => {
    const { clock, pings, health } = await withCountedPing();
    await health();
    clock.set(new Date(clock.now().getTime() - 60_000));
    await health();
    expect(pings.count).toBe(2);
  });
});
