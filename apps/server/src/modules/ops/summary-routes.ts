import { MetricsSummary } from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { adminsOnly, bearerSecurity } from '../../platform/auth/hook.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { errorResponses } from '../../platform/http-errors.js';
import { finishedCallsSince } from './finished-calls.js';
import type { LinkTally } from './link-tally.js';
import type { LiveReadings } from './live-readings.js';
import type { Sampler } from './sampler.js';

const DAY_MS = 24 * 60 * 60_000;

export function metricsSummaryRoutes(deps: {
  db: Db;
  clock: Clock;
  links: LinkTally;
  readings: LiveReadings;
  sampler: Sampler;
  authenticate: onRequestAsyncHookHandler;
}) {
  return function register(app: FastifyInstance): void {
    app.withTypeProvider<ZodTypeProvider>().get('/admin/metrics/summary', {
      onRequest: [deps.authenticate, adminsOnly],
      schema: {
        tags: ['admin'],
        summary:
          'What the deployment is doing now, over the last hour and the last 24 h (admins only)',
        description:
          'The whole deployment, whichever process answers: `now` (except `sockets`, those of the sampling process) and `lastHour` (one sample a minute, oldest first); `links`, the peer links reported in the current UTC hour and the 23 before it; `calls`, direct calls placed in the last 24 h that have finished, by final status.',
        security: bearerSecurity,
        response: { 200: MetricsSummary, ...errorResponses(401, 403) },
      },
      handler: async (_req, reply) => {
        const since = new Date(deps.clock.now().getTime() - DAY_MS);
        const [live, lastHour, links, calls] = await Promise.all([
          deps.readings.read({ fresh: true }),
          deps.sampler.lastHour(),
          deps.links.lastDay(),
          finishedCallsSince(deps.db, since),
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
          links,
          calls,
        };
      },
    });
  };
}
