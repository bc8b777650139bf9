import type { IceServersResponse } from '@parley/protocol';

export type IceConfig = {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  ttlSeconds: number;
};

type Timers = {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
};
const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

const RELAY_KEY = 'parley.forceRelay';

/**
 * "Relay only" lets a user test their TURN set-up: every candidate pair must go through
 * the relay. `?relay=1` turns it on for this tab (kept in sessionStorage so it survives
 * the move from the pre-join page to the call), `?relay=0` turns it off.
 */
export function relayPreference(
  search: string,
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined,
): boolean {
  const flag = new URLSearchParams(search).get('relay');
  if (flag === '1' || flag === 'true') storage?.setItem(RELAY_KEY, '1');
  if (flag === '0' || flag === 'false') storage?.removeItem(RELAY_KEY);
  return storage?.getItem(RELAY_KEY) === '1';
}

/** ICE servers for a new CallSession, fetched before joining (TURN credentials are per user). */
export async function loadIceConfig(
  fetchIce: () => Promise<IceServersResponse>,
  forceRelay: boolean,
): Promise<IceConfig> {
  const res = await fetchIce();
  return {
    iceServers: res.iceServers.map((s) => ({
      urls: s.urls,
      ...(s.username !== undefined ? { username: s.username } : {}),
      ...(s.credential !== undefined ? { credential: s.credential } : {}),
    })),
    iceTransportPolicy: forceRelay ? 'relay' : 'all',
    ttlSeconds: res.ttlSeconds,
  };
}

/**
 * Fetches fresh credentials before the current ones expire (at 80% of their lifetime),
 * so connections made later in a long call (a late joiner, an ICE restart) still
 * authenticate with the TURN server. Failures retry after 30 s.
 */
export class IceRefresher {
  private handle: unknown;
  private stopped = false;

  constructor(
    private readonly fetchConfig: () => Promise<IceConfig>,
    private readonly onUpdate: (config: IceConfig) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  start(ttlSeconds: number): void {
    this.schedule(Math.max(30, ttlSeconds * 0.8) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.handle = this.timers.setTimeout(() => void this.refresh(), ms);
  }

  private async refresh(): Promise<void> {
    try {
      const config = await this.fetchConfig();
      if (this.stopped) return;
      this.onUpdate(config);
      this.start(config.ttlSeconds);
    } catch {
      this.schedule(30_000);
    }
  }
}
