import { ErrorCode, PROTOCOL_VERSION, WsCloseCode } from '@parley/protocol';
import type { HelloMessage, PingMessage, User } from '@parley/protocol';
import { AppError } from '../../../platform/errors.js';
import type { SessionContext } from '../context.js';
import type { Connection, SessionState } from '../session.js';

type AwaitingHello = Extract<SessionState, { kind: 'awaiting-hello' }>;

/** `hello`: version, token, per-user cap, then `welcome`. Every failure closes. */
export async function handleHello(
  ctx: SessionContext,
  conn: Connection,
  state: AwaitingHello,
  msg: HelloMessage,
): Promise<void> {
  clearTimeout(state.helloTimer);
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

  let user: User;
  try {
    user = await ctx.deps.userForToken(msg.token);
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

  if (ctx.connectionCount(user.id) >= ctx.caps.maxConnectionsPerUser) {
    return ctx.closeWith(conn, {
      code: WsCloseCode.TOO_MANY_CONNECTIONS,
      reason: ErrorCode.TOO_MANY_CONNECTIONS,
      error: { message: 'Too many open connections for this account. Close other tabs.', ref },
    });
  }

  ctx.setState(conn, { kind: 'ready', user });
  ctx.log.debug({ connectionId: conn.id, userId: user.id }, 'socket authenticated');
  ctx.send(conn, {
    type: 'welcome',
    ...(ref !== undefined ? { ref } : {}),
    connectionId: conn.id,
    userId: user.id,
    serverTime: ctx.deps.clock.now().getTime(),
    heartbeatIntervalMs: ctx.deps.ws.heartbeatIntervalMs,
  });
}

export function handlePing(ctx: SessionContext, conn: Connection, msg: PingMessage): void {
  ctx.send(conn, {
    type: 'pong',
    ...(msg.ref !== undefined ? { ref: msg.ref } : {}),
    serverTime: ctx.deps.clock.now().getTime(),
  });
}
