import type {
  AppointmentDetailResponse,
  AppointmentResponse,
  AppointmentRoomResponse,
  CanJoinResponse,
  CreateAppointmentBody,
  ListAppointmentsResponse,
  PaymentStatus,
  RescheduleAppointmentBody,
  AcceptInviteBody,
  BlocksResponse,
  CallFilter,
  CallMedia,
  CallResponse,
  ContactResponse,
  ContactsResponse,
  ListCallsResponse,
  PresenceSettings,
  UserSearchResponse,
  AcceptInviteResponse,
  AuthResponse,
  CreateInviteBody,
  CreateRoomBody,
  CreateRoomResponse,
  Invite,
  InviteListResponse,
  InviteResponse,
  IceServersResponse,
  InviteSummary,
  JoinRoomBody,
  JoinRoomResponse,
  LoginBody,
  MeResponse,
  MuteAllResponse,
  PublicSettings,
  ParticipantResponse,
  RegisterBody,
  RoomListResponse,
  RoomResponse,
} from '@parley/protocol';
import type { ApiClient } from './client';
import { queryString } from './query-string';

/** The CreateRoomBody as sent: zod defaults make these two optional on the wire. */
export type CreateRoomInput = Omit<CreateRoomBody, 'chatEnabled' | 'maxParticipants'> &
  Partial<Pick<CreateRoomBody, 'chatEnabled' | 'maxParticipants'>>;

const seg = encodeURIComponent;

