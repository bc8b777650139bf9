import { api } from '../api';
import { createAdminEndpoints } from '../api/admin';
import type { AdminEndpoints } from '../api/admin';
import type { AuditApi } from './audit';
import type { CallsApi } from './calls';
import type { RoomsApi } from './rooms';
import type { SettingsApi } from './settings-form';
import type { UsersApi } from './users';

// The admin view models' ports over the admin REST routes.

export const adminEndpoints = createAdminEndpoints(api);

export function usersApi(e: AdminEndpoints = adminEndpoints): UsersApi {
  return {
    list: (f, cursor) => e.users.list({ ...f, cursor }),
    update: (id, body) => e.users.update(id, body),
    create: (body) => e.users.create(body),
  };
}

export function roomsApi(e: AdminEndpoints = adminEndpoints): RoomsApi {
  return {
    list: (f, cursor) => e.rooms.list({ ...f, cursor }),
    get: (id) => e.rooms.get(id),
    close: async (id) => (await e.rooms.close(id)).room,
  };
}

export function callsApi(e: AdminEndpoints = adminEndpoints): CallsApi {
  return { list: (f, cursor) => e.calls.list({ ...f, cursor }) };
}

export function auditApi(e: AdminEndpoints = adminEndpoints): AuditApi {
  return { list: (f, cursor) => e.audit.list({ ...f, cursor }) };
}

export function settingsApi(e: AdminEndpoints = adminEndpoints): SettingsApi {
  return { get: () => e.settings.get(), update: (patch) => e.settings.update(patch) };
}
