import { ErrorCode, PROTOCOL_VERSION, WsCloseCode } from '@parley/protocol';
import type { AuthRefreshMessage, HelloMessage, PingMessage } from '@parley/protocol';
import { AppError } from '../../../platform/errors.js';
import { accountKey, takePlace } from '../caps.js';
import type { SessionContext } from '../context.js';
import type { TokenSession } from '../deps.js';
import { Handovers } from '../handover.js';
import { presenceUp } from '../presence.js';
import type { Connection, InRoomState, ReadyState, SessionState } from '../session.js';

type AwaitingHello = Extract<SessionState, { kind: 'awaiting-hello' }>;

/** `hello`: version, token, per-user cap, then `welcome`. Every failure closes. */
export async function handleHello(
  ctx: SessionContext,
  conn: Connection,
  state: AwaitingHello,
  msg: HelloMessage,
): Promise<void> {
  // The hello timer keeps running while the token is checked: a check that hangs must
  // not hold the socket (and its per-IP slot) open; leaving awaiting-hello clears it.
  const { ref } = msg;
  if (msg.protocolVersion !== PROTOCOL_VERSION) {
    return ctx.closeWith(conn, {
      code: WsCloseCode.PROTOCOL_VERSION,
      reason: ErrorCode.PROTOCOL_VERSION_UNSUPPORTED,
      error: {
        message: `This server speaks protocol version ${PROTOCOL_VERSION}. Reload the app.`,
        ref,
        details: { supported: [PROTOCOL_VERSION] },
      },
    });
  }

  let session: TokenSession;
  // Taking over a connection a stopping process handed over: same id, same place in the
  // call. Claimed inside the token check, so a revocation heard meanwhile still counts.
  // Anything wrong with the resume token (unknown, expired, someone else's) is ignored.
  let resumeId: string | undefined;
  const claim = async (s: TokenSession) => {
    if (msg.resume === undefined || resumeId !== undefined) return;
    resumeId = await ctx.handovers.claim(msg.resume, s.user.id).catch((err: unknown) => {
      ctx.log.warn({ err, connectionId: conn.id }, 'resume lookup failed');
      return undefined;
    });
  };
  try {
    session = await checkToken(ctx, msg.token, claim);
  } catch (err) {
    if (!conn.isIn(state)) return;
    if (err instanceof AppError) {
      return ctx.closeWith(conn, {
        code: WsCloseCode.UNAUTHENTICATED,
        reason: err.code,
        error: { message: err.message, ref },
      });
    }
    ctx.log.error({ err, connectionId: conn.id }, 'token check failed at hello');
    return ctx.closeWith(conn, {
      code: WsCloseCode.INTERNAL_ERROR,
      reason: ErrorCode.INTERNAL,
      error: { message: 'Something went wrong on our side. Reconnect in a moment.', ref },
    });
  }
  if (!conn.isIn(state)) return;
  const { user } = session;

  // Counted over every process; a place taken here is given back when the session ends
  // (the hub queues that after this task, also when the socket closed meanwhile).
  const key = accountKey(user.id);
  if (!(await takePlace(ctx.deps, conn, key, ctx.caps.maxConnectionsPerUser))) {
    if (!conn.isIn(state)) return;
    return ctx.closeWith(conn, {
      code: WsCloseCode.TOO_MANY_CONNECTIONS,
      reason: ErrorCode.TOO_MANY_CONNECTIONS,
      error: { message: 'Too many open connections for this account. Close other tabs.', ref },
    });
  }
  if (!conn.isIn(state)) return;

  const resumed = resumeId !== undefined && ctx.adoptId(conn, resumeId);

  const tokenExpiresAt = session.expiresAt.getTime();
  conn.sessionId = session.sessionId;
  conn.tokenExpiresAt = tokenExpiresAt;
  conn.resumeToken = Handovers.newToken();
  ctx.setState(conn, { kind: 'ready', user });
  ctx.log.debug({ connectionId: conn.id, userId: user.id }, 'socket authenticated');
  ctx.send(conn, {
    type: 'welcome',
    ...(ref !== undefined ? { ref } : {}),
    connectionId: conn.id,
    userId: user.id,
    serverTime: ctx.deps.clock.now().getTime(),
    heartbeatIntervalMs: ctx.deps.ws.heartbeatIntervalMs,
    tokenExpiresAt,
    resumeToken: conn.resumeToken,
    resumed,
  });
  // In this task, so the socket's next messages (and its close) come after it.
  await presenceUp(ctx, conn, user, resumed);
}

/**
 * `auth.refresh`: a fresh token extends the socket's life without a reconnect. A token
 * that fails is answered with `error` (the socket lives until the old token expires);
 * a valid token of someone else is an attempt to switch identities and closes 4002.
 */
export async function handleAuthRefresh(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  msg: AuthRefreshMessage,
): Promise<void> {
  let session: TokenSession;
  try {
    session = await checkToken(ctx, msg.token);
  } catch (err) {
    // Our own session ended or the account was disabled: the socket ends with it.
    if (err instanceof AppError && ENDS_THE_SOCKET.has(err.code) && conn.isIn(state)) {
      return ctx.closeWith(conn, {
        code: WsCloseCode.UNAUTHENTICATED,
        reason: err.code,
        error: { message: err.message, ref: msg.ref },
      });
    }
    throw err;
  }
  if (!conn.isIn(state)) return;
  // Another account, or another sign-in session of the same one: a logout of the
  // session this socket was opened with must still reach it, so no switching.
  if (session.user.id !== state.user.id || session.sessionId !== conn.sessionId) {
    return ctx.closeWith(conn, {
      code: WsCloseCode.UNAUTHENTICATED,
      reason: ErrorCode.INVALID_TOKEN,
      error: { message: 'That token belongs to another sign-in session.', ref: msg.ref },
    });
  }
  const tokenExpiresAt = session.expiresAt.getTime();
  conn.sessionId = session.sessionId;
  conn.tokenExpiresAt = tokenExpiresAt;
  // The account may have changed since hello (a new role): take the fresh view.
  ctx.setState(conn, { ...state, user: session.user });
  ctx.send(conn, {
    type: 'auth.refreshed',
    ...(msg.ref !== undefined ? { ref: msg.ref } : {}),
    tokenExpiresAt,
  });
}

/** Refusals of `auth.refresh` that mean the socket's own session is over. */
const ENDS_THE_SOCKET: ReadonlySet<string> = new Set([
  ErrorCode.SESSION_REVOKED,
  ErrorCode.ACCOUNT_DISABLED,
]);

/**
 * Verifies a token, and verifies it again if a revocation of its user or session was
 * heard while the first check ran (the database said "active" just before the logout
 * committed): a revoked session never opens or extends a socket.
 */
async function checkToken(
  ctx: SessionContext,
  token: string,
  /** More work for the same check: a revocation heard while it ran counts too. */
  alsoWith?: (session: TokenSession) => Promise<void>,
): Promise<TokenSession> {
  for (;;) {
    const mark = ctx.revocationMark();
    const session = await ctx.deps.sessionForToken(token);
    await alsoWith?.(session);
    if (!ctx.revokedSince(mark, session.user.id, session.sessionId)) return session;
  }
}

export function handlePing(ctx: SessionContext, conn: Connection, msg: PingMessage): void {
  ctx.send(conn, {
    type: 'pong',
    ...(msg.ref !== undefined ? { ref: msg.ref } : {}),
    serverTime: ctx.deps.clock.now().getTime(),
  });
}
