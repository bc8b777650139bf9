import type {
  AdminCallsPage,
  AdminCreateUserBody,
  AdminRoomDetail,
  AdminRoomResponse,
  AdminRoomsPage,
  AdminUpdateUserBody,
  AdminUser,
  AdminUsersPage,
  AuditPage,
  CallState,
  MetricsSummary,
  SettingsPatch,
  SettingsResponse,
} from '@parley/protocol';
import type { ApiClient } from './client';
import { queryString } from './query-string';

const seg = encodeURIComponent;

export type AdminUsersFilter = {
  q?: string;
  role?: AdminUser['role'] | '';
  status?: 'active' | 'disabled' | 'all';
  guests?: 'exclude' | 'include' | 'only';
};
export type AdminRoomsFilter = { status: 'active' | 'open' | 'closed' };
export type AdminCallsFilter = { status?: CallState | '' };
/** As AuditQuery on the wire: `type` a comma-separated list, `from`/`to` ISO times. */
export type AdminAuditFilter = { type?: string; actorId?: string; from?: string; to?: string };
type Page = { cursor?: string | null; limit?: number };

/** The admin routes (admins only; everyone else gets 403). */
export function createAdminEndpoints(api: ApiClient) {
  return {
    users: {
      list: (f: AdminUsersFilter & Page) =>
        api.request<AdminUsersPage>(`/api/admin/users${queryString(f)}`),
      /** An account with a password, whatever the registration mode. 409 EMAIL_TAKEN. */
      create: (body: AdminCreateUserBody) =>
        api.request<AdminUser>('/api/admin/users', { method: 'POST', body }),
      update: (id: string, body: AdminUpdateUserBody) =>
        api.request<AdminUser>(`/api/admin/users/${seg(id)}`, { method: 'PATCH', body }),
    },
    rooms: {
      list: (f: AdminRoomsFilter & Page) =>
        api.request<AdminRoomsPage>(`/api/admin/rooms${queryString(f)}`),
      get: (id: string) => api.request<AdminRoomDetail>(`/api/admin/rooms/${seg(id)}`),
      close: (id: string) =>
        api.request<AdminRoomResponse>(`/api/admin/rooms/${seg(id)}/close`, { method: 'POST' }),
    },
    calls: {
      list: (f: AdminCallsFilter & Page) =>
        api.request<AdminCallsPage>(`/api/admin/calls${queryString(f)}`),
    },
    audit: {
      list: (f: AdminAuditFilter & Page) =>
        api.request<AuditPage>(`/api/admin/audit${queryString(f)}`),
    },
    settings: {
      get: () => api.request<SettingsResponse>('/api/admin/settings'),
      update: (body: SettingsPatch) =>
        api.request<SettingsResponse>('/api/admin/settings', { method: 'PATCH', body }),
    },
    metrics: {
      summary: () => api.request<MetricsSummary>('/api/admin/metrics/summary'),
    },
  };
}
export type AdminEndpoints = ReturnType<typeof createAdminEndpoints>;
