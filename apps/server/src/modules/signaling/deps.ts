import type { User } from '@parley/protocol';
import type { Bus } from '../../platform/bus/bus.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { Roster } from '../../platform/roster.js';
import type { RoomChat, RoomPlayback } from './features.js';
import type { RoomGate } from './gate.js';

/** Everything the socket layer is given by app.ts. */
export type SignalingDeps = {
  bus: Bus;
  roster: Roster;
  gate: RoomGate;
  chat: RoomChat;
  playback: RoomPlayback;
  clock: Clock;
  /** Verifies an access token and returns its user (throws AppError on failure). */
  userForToken(token: string): Promise<User>;
  /** Origins allowed to open a socket from a browser (besides the request's own host). */
  allowedOrigins: string[];
  ws: Config['ws'];
  /** The connection caps may be lowered by configuration; defaults are WS_LIMITS. */
  limits?: Partial<ConnectionCaps>;
};

export type ConnectionCaps = { maxConnectionsPerUser: number; maxConnectionsPerIp: number };
