import type { HttpRow } from './matrix.js';

// Authorization rows for the issue-13 ops routes, merged into HTTP_MATRIX. The metrics
// are the operators': admins only (a Prometheus scrape job uses METRICS_TOKEN instead,
// or METRICS_PORT; modules/ops/metrics.test.ts covers both).

const NO_TOKEN = '401 UNAUTHENTICATED';
const FORBIDDEN = '403 FORBIDDEN';

// prettier-ignore
export const OPS_ROWS: Record<string, HttpRow> = {
  'GET /metrics': {
    request: () => ({ url: '/metrics' }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: FORBIDDEN, otherMember: FORBIDDEN, admin: '200',
              pending: FORBIDDEN, admitted: FORBIDDEN, cohost: FORBIDDEN, host: FORBIDDEN },
  },
  'GET /api/admin/metrics/summary': {
    request: () => ({ url: '/api/admin/metrics/summary' }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: FORBIDDEN, otherMember: FORBIDDEN, admin: '200',
              pending: FORBIDDEN, admitted: FORBIDDEN, cohost: FORBIDDEN, host: FORBIDDEN },
  },
};
