import type { HttpRow } from './matrix.js';
import { adminOnlyRow } from './matrix-common.js';

// Authorization rows for the issue-13 settings routes, merged into HTTP_MATRIX.
// Reading and changing the system settings is for admins; which doors are open
// (registration, guests) is for anyone, signed in or not.

// prettier-ignore
export const SETTINGS_ROWS: Record<string, HttpRow> = {
  'GET /api/admin/settings': adminOnlyRow(() => ({ url: '/api/admin/settings' })),
  // The value it already has: the matrix shares one app, whose other rows must not feel it.
  'PATCH /api/admin/settings': adminOnlyRow(() => ({ url: '/api/admin/settings', body: { rooms: { chatEnabledByDefault: true } } })),
  'GET /api/settings': {
    request: () => ({ url: '/api/settings' }),
    expect: { anonymous: '200', guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
};
