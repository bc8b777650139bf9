import { z } from 'zod';
import { User } from './auth.js';
import { Appointment } from './appointments.js';
import { Call } from './calls.js';
import { ChatMessage, ChatText } from './chat.js';
import { Presence } from './contacts.js';
import { LinkOutcome, QUALITY_LIMITS } from './metrics.js';
import { ErrorCode } from './errors.js';
import type { FieldErrors } from './errors.js';
import {
  INITIAL_PLAYBACK_STATE,
  PLAYBACK_LIMITS,
  PlaybackRate,
  PlaybackSourceInput,
  PlaybackState,
} from './playback.js';
import { ParticipantRole, RoomSummary } from './rooms.js';

/**
 * Per-connection limits of `/ws`. PROTOCOL.md explains each; the server may lower the
 * connection caps in its config, the rest are part of the contract.
 */
export const WS_LIMITS = {
  /**
   * A frame larger than this closes the connection with 1009. An offer or answer between two
   * peers of a mesh carries only their own audio/video/screen sections (< 20 KB even with
   * many codecs), so 64 KiB leaves room without letting one client make the server buffer
   * and relay megabytes.
   */
  maxPayloadBytes: 64 * 1024,
  /** SDP text in a `signal`; below maxPayloadBytes so the envelope still fits. */
  maxSdpLength: 60 * 1024,
  maxCandidateLength: 2048,
  helloTimeoutMs: 5_000,
  /** Proxies commonly drop idle connections at 60 s; 20 s keeps well inside that. */
  heartbeatIntervalMs: 20_000,
  /** Two missed heartbeats plus slack. */
  deadAfterMs: 45_000,
  /**
   * Token bucket per connection. Joining a 12-person mesh sends 11 offers and a dozen
   * trickled candidates for each within a second or two, so the burst is generous;
   * the sustained rate is what stops a flood.
   */
  messagesPerSecond: 50,
  burst: 200,
  /** Unsent bytes queued for one socket before it is closed as a slow consumer (4009). */
  maxBufferedBytes: 1024 * 1024,
  maxConnectionsPerUser: 10,
  maxConnectionsPerIp: 100,
} as const;

/**
 * Close codes of `/ws`; the close reason is the ErrorCode that caused it (e.g.
 * `4002 TOKEN_EXPIRED`). Recoverable errors do NOT close: after `hello`, INVALID_JSON,
 * INVALID_MESSAGE, UNKNOWN_MESSAGE_TYPE, TARGET_NOT_FOUND, NOT_IN_ROOM, ALREADY_IN_ROOM,
 * NOT_APPROVED, JOIN_DENIED, KICKED_FROM_ROOM, NOT_HOST, ROOM_NOT_FOUND, ROOM_CLOSED,
 * ROOM_FULL, CHAT_DISABLED, NO_PLAYBACK_SOURCE, INTERNAL, and the RATE_LIMITED of a
 * `chat.send` over the chat limit (it echoes the `ref`) are answered with an `error`
 * message and the connection stays. Everything before a valid `hello`, and the limits
 * below (including the connection's own message rate, RATE_LIMITED without a `ref`),
 * close it.
 */
