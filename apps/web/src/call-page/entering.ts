import { loadIceConfig, relayPreference } from '../calls';
import type { IceConfig } from '../calls';
import type { CallPageDeps } from './deps';
import type { CallTarget } from './types';

/**
 * The room to join. Coming from the pre-join page it is known; on a reload or a direct link
 * the server says whether this person is still let in, else the pre-join page decides (null).
 */
export async function resolveTarget(
  deps: Pick<CallPageDeps, 'code' | 'api' | 'auth'>,
  handed: CallTarget | undefined,
): Promise<CallTarget | null> {
  if (!deps.code || !deps.auth.user) return null;
  if (handed && handed.code === deps.code) return handed;
  try {
    const { room } = await deps.api.getRoom(deps.code);
    if (room.status === 'open' && room.myStatus === 'approved') return room;
  } catch {
    // Not found, signed out, offline: the pre-join page explains each of these.
  }
  return null;
}

/**
 * STUN/TURN servers with this user's short-lived TURN credentials, fetched before joining
 * and again before they expire; `?relay=1` forces relay-only to test a TURN set-up.
 */
export function fetchIce(
  deps: Pick<CallPageDeps, 'api' | 'search' | 'storage'>,
): Promise<IceConfig> {
  return loadIceConfig(
    () => deps.api.iceServers(),
    relayPreference(deps.search ?? '', deps.storage),
  );
}
