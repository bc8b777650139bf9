// The few Parley messages and REST bodies this client uses, written from
// packages/protocol/PROTOCOL.md (not imported from @parley/protocol on purpose: the bot proves
// that the document is enough to write a client from). Server messages are lenient: unknown
// types and fields are ignored.

/** PROTOCOL.md: `PROTOCOL_VERSION` is 1. */
export const PROTOCOL_VERSION = 1;

/** PROTOCOL.md §1.4 (`WS_LIMITS`): no pong for this long means the server is gone. */
export const DEAD_AFTER_MS = 45_000;

export interface MediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
  handRaised?: boolean;
}

export interface SessionDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp: string;
}

/** `RTCIceCandidate.toJSON()`; `null` is end-of-candidates (accepted, and ignored by clients). */
export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** Exactly one of the two. */
export type SignalPayload =
  { description: SessionDescription } | { candidate: IceCandidate | null };

// ---- client → server (PROTOCOL.md §2); client messages are strict: no extra keys ----

export type ClientMessage =
  | { type: 'hello'; token: string; protocolVersion: number; ref?: string }
  | { type: 'auth.refresh'; token: string; ref?: string }
  | { type: 'room.join'; roomId: string; media?: MediaState; ref?: string }
  | { type: 'room.leave' }
  | ({ type: 'signal'; to: string } & SignalPayload)
  | ({ type: 'media.update' } & MediaState)
  | { type: 'ping'; ref?: string };

// ---- server → client (PROTOCOL.md §3) ----

export interface RosterEntry {
  connectionId: string;
  userId: string;
  displayName: string;
  isGuest: boolean;
  role: 'host' | 'cohost' | 'participant';
  media: MediaState;
}

export type ServerMessage =
  | {
      type: 'welcome';
      connectionId: string;
      userId: string;
      serverTime: number;
      heartbeatIntervalMs: number;
      tokenExpiresAt: number;
      resumeToken: string;
      resumed: boolean;
    }
  | { type: 'auth.refreshed'; tokenExpiresAt: number }
  | {
      type: 'room.joined';
      roomId: string;
      room: { id: string; code: string; name: string };
      self: { connectionId: string; userId: string; role: string };
      participants: RosterEntry[];
    }
  | { type: 'participant.joined'; roomId: string; participant: RosterEntry }
  | { type: 'participant.left'; roomId: string; connectionId: string; reason: string }
  | { type: 'participant.updated'; roomId: string; participant: RosterEntry }
  | ({ type: 'signal'; from: string; fromUserId: string } & Partial<{
      description: SessionDescription;
      candidate: IceCandidate | null;
    }>)
  | { type: 'lobby.admitted'; roomId: string }
  | { type: 'lobby.denied'; roomId: string; reason?: string }
  | { type: 'participant.kicked'; roomId: string }
  | { type: 'room.closed'; roomId: string; reason: string }
  | { type: 'moderation.applied'; roomId: string; action: string }
  | { type: 'pong'; serverTime: number; ref?: string }
  | { type: 'error'; code: string; message: string; ref?: string }
  | { type: 'server.draining' };

export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

// ---- REST (PROTOCOL.md §5, the OpenAPI document at /api/openapi.json) ----

export interface Tokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/** `POST /api/auth/guest` and `POST /api/auth/refresh`. */
export interface AuthResponse {
  user: { id: string; displayName: string; isGuest: boolean };
  tokens: Tokens;
}

/** `POST /api/rooms/:idOrCode/join`. */
export interface JoinRoomResponse {
  status: 'approved' | 'pending';
  isHost: boolean;
  role: string;
  room: { id: string; code: string; name: string; entry: string };
}

/** `GET /api/ice-servers`: an `RTCConfiguration.iceServers` list. */
export interface IceServersResponse {
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  ttlSeconds: number;
}
