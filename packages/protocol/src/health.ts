import { z } from 'zod';

export const CheckStatus = z.object({
  status: z.enum(['ok', 'error']),
  latencyMs: z.number().optional(),
  message: z.string().optional(),
});

/**
 * `ok`: every check passed. `degraded` (still 200): the database answers but the shared
 * live state (Redis) does not; this process keeps serving, cross-process work waits for
 * Redis. `error` (503): the database is down.
 */
export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'degraded', 'error']),
    version: z.string(),
    checks: z.object({ db: CheckStatus, bus: CheckStatus }),
  })
  .meta({ id: 'HealthResponse' });
export type HealthResponse = z.infer<typeof HealthResponse>;
