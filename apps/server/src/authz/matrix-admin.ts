import { randomUUID } from 'node:crypto';
import type { HttpRow } from './matrix.js';
import { adminOnlyRow } from './matrix-common.js';

// Authorization rows for the issue-13 admin lists and the admin's "close this room",
// merged into HTTP_MATRIX. Admins only: anonymous 401, every other actor 403 — decided
// before the query is read, so a bad query changes nothing for them (the `·` rows).

const newAccountBody = () => ({
  email: `made-${randomUUID()}@parley.test`,
  displayName: 'Made by an admin',
  role: 'member',
  password: 'a-long-passphrase-1',
});

// prettier-ignore
export const ADMIN_ROWS: Record<string, HttpRow> = {
  'GET /api/admin/users': adminOnlyRow(() => ({ url: '/api/admin/users?q=member&status=all&guests=include&limit=5' })),
  'GET /api/admin/users · an unknown parameter': adminOnlyRow(() => ({ url: '/api/admin/users?admin=true' }), '400 VALIDATION_FAILED'),
  // A new address per cell: the admin's succeeds, and nobody else's may.
  'POST /api/admin/users': adminOnlyRow(() => ({ url: '/api/admin/users', body: newAccountBody() }), '201'),
  'POST /api/admin/users · an email that has an account': adminOnlyRow((fx) => ({ url: '/api/admin/users', body: { ...newAccountBody(), email: fx.subject.email } }), '409 EMAIL_TAKEN'),
  'POST /api/admin/users · an unknown field': adminOnlyRow(() => ({ url: '/api/admin/users', body: { ...newAccountBody(), isAdmin: true } }), '400 VALIDATION_FAILED'),
  'GET /api/admin/rooms': adminOnlyRow(() => ({ url: '/api/admin/rooms?status=open' })),
  'GET /api/admin/rooms · a forged cursor': adminOnlyRow(() => ({ url: '/api/admin/rooms?cursor=bm9wZQ' }), '400 VALIDATION_FAILED'),
  'GET /api/admin/rooms/:id': adminOnlyRow((fx) => ({ url: `/api/admin/rooms/${fx.roomId}` })),
  'POST /api/admin/rooms/:id/close': { fresh: true, ...adminOnlyRow((fx) => ({ url: `/api/admin/rooms/${fx.roomId}/close` })) },
  'POST /api/admin/rooms/:id/close · no such room': adminOnlyRow(() => ({ url: '/api/admin/rooms/00000000-0000-4000-8000-000000000000/close' }), '404 ROOM_NOT_FOUND'),
  'GET /api/admin/calls': adminOnlyRow(() => ({ url: '/api/admin/calls?status=ended&limit=10' })),
};
