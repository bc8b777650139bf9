import type {
  AcceptInviteBody,
  AcceptInviteResponse,
  AuthResponse,
  CreateInviteBody,
  CreateRoomBody,
  CreateRoomResponse,
  InviteResponse,
  IceServersResponse,
  InviteSummary,
  JoinRoomBody,
  JoinRoomResponse,
  LoginBody,
  MeResponse,
  ParticipantResponse,
  RegisterBody,
  RoomListResponse,
  RoomResponse,
} from '@parley/protocol';
import type { ApiClient } from './client';

/** The CreateRoomBody as sent: zod defaults make these two optional on the wire. */
export type CreateRoomInput = Omit<CreateRoomBody, 'chatEnabled' | 'maxParticipants'> &
  Partial<Pick<CreateRoomBody, 'chatEnabled' | 'maxParticipants'>>;

const seg = encodeURIComponent;

/** Typed wrappers over the REST routes (see the server's /api/openapi.json). */
export function createEndpoints(api: ApiClient) {
  return {
    auth: {
      register: (body: RegisterBody) =>
        api.request<AuthResponse>('/api/auth/register', { method: 'POST', body, auth: false }),
      login: (body: LoginBody) =>
        api.request<AuthResponse>('/api/auth/login', { method: 'POST', body, auth: false }),
      guest: (displayName: string) =>
        api.request<AuthResponse>('/api/auth/guest', {
          method: 'POST',
          body: { displayName },
          auth: false,
        }),
      logout: (refreshToken: string) =>
        api.request<undefined>('/api/auth/logout', {
          method: 'POST',
          body: { refreshToken },
          auth: false,
        }),
      me: () => api.request<MeResponse>('/api/auth/me'),
    },
    /** STUN/TURN servers with short-lived TURN credentials for this user. */
    iceServers: () => api.request<IceServersResponse>('/api/ice-servers'),
    rooms: {
      create: (body: CreateRoomInput) =>
        api.request<CreateRoomResponse>('/api/rooms', { method: 'POST', body }),
      mine: () => api.request<RoomListResponse>('/api/rooms'),
      get: (idOrCode: string) => api.request<RoomResponse>(`/api/rooms/${seg(idOrCode)}`),
      join: (idOrCode: string, body: JoinRoomBody = {}) =>
        api.request<JoinRoomResponse>(`/api/rooms/${seg(idOrCode)}/join`, {
          method: 'POST',
          body,
        }),
      leave: (id: string, opts: { keepalive?: boolean } = {}) =>
        api.request<undefined>(`/api/rooms/${seg(id)}/leave`, { method: 'POST', ...opts }),
      createInvite: (id: string, body: CreateInviteBody) =>
        api.request<InviteResponse>(`/api/rooms/${seg(id)}/invites`, { method: 'POST', body }),
      /** Ends the meeting for everyone (host). */
      end: (id: string) => api.request<undefined>(`/api/rooms/${seg(id)}`, { method: 'DELETE' }),
      /** Host and co-host decisions about one person: admit, deny, kick, promote (host only). */
      decide: (id: string, userId: string, action: 'admit' | 'deny' | 'kick' | 'promote') =>
        api.request<ParticipantResponse>(
          `/api/rooms/${seg(id)}/participants/${seg(userId)}/${action}`,
          { method: 'POST' },
        ),
    },
    invites: {
      get: (token: string) =>
        api.request<InviteSummary>(`/api/invites/${seg(token)}`, { auth: false }),
      accept: (token: string, body: AcceptInviteBody = {}) =>
        api.request<AcceptInviteResponse>(`/api/invites/${seg(token)}/accept`, {
          method: 'POST',
          body,
        }),
    },
  };
}

export type Endpoints = ReturnType<typeof createEndpoints>;
