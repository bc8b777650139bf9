import { afterEach, describe, expect, it, vi } from 'vitest';
import { IceRefresher, loadIceConfig, relayPreference } from './ice';

const memoryStorage = () => {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
};

describe('relayPreference', () => {
  it('turns relay-only on with ?relay=1, keeps it for the tab, and off with ?relay=0', () => {
    const s = memoryStorage();
    expect(relayPreference('', s)).toBe(false);
    expect(relayPreference('?relay=1', s)).toBe(true);
    expect(relayPreference('?other=x', s)).toBe(true);
    expect(relayPreference('?relay=0', s)).toBe(false);
  });
});

describe('loadIceConfig', () => {
  it('passes TURN credentials through and forces the relay policy on request', async () => {
    const fetchIce = () =>
      Promise.resolve({
        ttlSeconds: 600,
        iceServers: [
          { urls: ['stun:s:3478'] },
          { urls: ['turn:t:3478'], username: '1:u', credential: 'c' },
        ],
      });
    const normal = await loadIceConfig(fetchIce, false);
    expect(normal).toEqual({
      ttlSeconds: 600,
      iceTransportPolicy: 'all',
      iceServers: [
        { urls: ['stun:s:3478'] },
        { urls: ['turn:t:3478'], username: '1:u', credential: 'c' },
      ],
    });
    expect((await loadIceConfig(fetchIce, true)).iceTransportPolicy).toBe('relay');
  });
});

describe('IceRefresher', () => {
  afterEach(() => vi.useRealTimers());

  it('refreshes at 80% of the credential lifetime and keeps going', async () => {
    vi.useFakeTimers();
    let n = 0;
    const updates: number[] = [];
    const r = new IceRefresher(
      () =>
        Promise.resolve({
          iceServers: [{ urls: [`turn:${++n}`] }],
          iceTransportPolicy: 'all',
          ttlSeconds: 100,
        }),
      () => updates.push(n),
    );
    r.start(100);
    await vi.advanceTimersByTimeAsync(79_000);
    expect(updates).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(updates).toEqual([1]);
    await vi.advanceTimersByTimeAsync(80_000);
    expect(updates).toEqual([1, 2]);
    r.stop();
    await vi.advanceTimersByTimeAsync(500_000);
    expect(updates).toEqual([1, 2]);
  });

  it('retries after a failed refresh', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const updates: string[] = [];
    const r = new IceRefresher(
      () => {
        calls++;
        return calls === 1
          ? Promise.reject(new Error('offline'))
          : Promise.resolve({ iceServers: [], iceTransportPolicy: 'all', ttlSeconds: 3600 });
      },
      () => updates.push('ok'),
    );
    r.start(60); // first refresh at max(30, 48) s
    await vi.advanceTimersByTimeAsync(48_000);
    expect(calls).toBe(1);
    expect(updates).toEqual([]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(updates).toEqual(['ok']);
    r.stop();
  });
});