/** Invite links come back relative when the server has no PUBLIC_URL: made absolute here. */
function absoluteInvite(invite: Invite): Invite {
  return { ...invite, url: new URL(invite.url, location.origin).href };
}

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
    /** Which doors are open (registration, guests): anyone may ask, signed in or not. */
    settings: {
      public: () => api.request<PublicSettings>('/api/settings', { auth: false }),
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
      /** An invite to the room (host or co-host); its link made absolute. */
      createInvite: (id: string, body: CreateInviteBody) =>
        api
          .request<InviteResponse>(`/api/rooms/${seg(id)}/invites`, { method: 'POST', body })
          .then(({ invite }) => ({ invite: absoluteInvite(invite) })),
      /** The room's invites, newest first (host or co-host). */
      invites: (id: string) =>
        api
          .request<InviteListResponse>(`/api/rooms/${seg(id)}/invites`)
          .then(({ invites }) => ({ invites: invites.map(absoluteInvite) })),
      /** Revokes an invite at once (revoking twice is fine). */
      revokeInvite: (id: string, code: string) =>
        api.request<undefined>(`/api/rooms/${seg(id)}/invites/${seg(code)}`, {
          method: 'DELETE',
        }),
      /** Ends the meeting for everyone (host or co-host). */
      end: (id: string) => api.request<undefined>(`/api/rooms/${seg(id)}`, { method: 'DELETE' }),
      /** Host and co-host decisions about one person: admit, deny, kick, promote (host only). */
      decide: (id: string, userId: string, action: 'admit' | 'deny' | 'kick' | 'promote') =>
        api.request<ParticipantResponse>(
          `/api/rooms/${seg(id)}/participants/${seg(userId)}/${action}`,
          { method: 'POST' },
        ),
      /** Turns one person's microphone off (they are told; turning it on stays theirs). */
      mute: (id: string, userId: string) =>
        api.request<ParticipantResponse>(`/api/rooms/${seg(id)}/participants/${seg(userId)}/mute`, {
          method: 'POST',
        }),
      /** Turns off every microphone in the call but the caller's. */
      muteAll: (id: string) =>
        api.request<MuteAllResponse>(`/api/rooms/${seg(id)}/mute-all`, { method: 'POST' }),
      lowerHand: (id: string, userId: string) =>
        api.request<ParticipantResponse>(
          `/api/rooms/${seg(id)}/participants/${seg(userId)}/lower-hand`,
          { method: 'POST' },
        ),
      /** Shows one connection large to everyone in the call; null ends the spotlight. */
      spotlight: (id: string, connectionId: string | null) =>
        api.request<undefined>(`/api/rooms/${seg(id)}/spotlight`, {
          method: 'POST',
          body: { connectionId },
        }),
    },
    /** Direct calls (issue 11): the server keeps the state machine; these ask for transitions. */
    calls: {
      place: (calleeId: string, media: CallMedia) =>
        api.request<CallResponse>('/api/calls', { method: 'POST', body: { calleeId, media } }),
      get: (id: string) => api.request<CallResponse>(`/api/calls/${seg(id)}`),
      list: (q: { filter?: CallFilter; cursor?: string | null; limit?: number } = {}) =>
        api.request<ListCallsResponse>(
          `/api/calls${queryString({ filter: q.filter ?? 'all', cursor: q.cursor, limit: q.limit })}`,
        ),
      /** accept/reject (callee), cancel (caller while ringing), end (either, once accepted). */
      act: (id: string, action: 'accept' | 'reject' | 'cancel' | 'end' | 'seen') =>
        api.request<CallResponse>(`/api/calls/${seg(id)}/${action}`, { method: 'POST' }),
    },
    contacts: {
      list: () => api.request<ContactsResponse>('/api/contacts'),
      add: (userId: string) =>
        api.request<ContactResponse>('/api/contacts', { method: 'POST', body: { userId } }),
      remove: (userId: string) =>
        api.request<undefined>(`/api/contacts/${seg(userId)}`, { method: 'DELETE' }),
      search: (q: string) =>
        api.request<UserSearchResponse>(`/api/users/search${queryString({ q })}`),
      blocks: () => api.request<BlocksResponse>('/api/blocks'),
      block: (userId: string) =>
        api.request<unknown>('/api/blocks', { method: 'POST', body: { userId } }),
      unblock: (userId: string) =>
        api.request<undefined>(`/api/blocks/${seg(userId)}`, { method: 'DELETE' }),
      presence: () => api.request<PresenceSettings>('/api/presence'),
      setPresence: (body: PresenceSettings) =>
        api.request<PresenceSettings>('/api/presence', { method: 'PUT', body }),
    },
    /** Scheduled appointments (issue 12): the server decides who may join and when. */
    appointments: {
      create: (body: CreateAppointmentBody) =>
        api.request<AppointmentResponse>('/api/appointments', { method: 'POST', body }),
      list: (
        q: {
          when?: 'upcoming' | 'past';
          /** `all`: everyone's (admins only); absent: mine as provider or client. */
          as?: 'provider' | 'client' | 'all' | undefined;
          cursor?: string | null | undefined;
          limit?: number;
        } = {},
      ) =>
        api.request<ListAppointmentsResponse>(
          `/api/appointments${queryString({
            when: q.when ?? 'upcoming',
            as: q.as,
            cursor: q.cursor,
            limit: q.limit,
          })}`,
        ),
      get: (id: string) => api.request<AppointmentDetailResponse>(`/api/appointments/${seg(id)}`),
      confirm: (id: string) =>
        api.request<AppointmentResponse>(`/api/appointments/${seg(id)}/confirm`, {
          method: 'POST',
        }),
      reschedule: (id: string, body: RescheduleAppointmentBody) =>
        api.request<AppointmentResponse>(`/api/appointments/${seg(id)}/reschedule`, {
          method: 'POST',
          body,
        }),
      cancel: (id: string, reason: string) =>
        api.request<AppointmentResponse>(`/api/appointments/${seg(id)}/cancel`, {
          method: 'POST',
          body: { reason },
        }),
      setPayment: (id: string, paymentStatus: PaymentStatus) =>
        api.request<AppointmentResponse>(`/api/appointments/${seg(id)}/payment`, {
          method: 'PUT',
          body: { paymentStatus },
        }),
      canJoin: (id: string) =>
        api.request<CanJoinResponse>(`/api/appointments/${seg(id)}/can-join`),
      /** The appointment's private room (the same one every time). */
      room: (id: string) =>
        api.request<AppointmentRoomResponse>(`/api/appointments/${seg(id)}/room`, {
          method: 'POST',
        }),
      /** Not JSON: fetched with the bearer token by appointments/calendar-file.ts. */
      calendarPath: (id: string) => `/api/appointments/${seg(id)}/calendar.ics`,
    },
    invites: {
      /** What an invite code leads to (`admission`: straight in, or the lobby). */
      get: (code: string) =>
        api.request<InviteSummary>(`/api/invites/${seg(code)}`, { auth: false }),
      /** `approved`: in; `pending`: waiting in the lobby of an approval room. */
      accept: (code: string, body: AcceptInviteBody = {}) =>
        api.request<AcceptInviteResponse>(`/api/invites/${seg(code)}/accept`, {
          method: 'POST',
          body,
        }),
    },
  };
}

export type Endpoints = ReturnType<typeof createEndpoints>;
