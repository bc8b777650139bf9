import { HealthResponse } from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { LiveState } from '../../platform/live/index.js';
import type { Clock } from '../../platform/clock.js';
import type { DbHandle } from '../../platform/db/database.js';

const CHECK_TIMEOUT_MS = 2000;

async function check(fn: () => Promise<void>): Promise<HealthResponse['checks']['db']> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    // The reason stays in the logs; the public answer only says which check failed.
    return {
      status: 'error',
      message: err instanceof Error && err.message === 'timed out' ? 'timed out' : 'unavailable',
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How long one round of checks answers every health request: a load balancer, a container
 * runtime and a monitor polling together cost one SQL round trip (and two timers) a second,
 * not one per request. Short enough that a failing database shows within a second.
 */
export const HEALTH_CACHE_MS = 1000;

type Checks = HealthResponse['checks'];

export function opsRoutes(deps: { db: DbHandle; live: LiveState; version: string; clock: Clock }) {
  let cached: { at: number; checks: Promise<Checks> } | undefined;
  /** The checks begun in the last HEALTH_CACHE_MS (requests meanwhile share them), or new ones. */
  function currentChecks(): Promise<Checks> {
    const now = deps.clock.now().getTime();
    // A wall clock set back counts as expired too.
    if (cached && now >= cached.at && now - cached.at < HEALTH_CACHE_MS) return cached.checks;
    const checks = Promise.all([check(() => deps.db.ping()), check(() => deps.live.ping())]).then(
      ([db, bus]) => ({ db, bus }),
    );
    cached = { at: now, checks };
    return checks;
  }

  return function register(app: FastifyInstance): void {
    app.withTypeProvider<ZodTypeProvider>().get('/health', {
      config: { rateLimit: false },
      schema: {
        tags: ['ops'],
        summary: 'Liveness and dependency checks',
        description:
          '200 `ok` when every check passes; 200 `degraded` when only the live state (Redis) is away, so the process still serves; 503 `error` when the database is down. The checks run at most once a second; answers within that second share them.',
        response: { 200: HealthResponse, 503: HealthResponse },
      },
      handler: async (req, reply) => {
        const { db, bus } = await currentChecks();
        const status = db.status !== 'ok' ? 'error' : bus.status !== 'ok' ? 'degraded' : 'ok';
        if (status !== 'ok') req.log.warn({ db, bus }, 'health check failed');
        return reply
          .code(status === 'error' ? 503 : 200)
          .header('cache-control', 'no-store')
          .send({ status, version: deps.version, checks: { db, bus } });
      },
    });
  };
}
