import { clientKey } from '../../platform/client-key.js';
import type { SignalingDeps } from './deps.js';
import type { Connection } from './session.js';

/**
 * The connection caps (maxConnectionsPerIp, maxConnectionsPerUser) count the sockets of
 * every process through the live state (platform/live/socket-counts.ts), so two processes
 * behind one balancer still give an address or an account one budget. A socket holds its
 * places under its first id (`conn.countId`) until it gives them back; its process's lease
 * stands behind them, so a crashed process's sockets stop counting within the live expiry.
 */

/** An address counts by `clientKey`: an IPv6 /64 is one address. */
export const addressKey = (ip: string): string => `ip:${clientKey(ip)}`;
export const accountKey = (userId: string): string => `user:${userId}`;

type Deps = Pick<SignalingDeps, 'live' | 'processId'>;

/** Takes a place for the socket under `key`; false when `limit` sockets hold one already. */
export async function takePlace(
  deps: Deps,
  conn: Connection,
  key: string,
  limit: number,
): Promise<boolean> {
  const ok = await deps.live.socketCounts.take(key, conn.countId, deps.processId, limit);
  if (ok && !conn.counted.includes(key)) conn.counted = conn.counted.concat(key);
  return ok;
}

/** Gives back the socket's places that `which` picks (all by default). */
export async function givePlacesBack(
  deps: Deps,
  conn: Connection,
  which: (key: string) => boolean = () => true,
): Promise<void> {
  for (const key of conn.counted) {
    if (!which(key)) continue;
    conn.counted = conn.counted.filter((k) => k !== key);
    await deps.live.socketCounts.release(key, conn.countId);
  }
}

/**
 * This process was swept from the counts (it looked dead to the others): its sockets are
 * counted again as they are, without a limit, since they are open whatever the count says.
 */
export async function countAgain(deps: Deps, conn: Connection): Promise<void> {
  for (const key of conn.counted) {
    await deps.live.socketCounts.take(key, conn.countId, deps.processId, Number.MAX_SAFE_INTEGER);
  }
}
