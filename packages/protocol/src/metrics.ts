import { z } from 'zod';

/**
 * Call quality as clients see it (issue 13). Each peer link reports once how it came up
 * (or that it failed) and how long from joining to the first remote frame; the server
 * only counts and buckets these, per process, bounded per connection.
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
      participants: z.int(),
      rooms: z.int(),
      sockets: z.int().meta({ description: 'Open sockets of this process' }),
      usersOnline: z.int(),
    }),
    /** One sample a minute over the last hour, oldest first. */
    lastHour: z.array(MetricsSample),
    links: z.object({ direct: z.int(), relay: z.int(), failed: z.int() }),
    calls: z.record(z.string(), z.int()),
  })
  .meta({ id: 'MetricsSummary' });
export type MetricsSummary = z.infer<typeof MetricsSummary>;
