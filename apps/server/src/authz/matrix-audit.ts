import type { Actor, HttpOutcome } from './fixtures.js';
import type { HttpRow } from './matrix.js';

// Authorization rows for the issue-13 audit routes, merged into HTTP_MATRIX. The audit
// log is for admins only: anonymous 401, every other actor 403 (a room's host included:
// the log spans every room). Decided before the query is read, so a bad query is a 400
// for the admin and changes nothing for anyone else.

const NO_TOKEN = '401 UNAUTHENTICATED';
const FORBIDDEN = '403 FORBIDDEN';
const adminOnly = (admin: HttpOutcome): Record<Actor, HttpOutcome> => ({
  anonymous: NO_TOKEN,
  guest: FORBIDDEN,
  member: FORBIDDEN,
  otherMember: FORBIDDEN,
  admin,
  pending: FORBIDDEN,
  admitted: FORBIDDEN,
  cohost: FORBIDDEN,
  host: FORBIDDEN,
});

// prettier-ignore
export const AUDIT_ROWS: Record<string, HttpRow> = {
  'GET /api/admin/audit': {
    request: (fx) => ({ url: `/api/admin/audit?type=room.created,auth.login&targetId=${fx.roomId}&limit=5` }),
    expect: adminOnly('200'),
  },
  'GET /api/admin/audit · a limit past 200': {
    request: () => ({ url: '/api/admin/audit?limit=201' }),
    expect: adminOnly('400 VALIDATION_FAILED'),
  },
  'GET /api/admin/audit · a forged cursor': {
    request: () => ({ url: '/api/admin/audit?cursor=bm9wZQ' }),
    expect: adminOnly('400 VALIDATION_FAILED'),
  },
};
