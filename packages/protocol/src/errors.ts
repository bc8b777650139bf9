import { z } from 'zod';

/**
 * Stable machine-readable error codes. Clients branch on these, so a code is never
 * renamed; new ones are added. The HTTP status that goes with each is the server's
 * business (see apps/server/src/platform/errors.ts).
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  INVALID_JSON: 'INVALID_JSON',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_TOKEN: 'INVALID_TOKEN',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  ACCOUNT_DISABLED: 'ACCOUNT_DISABLED',
  /** The sign-in session behind the token ended (logout, or a reused refresh token). */
  SESSION_REVOKED: 'SESSION_REVOKED',
  INVALID_REFRESH_TOKEN: 'INVALID_REFRESH_TOKEN',
  REFRESH_TOKEN_REUSED: 'REFRESH_TOKEN_REUSED',
  /** An admin tried to disable or demote their own account (someone must stay in charge). */
  CANNOT_CHANGE_SELF: 'CANNOT_CHANGE_SELF',
  TOO_MANY_ATTEMPTS: 'TOO_MANY_ATTEMPTS',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  // Rooms, lobby and invites (HTTP and socket).
  ROOM_NOT_FOUND: 'ROOM_NOT_FOUND',
  ROOM_FULL: 'ROOM_FULL',
  ROOM_CLOSED: 'ROOM_CLOSED',
  ROOM_LOCKED: 'ROOM_LOCKED',
  BAD_ROOM_PASSWORD: 'BAD_ROOM_PASSWORD',
  NOT_HOST: 'NOT_HOST',
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  NOT_APPROVED: 'NOT_APPROVED',
  ALREADY_IN_ROOM: 'ALREADY_IN_ROOM',
  JOIN_DENIED: 'JOIN_DENIED',
  KICKED_FROM_ROOM: 'KICKED_FROM_ROOM',
  PARTICIPANT_NOT_FOUND: 'PARTICIPANT_NOT_FOUND',
  INVITE_INVALID: 'INVITE_INVALID',
  INVITE_NOT_FOUND: 'INVITE_NOT_FOUND',
  GUESTS_CANNOT_CREATE_ROOMS: 'GUESTS_CANNOT_CREATE_ROOMS',
  CONFLICT: 'CONFLICT',
  // Chat and watch-together (socket).
  CHAT_DISABLED: 'CHAT_DISABLED',
  NO_PLAYBACK_SOURCE: 'NO_PLAYBACK_SOURCE',
  // WebSocket session (see PROTOCOL.md for which of these close the connection).
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  UNKNOWN_MESSAGE_TYPE: 'UNKNOWN_MESSAGE_TYPE',
  TARGET_NOT_FOUND: 'TARGET_NOT_FOUND',
  PROTOCOL_VERSION_UNSUPPORTED: 'PROTOCOL_VERSION_UNSUPPORTED',
  HELLO_REQUIRED: 'HELLO_REQUIRED',
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  SLOW_CONSUMER: 'SLOW_CONSUMER',
  // Direct calls, contacts and presence (HTTP).
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  CALL_NOT_FOUND: 'CALL_NOT_FOUND',
  /** The transition does not apply to the call's state (accepting a cancelled call). */
  INVALID_CALL_STATE: 'INVALID_CALL_STATE',
  /** The caller is already in a ringing or accepted call. */
  ALREADY_IN_CALL: 'ALREADY_IN_CALL',
  CANNOT_CALL_SELF: 'CANNOT_CALL_SELF',
  /** Guests can neither call nor be called, nor be anyone's contact. */
  CANNOT_CALL_GUEST: 'CANNOT_CALL_GUEST',
  /** The person called has blocked the caller. */
  CALL_BLOCKED: 'CALL_BLOCKED',
  /** Adding or blocking oneself. */
  CANNOT_TARGET_SELF: 'CANNOT_TARGET_SELF',
  /** Only the other party may do that (the caller accepting their own call). */
  NOT_CALL_PARTY: 'NOT_CALL_PARTY',
  // Appointments and payment webhooks (HTTP).
  APPOINTMENT_NOT_FOUND: 'APPOINTMENT_NOT_FOUND',
  /** The change does not apply to the appointment's status (confirming a cancelled one). */
  INVALID_APPOINTMENT_STATE: 'INVALID_APPOINTMENT_STATE',
  /** The provider or the client already has an appointment at that time. */
  APPOINTMENT_CONFLICT: 'APPOINTMENT_CONFLICT',
  /** Joining is not allowed now; `details.reason` is a JoinBlockReason. */
  APPOINTMENT_NOT_JOINABLE: 'APPOINTMENT_NOT_JOINABLE',
  /** The client must be another registered, enabled user (not a guest, not the provider). */
  INVALID_CLIENT: 'INVALID_CLIENT',
  WEBHOOK_NOT_CONFIGURED: 'WEBHOOK_NOT_CONFIGURED',
  /** Missing or wrong signature or timestamp header. */
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
  /** The signed timestamp is outside the tolerance window. */
  WEBHOOK_TIMESTAMP_STALE: 'WEBHOOK_TIMESTAMP_STALE',
  /** This event id was accepted before. */
  WEBHOOK_REPLAYED: 'WEBHOOK_REPLAYED',
  // Operations (issue 13).
  /** Registration is closed (`registration: closed`) on this server. */
  REGISTRATION_CLOSED: 'REGISTRATION_CLOSED',
  /** Registration needs a valid room invite (`registration: invite-only`). */
  INVITE_REQUIRED: 'INVITE_REQUIRED',
  /** Guest access is switched off on this server. */
  GUESTS_DISABLED: 'GUESTS_DISABLED',
  /** A quota of the system settings (rooms per user, guests per IP); `details.quota` names it. */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The one error shape every HTTP route answers with. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine code, e.g. EMAIL_TAKEN' }),
      message: z.string().meta({ description: 'Human-readable explanation' }),
      details: z.record(z.string(), z.unknown()),
      requestId: z.string(),
      timestamp: z.iso.datetime(),
    }),
  })
  .meta({ id: 'ErrorResponse' });
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** `details.fields` of a VALIDATION_FAILED error: field path -> messages. */
export type FieldErrors = Record<string, string[]>;
