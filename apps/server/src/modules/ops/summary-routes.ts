import { LinkOutcome, MetricsSummary } from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { adminsOnly, bearerSecurity } from '../../platform/auth/hook.js';
import { errorResponses } from '../../platform/http-errors.js';
import type { Metrics } from '../../platform/metrics.js';
import type { LiveReadings } from './live-readings.js';
import type { Sampler } from './sampler.js';

/** A labelled counter's values by its one label (`status`, `outcome`). */
async function byLabel(
  counter: Metrics['callsEnded'] | Metrics['linkOutcomes'],
  label: 'status' | 'outcome',
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await counter.get()).values) {
    const key = (v.labels as Partial<Record<string, string | number>>)[label];
    if (key !== undefined) out[String(key)] = v.value;
  }
  return out;
}

export function metricsSummaryRoutes(deps: {
  metrics: Pick<Metrics, 'callsEnded' | 'linkOutcomes'>;
  readings: LiveReadings;
  sampler: Sampler;
  authenticate: onRequestAsyncHookHandler;
}) {
  return function register(app: FastifyInstance): void {
    app.withTypeProvider<ZodTypeProvider>().get('/admin/metrics/summary', {
      onRequest: [deps.authenticate, adminsOnly],
      schema: {
        tags: ['admin'],
        summary: 'What the deployment is doing now, and over the last hour (admins only)',
        description:
          '`now` and `lastHour` (one sample a minute, oldest first) are the whole deployment; `sockets` are those of the sampling process. `links` and `calls` are the counters of the process that answered since it started; Prometheus (`/metrics`) has the totals across processes.',
        security: bearerSecurity,
        response: { 200: MetricsSummary, ...errorResponses(401, 403) },
      },
      handler: async (_req, reply) => {
        const [live, lastHour, links, calls] = await Promise.all([
          deps.readings.read(),
          deps.sampler.lastHour(),
          byLabel(deps.metrics.linkOutcomes, 'outcome'),
          byLabel(deps.metrics.callsEnded, 'status'),
        ]);
        reply.header('cache-control', 'no-store');
        return {
          now: {
            participants: live.participants,
            rooms: live.rooms,
            sockets: live.sockets,
            usersOnline: live.usersOnline,
          },
          lastHour,
          links: Object.fromEntries(LinkOutcome.options.map((o) => [o, links[o] ?? 0])) as Record<
            LinkOutcome,
            number
          >,
          calls,
        };
      },
    });
  };
}
