import type { IceServersResponse } from '@parley/protocol';

/**
 * What the pre-join page starts for the call page when Join is pressed, so the call page does
 * not start it only after its own code has loaded: the ICE servers (with this person's TURN
 * credentials) are fetched while the join request is in flight.
 */

/** Older than this (a long wait in the lobby), the call page fetches its own. */
export const PREFETCH_MAX_AGE_MS = 60_000;

let pending: { ice: Promise<IceServersResponse>; at: number } | null = null;

export function prefetchIceServers(
  fetchIce: () => Promise<IceServersResponse>,
  now: number = Date.now(),
): void {
  const ice = fetchIce();
  // A failed prefetch is only a missed shortcut: the call page fetches again.
  ice.catch(() => undefined);
  pending = { ice, at: now };
}

/** The prefetched answer when it is fresh, else (or when it failed) a new fetch. */
export function takeIceServers(
  fetchIce: () => Promise<IceServersResponse>,
  now: number = Date.now(),
): Promise<IceServersResponse> {
  const taken = pending;
  pending = null;
  if (!taken || now - taken.at > PREFETCH_MAX_AGE_MS) return fetchIce();
  return taken.ice.catch(() => fetchIce());
}

/** The call page's code, loaded while the person is still on the pre-join page. */
export function preloadCallPage(): void {
  import('../views/CallView.vue').catch(() => {
    // Offline or a new deployment: the router loads (or reports) it on navigation.
  });
}
