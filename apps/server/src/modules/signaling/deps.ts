import type { User } from '@parley/protocol';
import type { Clock, Timers } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { LiveState } from '../../platform/live/index.js';
import type {
  RoomAppointments,
  RoomCalls,
  RoomChat,
  RoomPlayback,
  UserPresence,
} from './features.js';
import type { RoomGate } from './gate.js';
import type { AuditLog } from '../../platform/audit.js';
import type { Metrics } from '../../platform/metrics.js';

/** Who a token speaks for, and until when (the socket closes with 4002 then). */
export type TokenSession = { user: User; sessionId: string; expiresAt: Date };

/** Everything the socket layer is given by app.ts. */
export type SignalingDeps = {
  /** Socket counts, messages in and out, error codes, call-quality reports. */
  metrics?: Metrics;
  /** Lobby decisions and kicks made over the socket. */
  audit?: AuditLog;
  live: Pick<
    LiveState,
    'bus' | 'roster' | 'socketCounts' | 'locks' | 'deadlines' | 'store' | 'onStatus'
  >;
  /** This process, owner of its roster entries. */
  processId: string;
  gate: RoomGate;
  chat: RoomChat;
  playback: RoomPlayback;
  /** Direct calls' rooms: both parties connected, the signal log. */
  calls: RoomCalls;
  /** Appointments' rooms: who is in the call. Absent: nobody listens (socket-only tests). */
  appointments?: RoomAppointments;
  /** Online and offline transitions of users. */
  presence: UserPresence;
  clock: Clock;
  timers: Timers;
  /** Verifies an access token (throws AppError on failure: bad, expired, revoked). */
  sessionForToken(token: string): Promise<TokenSession>;
  /** Origins allowed to open a socket from a browser (besides the request's own host). */
  allowedOrigins: string[];
  ws: Config['ws'];
  liveTiming: Config['live'];
  /** Settings (WS_MAX_CONNECTIONS_PER_*, WS_MESSAGE*); defaults are WS_LIMITS. */
  limits?: Partial<ConnectionCaps & MessageRate>;
};

export type ConnectionCaps = { maxConnectionsPerUser: number; maxConnectionsPerIp: number };
/** Per socket: `messageBurst` messages at once, refilled at `messagesPerSecond`. */
export type MessageRate = { messagesPerSecond: number; messageBurst: number };
