import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adminsOnly, bearerToken } from '../../platform/auth/hook.js';
import { Errors } from '../../platform/errors.js';
import type { Metrics } from '../../platform/metrics.js';
import type { LiveReadings } from './live-readings.js';

/** The Prometheus text exposition of the app's own registry, live gauges read first. */
export type Exposition = () => Promise<{ contentType: string; body: string }>;

export function createExposition(metrics: Pick<Metrics, 'registry'>, readings: LiveReadings) {
  return async () => {
    await readings.read();
    return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
  };
}

/** Equal-length digests, so the comparison takes the same time whatever the guess. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `GET /metrics` on the main port. With METRICS_PORT set the metrics live on that port
 * only and this answers 404. Otherwise it is for admins' access tokens, or for
 * `Authorization: Bearer <METRICS_TOKEN>` (what a Prometheus scrape job sends).
 * It stays under the global rate limit: a scrape every 15 s is far below it, and the
 * limit bounds guessing at the token.
 */
export function metricsRoutes(deps: {
  exposition: Exposition;
  authenticate: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  token: string | undefined;
  /** METRICS_PORT is set: the main port has no metrics. */
  elsewhere: boolean;
}) {
  async function allowed(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (deps.elsewhere) throw Errors.notFound();
    const token = bearerToken(req);
    if (token !== undefined && deps.token !== undefined && sameSecret(token, deps.token)) return;
    await deps.authenticate(req, reply);
    await adminsOnly(req);
  }

  return function register(app: FastifyInstance): void {
    app.get(
      '/metrics',
      // Text for Prometheus, not a JSON API: left out of the OpenAPI document.
      { onRequest: allowed, schema: { hide: true } },
      async (_req, reply) => {
        const { contentType, body } = await deps.exposition();
        return reply.header('cache-control', 'no-store').type(contentType).send(body);
      },
    );
  };
}
