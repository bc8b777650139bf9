import type { Actor, HttpOutcome } from './fixtures.js';
import type { HttpRow } from './matrix.js';

// What the per-area row files share: the two refusals every signed-in-only route gives,
// and the shape of an admins-only row (anonymous 401, every other actor 403, whoever they
// are in the room: the admin routes span every room).

export const NO_TOKEN = '401 UNAUTHENTICATED';
export const FORBIDDEN = '403 FORBIDDEN';

/** Admins get `admin`; anonymous callers 401; everyone else 403. */
export const adminOnly = (admin: HttpOutcome): Record<Actor, HttpOutcome> => ({
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

/** A row of an admins-only route: `admin` is what the admin gets (default 200). */
export const adminOnlyRow = (request: HttpRow['request'], admin: HttpOutcome = '200'): HttpRow => ({
  request,
  expect: adminOnly(admin),
});
