import type { HttpRow } from './matrix.js';
import { adminOnlyRow } from './matrix-common.js';

// Authorization rows for the issue-13 ops routes, merged into HTTP_MATRIX. The metrics
// are the operators': admins only (a Prometheus scrape job uses METRICS_TOKEN instead,
// or METRICS_PORT; modules/ops/metrics.test.ts covers both).

// prettier-ignore
export const OPS_ROWS: Record<string, HttpRow> = {
  'GET /metrics': adminOnlyRow(() => ({ url: '/metrics' })),
  'GET /api/admin/metrics/summary': adminOnlyRow(() => ({ url: '/api/admin/metrics/summary' })),
};
