import type { ParticipantLeftReason, ServerMessage } from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { ConnectionCaps, SignalingDeps } from './deps.js';
import type { Grace } from './grace.js';
import type { Handovers } from './handover.js';
import type { Connection, SessionState } from './session.js';

/**
 * Why a connection's room entry goes away: the protocol's reasons, plus two that tell
 * no one (`room-closed`: everyone is going) or hold no seat (`shutdown`: this process
 * is stopping; the others hear `disconnected`). `handover`: a stopping process closed
 * the socket but left its place in the call for the socket that resumes it (see
 * handover.ts); nothing is removed or announced.
 */
export type DepartReason = ParticipantLeftReason | 'shutdown' | 'room-closed' | 'handover';

export type CloseRequest = {
  code: number;
  /** The close reason: the ErrorCode that caused it. */
  reason: string;
  /** When set, an `error` message goes out before the close frame. */
  error?: { message: string; ref?: string | undefined; details?: Record<string, unknown> };
  /** How the others hear about it if the connection was in a room; default `disconnected`. */
  depart?: DepartReason;
};

/** What handlers may do; the hub implements it and owns sockets and indexes. */
export interface SessionContext {
  readonly deps: SignalingDeps;
  readonly caps: ConnectionCaps;
  readonly log: FastifyBaseLogger;
  /** Reconnection graces, shared by every process through the live state. */
  readonly grace: Grace;
  /** Connections handed over by stopping processes, claimed at `hello`. */
  readonly handovers: Handovers;
  /** Gives the connection the id it resumes; false when that id is live here already. */
  adoptId(conn: Connection, id: string): boolean;
  /** The only way a state changes: keeps the per-user and per-room indexes right. */
  setState(conn: Connection, next: SessionState): void;
  /** A direct reply to this connection (serialized here, once). */
  send(conn: Connection, message: ServerMessage): void;
  /** Writes what was held back while a join was in progress. */
  releaseHeld(conn: Connection): void;
  sendError(
    conn: Connection,
    code: string,
    message: string,
    ref?: string,
    details?: Record<string, unknown>,
  ): void;
  closeWith(conn: Connection, req: CloseRequest): void;
  /** A mark in the stream of revocations this process has heard (sessions, accounts). */
  revocationMark(): number;
  /**
   * Whether a revocation heard since `mark` hits this user or session: a token checked
   * while it happened must not open (or extend) a socket.
   */
  revokedSince(mark: number, userId: string, sessionId: string): boolean;
}
