import { z } from 'zod';

/**
 * Call quality as clients see it (issue 13). Each peer link reports once how it came up
 * (or that it failed) and how long from joining to the first remote frame; the server
 * only counts and buckets these (Prometheus: per process; the admin summary: the whole
 * deployment, last 24 h), bounded per connection.
 */
export const LinkOutcome = z.enum(['direct', 'relay', 'failed']);
export type LinkOutcome = z.infer<typeof LinkOutcome>;

export const QUALITY_LIMITS = {
  /** A join → first frame slower than this is reported as this. */
  maxFirstFrameMs: 120_000,
  /** Reports one connection may send per minute; more are answered RATE_LIMITED. */
  reportsPerMinute: 30,
} as const;

/** One point of the admin page's chart: the whole deployment at that minute. */
export const MetricsSample = z.object({
  at: z.iso.datetime(),
  participants: z.int(),
  rooms: z.int(),
  sockets: z.int(),
});
export type MetricsSample = z.infer<typeof MetricsSample>;

/** `GET /api/admin/metrics/summary`: the numbers the admin overview shows. */
export const MetricsSummary = z
  .object({
    now: z.object({
      participants: z.int().meta({ description: 'People in room calls (whole deployment)' }),
      rooms: z.int().meta({ description: 'Rooms with anyone connected (whole deployment)' }),
      sockets: z.int().meta({ description: 'Open sockets of this process' }),
      usersOnline: z.int().meta({ description: 'Users with an open socket (whole deployment)' }),
    }),
    /** One sample a minute over the last hour, oldest first; minutes nobody sampled are absent. */
    lastHour: z.array(MetricsSample),
    links: z.object({ direct: z.int(), relay: z.int(), failed: z.int() }).meta({
      description:
        'Peer links reported (`quality.report`) in the last 24 h: the current UTC hour and the 23 before it, whole deployment',
    }),
    calls: z.record(z.string(), z.int()).meta({
      description:
        'Direct calls placed in the last 24 h that have finished, by final status (ended, missed, rejected, cancelled, busy; a status with none is left out), whole deployment',
    }),
  })
  .meta({
    id: 'MetricsSummary',
    description:
      'Everything covers the whole deployment, whichever process answers (except `now.sockets`: the sampling process). `now` and `lastHour` (one sample a minute); `links` and `calls` over the last 24 h. Prometheus (`/metrics`) has per-process counters since each process started.',
  });
export type MetricsSummary = z.infer<typeof MetricsSummary>;
