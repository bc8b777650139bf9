import { ErrorCode, WsCloseCode } from '@parley/protocol';
import type { User } from '@parley/protocol';
import type { SessionContext } from './context.js';
import type { LocalSockets } from './hub.js';
import type { Connection } from './session.js';

/**
 * What the account's owners decided reaches the open sockets, on every process: a
 * session that ended (logout, reused refresh token) or a disabled account closes them
 * with 4002; a changed account (a new role) is taken over without reconnecting.
 * Returns the unsubscribes.
 */
export function watchRevocations(ctx: SessionContext, sockets: LocalSockets): (() => void)[] {
  const { bus } = ctx.deps.live;
  return [
    bus.on('session.revoked', (e) => {
      for (const conn of sockets.ofUser(e.userId)) {
        if (conn.sessionId !== e.sessionId) continue;
        revoke(ctx, conn, ErrorCode.SESSION_REVOKED, 'You were signed out. Sign in again.');
      }
    }),
    bus.on('user.disabled', (e) => {
      for (const conn of sockets.ofUser(e.userId)) {
        revoke(ctx, conn, ErrorCode.ACCOUNT_DISABLED, 'This account has been disabled.');
      }
    }),
    bus.on('user.updated', (e) => {
      for (const conn of sockets.ofUser(e.user.id)) takeOver(ctx, conn, e.user);
    }),
  ];
}

/** Closes every connection whose token has expired (the hub's upkeep calls it each tick). */
export function expireTokens(ctx: SessionContext, sockets: LocalSockets, now: number): void {
  for (const conn of sockets.all()) {
    const expiresAt = conn.tokenExpiresAt;
    if (conn.state.kind === 'closing' || expiresAt === undefined || expiresAt > now) continue;
    // The client refreshes its token and reconnects; PROTOCOL.md tells it to send
    // `auth.refresh` before this so a call never sees the break.
    revoke(
      ctx,
      conn,
      ErrorCode.TOKEN_EXPIRED,
      'The access token expired. Refresh it and reconnect.',
    );
  }
}

function revoke(ctx: SessionContext, conn: Connection, reason: string, message: string): void {
  ctx.closeWith(conn, { code: WsCloseCode.UNAUTHENTICATED, reason, error: { message } });
}

/**
 * Swaps the user in the connection's state in its task queue, so a handler halfway
 * through a message does not see its state object replaced under it.
 */
function takeOver(ctx: SessionContext, conn: Connection, user: User): void {
  conn.enqueue(
    () => {
      const s = conn.state;
      if (s.kind !== 'ready' && s.kind !== 'in-room') return Promise.resolve();
      ctx.setState(conn, { ...s, user });
      ctx.send(conn, { type: 'session.updated', user });
      return Promise.resolve();
    },
    (err) => ctx.log.error({ err, connectionId: conn.id }, 'account update failed'),
  );
}
