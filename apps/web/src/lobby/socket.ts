// The call engine's barrel (calls/index.ts) is not written yet; switch to '../calls/index.js'
// once it exists.
import { SignalingClient } from '../calls/signaling';
import type { LobbySocket } from './lobby-watch';

/** `/ws` on this page's origin (the server and the app share one). */
export function signalingUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

export function createLobbySocket(getToken: () => Promise<string>): LobbySocket {
  return new SignalingClient({ url: signalingUrl(), getToken });
}

/** The call's socket as the call page would open it, opened early by the pre-join page. */
export function createCallSocket(auth: {
  getToken(): Promise<string>;
  getFreshToken(staleToken: string): Promise<string>;
}): SignalingClient {
  return new SignalingClient({
    url: signalingUrl(),
    getToken: () => auth.getToken(),
    getFreshToken: (stale) => auth.getFreshToken(stale),
  });
}
