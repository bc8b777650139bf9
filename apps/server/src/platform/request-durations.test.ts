import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HTTP_DURATION_BUCKETS, RequestDurations } from './metrics.js';

// The request-duration histogram counts on its own (metrics.ts): a scrape must read exactly
// what prom-client's Histogram with the same name, help, buckets and labels would write.

const NAME = 'parley_http_request_duration_seconds';
const HELP = 'HTTP request duration by route pattern, method and status code';

function pair() {
  const ours = new Registry();
  const theirs = new Registry();
  const durations = new RequestDurations(NAME, HELP, HTTP_DURATION_BUCKETS, [ours]);
  const reference = new Histogram({
    name: NAME,
    help: HELP,
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [theirs],
  });
  const observe = (method: string, route: string, status: number, seconds: number) => {
    durations.observe(method, route, status, seconds);
    reference.observe({ method, route, status_code: String(status) }, seconds);
  };
  return { ours, theirs, durations, observe };
}

/** A small deterministic generator, so a failure repeats. */
function lcg(seed: number) {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('RequestDurations', () => {
  it('scrapes as prom-client writes it: text and JSON, every bucket, bounds exactly on the line', async () => {
    const { ours, theirs, observe } = pair();
    const routes = [
      '/api/health',
      '/api/auth/me',
      '/api/rooms/:id',
      'unmatched',
      'a "quoted"\\ route',
    ];
    const methods = ['GET', 'POST', 'DELETE'];
    const statuses = [200, 201, 404, 429, 500];
    const rand = lcg(16);
    for (let i = 0; i < 2000; i++) {
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
      // Values on each bound, between them, zero and past the last bound.
      const seconds =
        i % 7 === 0
          ? pick([...HTTP_DURATION_BUCKETS])
          : i % 11 === 0
            ? pick([0, 7.5, 120])
            : rand() * rand() * 3;
      observe(pick(methods), pick(routes), pick(statuses), seconds);
    }
    const text = await ours.metrics();
    expect(text).toContain(`${NAME}_bucket{le="0.005",method=`);
    expect(text).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('reads empty before any answer and after a reset, as prom-client does', async () => {
    const { ours, theirs, observe } = pair();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    observe('GET', '/api/health', 200, 0.002);
    expect(await ours.metrics()).toContain(
      `${NAME}_count{method="GET",route="/api/health",status_code="200"} 1`,
    );
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).not.toContain(`${NAME}_count`);
  });

  it('keeps each series apart: the same route under another status or method is its own', async () => {
    const { ours, durations, observe } = pair();
    observe('GET', '/api/x', 200, 0.001);
    observe('GET', '/api/x', 500, 0.001);
    observe('POST', '/api/x', 200, 0.3);
    // prom-client throws on a value that is not a number; ours leaves the series alone.
    durations.observe('GET', '/api/x', 200, Number.NaN);
    const text = await ours.metrics();
    expect(text).toContain(`${NAME}_sum{method="GET",route="/api/x",status_code="200"} 0.001`);
    expect(text).toContain(`${NAME}_count{method="GET",route="/api/x",status_code="200"} 1`);
    expect(text).toContain(`${NAME}_count{method="GET",route="/api/x",status_code="500"} 1`);
    expect(text).toContain(
      `${NAME}_bucket{le="0.25",method="POST",route="/api/x",status_code="200"} 0`,
    );
    expect(text).toContain(
      `${NAME}_bucket{le="0.5",method="POST",route="/api/x",status_code="200"} 1`,
    );
  });
});