export const WsCloseCode = {
  NORMAL: 1000,
  /**
   * "Service restart": the server is stopping (after `server.draining`) or lost the shared
   * live state the call depends on. Reconnect (another node may answer) and rejoin.
   */
  SERVICE_RESTART: 1012,
  /** A binary frame: the protocol is JSON text only. */
  UNSUPPORTED_DATA: 1003,
  /** Frame larger than WS_LIMITS.maxPayloadBytes; sent by the ws library itself. */
  MESSAGE_TOO_BIG: 1009,
  /** The server failed where it could not answer with an `error` (e.g. storage down at `hello`). */
  INTERNAL_ERROR: 1011,
  /** No valid `hello` within WS_LIMITS.helloTimeoutMs. */
  HELLO_TIMEOUT: 4001,
  /** Missing, invalid, expired or revoked token (at `hello`, or revoked later). */
  UNAUTHENTICATED: 4002,
  /** `hello.protocolVersion` is not one the server speaks. */
  PROTOCOL_VERSION: 4003,
  /** Anything but a valid `hello` as the first message (bad JSON, bad schema, other type). */
  PROTOCOL_VIOLATION: 4004,
  /** Over WS_LIMITS.maxConnectionsPerUser / maxConnectionsPerIp. */
  TOO_MANY_CONNECTIONS: 4005,
  /** The message-rate bucket ran dry. */
  RATE_LIMITED: 4008,
  /** More than WS_LIMITS.maxBufferedBytes waiting to be sent to this client. */
  SLOW_CONSUMER: 4009,
  /** Sent after `participant.kicked` to the connections that were in that room. */
  KICKED: 4010,
  /** Sent after `room.closed` to the connections that were in that room. */
  ROOM_CLOSED: 4011,
} as const;
export type WsCloseCode = (typeof WsCloseCode)[keyof typeof WsCloseCode];

// ---- shared pieces ----

/** Client-chosen correlation id; replies and errors to that message echo it. */
export const MessageRef = z.string().min(1).max(64);

/** Server-assigned id of one socket; one user in two tabs has two. */
export const ConnectionId = z.string().min(1).max(64);

/** RTCSessionDescriptionInit as the browser produces it. */
export const SessionDescription = z.strictObject({
  type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: z.string().max(WS_LIMITS.maxSdpLength),
});
export type SessionDescription = z.infer<typeof SessionDescription>;

