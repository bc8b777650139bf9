import { HealthResponse } from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { LiveState } from '../../platform/live/index.js';
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

export function opsRoutes(deps: { db: DbHandle; live: LiveState; version: string }) {
  return function register(app: FastifyInstance): void {
    app.withTypeProvider<ZodTypeProvider>().get('/health', {
      config: { rateLimit: false },
      schema: {
        tags: ['ops'],
        summary: 'Liveness and dependency checks',
        description:
          '200 `ok` when every check passes; 200 `degraded` when only the live state (Redis) is away, so the process still serves; 503 `error` when the database is down.',
        response: { 200: HealthResponse, 503: HealthResponse },
      },
      handler: async (req, reply) => {
        const [db, bus] = await Promise.all([
          check(() => deps.db.ping()),
          check(() => deps.live.ping()),
        ]);
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
