import type { HttpRow } from './matrix.js';
import { adminOnlyRow } from './matrix-common.js';

// Authorization rows for the issue-13 audit routes, merged into HTTP_MATRIX. The audit
// log is for admins only: anonymous 401, every other actor 403 (a room's host included:
// the log spans every room). Decided before the query is read, so a bad query is a 400
// for the admin and changes nothing for anyone else.

// prettier-ignore
export const AUDIT_ROWS: Record<string, HttpRow> = {
  'GET /api/admin/audit': adminOnlyRow((fx) => ({ url: `/api/admin/audit?type=room.created,auth.login&targetId=${fx.roomId}&limit=5` })),
  'GET /api/admin/audit · a limit past 200': adminOnlyRow(() => ({ url: '/api/admin/audit?limit=201' }), '400 VALIDATION_FAILED'),
  'GET /api/admin/audit · a forged cursor': adminOnlyRow(() => ({ url: '/api/admin/audit?cursor=bm9wZQ' }), '400 VALIDATION_FAILED'),
};
