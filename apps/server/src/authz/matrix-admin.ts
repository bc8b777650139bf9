import { randomUUID } from 'node:crypto';
import type { Actor, HttpOutcome } from './fixtures.js';
import type { HttpRow } from './matrix.js';

// Authorization rows for the issue-13 admin lists and the admin's "close this room",
// merged into HTTP_MATRIX. Admins only: anonymous 401, every other actor 403 — decided
// before the query is read, so a bad query changes nothing for them (the `·` rows).

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

const newAccountBody = () => ({
  email: `made-${randomUUID()}@parley.test`,
  displayName: 'Made by an admin',
  role: 'member',
  password: 'a-long-passphrase-1',
});

// prettier-ignore
export const ADMIN_ROWS: Record<string, HttpRow> = {
  'GET /api/admin/users': {
    request: () => ({ url: '/api/admin/users?q=member&status=all&guests=include&limit=5' }),
    expect: adminOnly('200'),
  },
  'GET /api/admin/users · an unknown parameter': {
    request: () => ({ url: '/api/admin/users?admin=true' }),
    expect: adminOnly('400 VALIDATION_FAILED'),
  },
  'POST /api/admin/users': {
    // A new address per cell: the admin's succeeds, and nobody else's may.
    request: () => ({ url: '/api/admin/users', body: newAccountBody() }),
    expect: adminOnly('201'),
  },
  'POST /api/admin/users · an email that has an account': {
    request: (fx) => ({ url: '/api/admin/users', body: { ...newAccountBody(), email: fx.subject.email } }),
    expect: adminOnly('409 EMAIL_TAKEN'),
  },
  'POST /api/admin/users · an unknown field': {
    request: () => ({ url: '/api/admin/users', body: { ...newAccountBody(), isAdmin: true } }),
    expect: adminOnly('400 VALIDATION_FAILED'),
  },
  'GET /api/admin/rooms': {
    request: () => ({ url: '/api/admin/rooms?status=open' }),
    expect: adminOnly('200'),
  },
  'GET /api/admin/rooms · a forged cursor': {
    request: () => ({ url: '/api/admin/rooms?cursor=bm9wZQ' }),
    expect: adminOnly('400 VALIDATION_FAILED'),
  },
  'GET /api/admin/rooms/:id': {
    request: (fx) => ({ url: `/api/admin/rooms/${fx.roomId}` }),
    expect: adminOnly('200'),
  },
  'POST /api/admin/rooms/:id/close': {
    fresh: true,
    request: (fx) => ({ url: `/api/admin/rooms/${fx.roomId}/close` }),
    expect: adminOnly('200'),
  },
  'POST /api/admin/rooms/:id/close · no such room': {
    request: () => ({ url: '/api/admin/rooms/00000000-0000-4000-8000-000000000000/close' }),
    expect: adminOnly('404 ROOM_NOT_FOUND'),
  },
  'GET /api/admin/calls': {
    request: () => ({ url: '/api/admin/calls?status=ended&limit=10' }),
    expect: adminOnly('200'),
  },
};
