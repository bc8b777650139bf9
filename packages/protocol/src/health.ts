import { z } from 'zod';

export const CheckStatus = z.object({
  status: z.enum(['ok', 'error']),
  latencyMs: z.number().optional(),
  message: z.string().optional(),
});

export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'error']),
    version: z.string(),
    checks: z.object({ db: CheckStatus, bus: CheckStatus }),
  })
  .meta({ id: 'HealthResponse' });
export type HealthResponse = z.infer<typeof HealthResponse>;