/** RTCIceCandidateInit, i.e. `RTCIceCandidate.toJSON()`. */
export const IceCandidate = z.strictObject({
  candidate: z.string().max(WS_LIMITS.maxCandidateLength),
  sdpMid: z.string().max(256).nullable().optional(),
  sdpMLineIndex: z.int().min(0).max(65_535).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
export type IceCandidate = z.infer<typeof IceCandidate>;

/** Exactly one of the two; `candidate: null` means end of candidates. */
export type SignalPayload =
  | { description: SessionDescription; candidate?: never }
  | { candidate: IceCandidate | null; description?: never };

const signalPayloadShape = {
  description: SessionDescription.optional(),
  candidate: IceCandidate.nullable().optional(),
};

const exactlyOnePayload = [
  (m: { description?: unknown; candidate?: unknown }) =>
    (m.description !== undefined) !== (m.candidate !== undefined),
  { message: 'Send exactly one of description or candidate' },
] as const;

export const MediaState = z.strictObject({
  audio: z.boolean(),
  video: z.boolean(),
  screen: z.boolean(),
  handRaised: z.boolean(),
});
export type MediaState = z.infer<typeof MediaState>;

/** A participant's own media as they report it; `handRaised` left out means unchanged. */
const mediaUpdateShape = {
  audio: z.boolean(),
  video: z.boolean(),
  screen: z.boolean(),
  handRaised: z.boolean().optional(),
};

/** One connection in a room's call. */
export const RosterEntry = z.object({
  connectionId: ConnectionId,
  userId: z.uuid(),
  displayName: z.string(),
  isGuest: z.boolean(),
  role: ParticipantRole,
  media: MediaState,
  joinedAt: z.iso.datetime(),
  /**
   * When the hand went up (server clock); null while it is down. The raised hands in this
   * order are the queue of who speaks next.
   */
  handRaisedAt: z.iso.datetime().nullable().default(null),
});
export type RosterEntry = z.infer<typeof RosterEntry>;

export const LobbyUser = z.object({
  id: z.uuid(),
  displayName: z.string(),
  isGuest: z.boolean(),
});
export type LobbyUser = z.infer<typeof LobbyUser>;

/** Someone waiting for a host's decision. */
export const LobbyEntry = z.object({ user: LobbyUser, requestedAt: z.iso.datetime() });
export type LobbyEntry = z.infer<typeof LobbyEntry>;

/** Epoch milliseconds of the server clock, for offset estimates. */
const ServerTime = z.int().min(0);

// ---- client -> server ----
// Strict objects: an unknown key (a forged `from`, a `__proto__`) is a validation failure.

const clientRef = { ref: MessageRef.optional() };

export const HelloMessage = z.strictObject({
  type: z.literal('hello'),
  ...clientRef,
  token: z.string().min(1).max(4096),
  protocolVersion: z.int().min(1),
  /**
   * After a close with 1012 (`server.draining`): the `resumeToken` of the connection that
   * closed. Within a few seconds, the new socket takes over that connection: same
   * `connectionId`, same place in the call, so peers keep their links and media never
   * stops. Not resumable (too late, another user, unknown): a fresh connection, as if absent.
   */
  resume: z.string().min(16).max(128).optional(),
});
export type HelloMessage = z.infer<typeof HelloMessage>;

/**
 * A fresh access token for the open socket, sent before the current one expires
 * (`welcome.tokenExpiresAt`), so a long call never has to reconnect. Same user only.
 */
export const AuthRefreshMessage = z.strictObject({
  type: z.literal('auth.refresh'),
  ...clientRef,
  token: z.string().min(1).max(4096),
});
export type AuthRefreshMessage = z.infer<typeof AuthRefreshMessage>;

export const RoomJoinMessage = z.strictObject({
  type: z.literal('room.join'),
  ...clientRef,
  roomId: z.uuid(),
  /** Initial media state, so others never see a flash of the wrong state; all off if absent. */
  media: z.strictObject(mediaUpdateShape).optional(),
});
export type RoomJoinMessage = z.infer<typeof RoomJoinMessage>;

export const RoomLeaveMessage = z.strictObject({ type: z.literal('room.leave'), ...clientRef });
export type RoomLeaveMessage = z.infer<typeof RoomLeaveMessage>;

export type ClientSignalMessage = { type: 'signal'; ref?: string; to: string } & SignalPayload;

export const ClientSignalMessage = z
  .strictObject({
    type: z.literal('signal'),
    ...clientRef,
    to: ConnectionId,
    ...signalPayloadShape,
  })
  .refine(...exactlyOnePayload)
  // The refinement guarantees the union; the cast only tells TypeScript.
  .transform((m) => m as ClientSignalMessage);

export const MediaUpdateMessage = z.strictObject({
  type: z.literal('media.update'),
  ...clientRef,
  ...mediaUpdateShape,
});
export type MediaUpdateMessage = z.infer<typeof MediaUpdateMessage>;

export const PingMessage = z.strictObject({ type: z.literal('ping'), ...clientRef });
export type PingMessage = z.infer<typeof PingMessage>;

/** No sender fields: who wrote it is the connection's user. */
export const ChatSendMessage = z.strictObject({
  type: z.literal('chat.send'),
  ...clientRef,
  text: ChatText,
});
export type ChatSendMessage = z.infer<typeof ChatSendMessage>;

export const ClientChatTypingMessage = z.strictObject({
  type: z.literal('chat.typing'),
  ...clientRef,
});
export type ClientChatTypingMessage = z.infer<typeof ClientChatTypingMessage>;

/** `source: null` clears the shared player. */
export const PlaybackSetMessage = z.strictObject({
  type: z.literal('playback.set'),
  ...clientRef,
  source: PlaybackSourceInput.nullable(),
});
export type PlaybackSetMessage = z.infer<typeof PlaybackSetMessage>;

export const PlaybackPlayMessage = z.strictObject({
  type: z.literal('playback.play'),
  ...clientRef,
});
export type PlaybackPlayMessage = z.infer<typeof PlaybackPlayMessage>;

export const PlaybackPauseMessage = z.strictObject({
  type: z.literal('playback.pause'),
  ...clientRef,
});
export type PlaybackPauseMessage = z.infer<typeof PlaybackPauseMessage>;

/** `time` in seconds; zod numbers are finite, so NaN and Infinity never get here. */
export const PlaybackSeekMessage = z.strictObject({
  type: z.literal('playback.seek'),
  ...clientRef,
  time: z.number().min(0).max(PLAYBACK_LIMITS.maxSeekSeconds),
});
export type PlaybackSeekMessage = z.infer<typeof PlaybackSeekMessage>;

export const PlaybackRateMessage = z.strictObject({
  type: z.literal('playback.rate'),
  ...clientRef,
  rate: PlaybackRate,
});
export type PlaybackRateMessage = z.infer<typeof PlaybackRateMessage>;

/**
 * How one peer link came up (issue 13): sent once per link by a client in a call, counted
 * by the server for the call-quality metrics. `firstFrameMs`: from the link's start (our
 * `room.joined`, or the peer's arrival if later) to the first video frame from that peer,
 * when there was one.
 */
export const QualityReportMessage = z.strictObject({
  type: z.literal('quality.report'),
  outcome: LinkOutcome,
  firstFrameMs: z.int().min(0).max(QUALITY_LIMITS.maxFirstFrameMs).optional(),
  ...clientRef,
});
export type QualityReportMessage = z.infer<typeof QualityReportMessage>;

/** The emoji reactions a client may send; anything else is INVALID_MESSAGE. */
export const REACTIONS = ['👍', '👏', '😂', '❤️', '🎉', '😮', '🙌', '🤔'] as const;
export const Reaction = z.enum(REACTIONS);
export type Reaction = z.infer<typeof Reaction>;

/**
 * A reaction floating over the sender's tile for everyone in the room. Only from a
 * connection in a room; at most REACTION_LIMITS per connection (RATE_LIMITED past it).
 */
export const ReactionSendMessage = z.strictObject({
  type: z.literal('reaction.send'),
  ...clientRef,
  emoji: Reaction,
});
export type ReactionSendMessage = z.infer<typeof ReactionSendMessage>;

export const REACTION_LIMITS = { burst: 5, perSecond: 1 } as const;

export const ClientMessage = z.discriminatedUnion('type', [
  HelloMessage,
  AuthRefreshMessage,
  RoomJoinMessage,
  RoomLeaveMessage,
  ClientSignalMessage,
  MediaUpdateMessage,
  PingMessage,
  ChatSendMessage,
  ClientChatTypingMessage,
  PlaybackSetMessage,
  PlaybackPlayMessage,
  PlaybackPauseMessage,
  PlaybackSeekMessage,
  PlaybackRateMessage,
  QualityReportMessage,
  ReactionSendMessage,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const ClientMessageType = [
  'hello',
  'auth.refresh',
  'room.join',
  'room.leave',
  'signal',
  'media.update',
  'ping',
  'chat.send',
  'chat.typing',
  'playback.set',
  'playback.play',
  'playback.pause',
  'playback.seek',
  'playback.rate',
  'quality.report',
  'reaction.send',
] as const;
export type ClientMessageType = (typeof ClientMessageType)[number];

export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;

/** The host's commands for the shared player. */
export type PlaybackCommand = ClientMessageOf<
  'playback.set' | 'playback.play' | 'playback.pause' | 'playback.seek' | 'playback.rate'
>;

// ---- server -> client ----
// Plain objects: a client ignores fields it does not know, so the server can add some.

const serverRef = { ref: MessageRef.optional() };
const roomId = z.uuid();

export const WelcomeMessage = z.object({
  type: z.literal('welcome'),
  ...serverRef,
  connectionId: ConnectionId,
  userId: z.uuid(),
  serverTime: ServerTime,
  heartbeatIntervalMs: z.int().min(1),
  /** When the token given at `hello` expires (ms since the epoch); send `auth.refresh` before. */
  tokenExpiresAt: ServerTime,
  /** Secret to this connection: `hello.resume` after a 1012 keeps its place. Keep it private. */
  resumeToken: z.string().optional(),
  /** True when `hello.resume` was honoured: `connectionId` is the old one. */
  resumed: z.boolean().default(false),
});
export type WelcomeMessage = z.infer<typeof WelcomeMessage>;

/** Answer to `auth.refresh`: the socket now lives until the new token's expiry. */
export const AuthRefreshedMessage = z.object({
  type: z.literal('auth.refreshed'),
  ...serverRef,
  tokenExpiresAt: ServerTime,
});
export type AuthRefreshedMessage = z.infer<typeof AuthRefreshedMessage>;

/** The account changed while the socket was open (a role change, a new name). */
export const SessionUpdatedMessage = z.object({
  type: z.literal('session.updated'),
  user: User,
});
export type SessionUpdatedMessage = z.infer<typeof SessionUpdatedMessage>;

export const RoomJoinedMessage = z.object({
  type: z.literal('room.joined'),
  ...serverRef,
  roomId,
  room: RoomSummary,
  self: z.object({ connectionId: ConnectionId, userId: z.uuid(), role: ParticipantRole }),
  /** Everyone else in the call (including this user's other tabs), never this connection. */
  participants: z.array(RosterEntry),
  /** Waiting knockers; filled only for a host or co-host, empty for everyone else. */
  lobby: z.array(LobbyEntry),
  // This server always sends the next three. The defaults only let a `room.joined`
  // written before they existed (test fakes) still parse: an empty tail, no video.
  /** The last CHAT_LIMITS.tailSize messages, oldest first (also when chat is off). */
  chat: z.array(ChatMessage).default(() => []),
  /** The shared player; `source: null` and version 0 when nothing was ever set. */
  playback: PlaybackState.default(() => ({ ...INITIAL_PLAYBACK_STATE })),
  /** Server clock when this was sent: `currentPosition(playback, serverTime)` is where the video is. */
  serverTime: ServerTime.default(0),
  /** The connection a host put in the spotlight for everyone (`room.spotlight`), or null. */
  spotlight: ConnectionId.nullable().default(null),
});
export type RoomJoinedMessage = z.infer<typeof RoomJoinedMessage>;

export const ParticipantJoinedMessage = z.object({
  type: z.literal('participant.joined'),
  roomId,
  participant: RosterEntry,
});
export type ParticipantJoinedMessage = z.infer<typeof ParticipantJoinedMessage>;

export const ParticipantLeftReason = z.enum(['left', 'disconnected', 'kicked', 'timeout']);
export type ParticipantLeftReason = z.infer<typeof ParticipantLeftReason>;

export const ParticipantLeftMessage = z.object({
  type: z.literal('participant.left'),
  roomId,
  connectionId: ConnectionId,
  userId: z.uuid(),
  reason: ParticipantLeftReason,
});
export type ParticipantLeftMessage = z.infer<typeof ParticipantLeftMessage>;

/** Media, hand or role changed. */
export const ParticipantUpdatedMessage = z.object({
  type: z.literal('participant.updated'),
  roomId,
  participant: RosterEntry,
});
export type ParticipantUpdatedMessage = z.infer<typeof ParticipantUpdatedMessage>;

export type ServerSignalMessage = {
  type: 'signal';
  from: string;
  fromUserId: string;
} & SignalPayload;

/** `from`/`fromUserId` are set by the server from the sending connection, never copied. */
export const ServerSignalMessage = z
  .object({
    type: z.literal('signal'),
    from: ConnectionId,
    fromUserId: z.uuid(),
    ...signalPayloadShape,
  })
  .refine(...exactlyOnePayload)
  .transform((m) => m as ServerSignalMessage);

export const LobbyRequestedMessage = z.object({
  type: z.literal('lobby.requested'),
  roomId,
  ...LobbyEntry.shape,
});
export type LobbyRequestedMessage = z.infer<typeof LobbyRequestedMessage>;

/** The knocker gave up (left the lobby). */
export const LobbyCancelledMessage = z.object({
  type: z.literal('lobby.cancelled'),
  roomId,
  userId: z.uuid(),
});
export type LobbyCancelledMessage = z.infer<typeof LobbyCancelledMessage>;

/** To hosts and co-hosts: a request was decided (by any of them), take it off the list. */
export const LobbyResolvedMessage = z.object({
  type: z.literal('lobby.resolved'),
  roomId,
  userId: z.uuid(),
  outcome: z.enum(['admitted', 'denied']),
});
export type LobbyResolvedMessage = z.infer<typeof LobbyResolvedMessage>;

export const LobbyAdmittedMessage = z.object({ type: z.literal('lobby.admitted'), roomId });
export type LobbyAdmittedMessage = z.infer<typeof LobbyAdmittedMessage>;

/** `invite-revoked`: the invite this person came with was revoked while they waited. */
export const LobbyDeniedMessage = z.object({
  type: z.literal('lobby.denied'),
  roomId,
  reason: z.enum(['denied', 'invite-revoked']).default('denied'),
});
export type LobbyDeniedMessage = z.infer<typeof LobbyDeniedMessage>;

export const ParticipantKickedMessage = z.object({
  type: z.literal('participant.kicked'),
  roomId,
});
export type ParticipantKickedMessage = z.infer<typeof ParticipantKickedMessage>;

export const RoomClosedMessage = z.object({
  type: z.literal('room.closed'),
  roomId,
  reason: z.enum(['ended', 'expired']),
});
export type RoomClosedMessage = z.infer<typeof RoomClosedMessage>;

export const RoomUpdatedMessage = z.object({
  type: z.literal('room.updated'),
  roomId,
  room: RoomSummary,
});
export type RoomUpdatedMessage = z.infer<typeof RoomUpdatedMessage>;

const Actor = z.object({ id: z.uuid(), displayName: z.string() });

/**
 * To the person a host or co-host acted on (all their connections in the room):
 * `mute`: their microphone was turned off (turning it back on stays their choice);
 * `mute-all`: the same, for everyone but the one who asked; `lower-hand`: their hand was lowered.
 */
export const ModerationAppliedMessage = z.object({
  type: z.literal('moderation.applied'),
  roomId,
  action: z.enum(['mute', 'mute-all', 'lower-hand']),
  by: Actor,
});
export type ModerationAppliedMessage = z.infer<typeof ModerationAppliedMessage>;

/**
 * To a person who now moderates the room (made co-host by a host, or chosen by the server
 * when the last host or co-host left while others stayed): their role, and the lobby as
 * it stands, so the requests waiting reach them.
 */
export const ModerationGrantedMessage = z.object({
  type: z.literal('moderation.granted'),
  roomId,
  role: ParticipantRole,
  reason: z.enum(['promoted', 'handover']),
  lobby: z.array(LobbyEntry),
});
export type ModerationGrantedMessage = z.infer<typeof ModerationGrantedMessage>;

/** To the whole room: a host put a connection in the spotlight for everyone (null: none). */
export const RoomSpotlightMessage = z.object({
  type: z.literal('room.spotlight'),
  roomId,
  connectionId: ConnectionId.nullable(),
  by: Actor,
});
export type RoomSpotlightMessage = z.infer<typeof RoomSpotlightMessage>;

/**
 * To the whole room, sender included: a reaction to float over the sender's tile. The
 * sender's own copy echoes the `ref` of its `reaction.send`.
 */
export const ReactionMessage = z.object({
  type: z.literal('reaction'),
  ...serverRef,
  roomId,
  connectionId: ConnectionId,
  userId: z.uuid(),
  emoji: Reaction,
});
export type ReactionMessage = z.infer<typeof ReactionMessage>;

export const PongMessage = z.object({
  type: z.literal('pong'),
  ...serverRef,
  serverTime: ServerTime,
});
export type PongMessage = z.infer<typeof PongMessage>;

/** Answer to `quality.report`: counted (echoes its ref). A client needs not wait for it. */
export const QualityRecordedMessage = z.object({
  type: z.literal('quality.recorded'),
  ...serverRef,
});
export type QualityRecordedMessage = z.infer<typeof QualityRecordedMessage>;

export const ErrorMessage = z.object({
  type: z.literal('error'),
  ...serverRef,
  code: z.string().meta({ description: 'An ErrorCode' }),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

export const ServerDrainingMessage = z.object({ type: z.literal('server.draining') });
export type ServerDrainingMessage = z.infer<typeof ServerDrainingMessage>;

/** To the whole room; the sending connection's copy echoes the `ref` of its `chat.send`. */
export const ServerChatMessage = z.object({
  type: z.literal('chat.message'),
  ...serverRef,
  ...ChatMessage.shape,
});
export type ServerChatMessage = z.infer<typeof ServerChatMessage>;

/** To the others in the room: someone is typing (at most one per user every 2 s). */
export const ServerChatTypingMessage = z.object({
  type: z.literal('chat.typing'),
  roomId,
  userId: z.uuid(),
  displayName: z.string(),
});
export type ServerChatTypingMessage = z.infer<typeof ServerChatTypingMessage>;

/** To the whole room after every change; the sender's copy echoes its command's `ref`. */
export const PlaybackStateMessage = z.object({
  type: z.literal('playback.state'),
  ...serverRef,
  roomId,
  state: PlaybackState,
  serverTime: ServerTime,
  /** Who changed it. */
  by: z.uuid(),
});
export type PlaybackStateMessage = z.infer<typeof PlaybackStateMessage>;

// ---- direct calls and presence: to a user (every device), never to a room ----

const callNotice = <T extends string>(type: T) => z.object({ type: z.literal(type), call: Call });

/** To the callee's devices: ring. */
export const CallIncomingMessage = callNotice('call.incoming');
/** To the caller's devices: the callee accepted; `call.room` is where to go. */
export const CallAcceptedMessage = callNotice('call.accepted');
/** To the callee's devices: one of them accepted; the others stop ringing (the one that accepted ignores it). */
export const CallAnsweredElsewhereMessage = callNotice('call.answered-elsewhere');
/** To both parties: the callee declined. */
export const CallRejectedMessage = callNotice('call.rejected');
/** To both parties: the caller hung up before an answer. */
export const CallCancelledMessage = callNotice('call.cancelled');
/** To both parties: nobody answered within the ring timeout. */
export const CallMissedMessage = callNotice('call.missed');
/** To the caller's devices: the callee is in another call or does not want to be disturbed. */
export const CallBusyMessage = callNotice('call.busy');
/** To both parties: the call is over; `call.durationSeconds` is the server's measure. */
export const CallEndedMessage = callNotice('call.ended');

/** To everyone who has this person as a contact: they came online, went offline or changed "do not disturb". */
export const PresenceChangedMessage = z.object({
  type: z.literal('presence.changed'),
  userId: z.uuid(),
  presence: Presence,
});
export type PresenceChangedMessage = z.infer<typeof PresenceChangedMessage>;

/**
 * To the provider's and the client's devices (each their own view): an appointment was
 * created, confirmed, rescheduled, cancelled, paid, started, completed or marked no-show.
 */
export const AppointmentUpdatedMessage = z.object({
  type: z.literal('appointment.updated'),
  appointment: Appointment,
});
export type AppointmentUpdatedMessage = z.infer<typeof AppointmentUpdatedMessage>;

export const ServerMessage = z.discriminatedUnion('type', [
  WelcomeMessage,
  AuthRefreshedMessage,
  SessionUpdatedMessage,
  RoomJoinedMessage,
  ParticipantJoinedMessage,
  ParticipantLeftMessage,
  ParticipantUpdatedMessage,
  ServerSignalMessage,
  LobbyRequestedMessage,
  LobbyCancelledMessage,
  LobbyResolvedMessage,
  LobbyAdmittedMessage,
  LobbyDeniedMessage,
  ParticipantKickedMessage,
  RoomClosedMessage,
  RoomUpdatedMessage,
  ModerationAppliedMessage,
  ModerationGrantedMessage,
  RoomSpotlightMessage,
  ReactionMessage,
  PongMessage,
  QualityRecordedMessage,
  ErrorMessage,
  ServerDrainingMessage,
  ServerChatMessage,
  ServerChatTypingMessage,
  PlaybackStateMessage,
  CallIncomingMessage,
  CallAcceptedMessage,
  CallAnsweredElsewhereMessage,
  CallRejectedMessage,
  CallCancelledMessage,
  CallMissedMessage,
  CallBusyMessage,
  CallEndedMessage,
  PresenceChangedMessage,
  AppointmentUpdatedMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

export const ServerMessageType = [
  'welcome',
  'auth.refreshed',
  'session.updated',
  'room.joined',
  'participant.joined',
  'participant.left',
  'participant.updated',
  'signal',
  'lobby.requested',
  'lobby.cancelled',
  'lobby.resolved',
  'lobby.admitted',
  'lobby.denied',
  'participant.kicked',
  'room.closed',
  'room.updated',
  'moderation.applied',
  'moderation.granted',
  'room.spotlight',
  'reaction',
  'pong',
  'quality.recorded',
  'error',
  'server.draining',
  'chat.message',
  'chat.typing',
  'playback.state',
  'call.incoming',
  'call.accepted',
  'call.answered-elsewhere',
  'call.rejected',
  'call.cancelled',
  'call.missed',
  'call.busy',
  'call.ended',
  'presence.changed',
  'appointment.updated',
] as const;
export type ServerMessageType = (typeof ServerMessageType)[number];

export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

// The lists above must name exactly the union members; this fails to compile otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _clientTypesMatch: Same<ClientMessageType, ClientMessage['type']> = true;
const _serverTypesMatch: Same<ServerMessageType, ServerMessage['type']> = true;

// ---- parsing at the edge ----

export type ClientMessageParseResult =
  | { ok: true; message: ClientMessage }
  | {
      ok: false;
      code: typeof ErrorCode.UNKNOWN_MESSAGE_TYPE | typeof ErrorCode.INVALID_MESSAGE;
      /** The message's `ref` when it was a valid one, so the error can echo it. */
      ref: string | undefined;
      /** Same shape as `details.fields` of an HTTP VALIDATION_FAILED; `message` = the whole message. */
      fields: FieldErrors;
    };

/**
 * Validates already-JSON-parsed data as a client message and, when it fails, says whether
 * the `type` was unknown or the body was wrong, keeping the `ref` for the error reply.
 */
export function parseClientMessage(data: unknown): ClientMessageParseResult {
  const parsed = ClientMessage.safeParse(data);
  if (parsed.success) return { ok: true, message: parsed.data };
  const record =
    typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : {};
  const type = Object.hasOwn(record, 'type') ? record.type : undefined;
  const unknownType =
    typeof type === 'string' && !(ClientMessageType as readonly string[]).includes(type);
  const ref = MessageRef.safeParse(Object.hasOwn(record, 'ref') ? record.ref : undefined);
  return {
    ok: false,
    code: unknownType ? ErrorCode.UNKNOWN_MESSAGE_TYPE : ErrorCode.INVALID_MESSAGE,
    ref: ref.success ? ref.data : undefined,
    fields: toFields(parsed.error.issues),
  };
}

function toFields(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.') || 'message';
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}
