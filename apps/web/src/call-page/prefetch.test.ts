import { describe, expect, it, vi } from 'vitest';
import type { IceServersResponse } from '@parley/protocol';
import { PREFETCH_MAX_AGE_MS, prefetchIceServers, takeIceServers } from './prefetch';

const answer = (ttlSeconds: number): IceServersResponse => ({ iceServers: [], ttlSeconds });

describe('ICE servers fetched by the pre-join page for the call page', () => {
  it('the call page takes the prefetched answer once', async () => {
    prefetchIceServers(() => Promise.resolve(answer(1)), 1000);
    const fetchIce = vi.fn(() => Promise.resolve(answer(2)));
    await expect(takeIceServers(fetchIce, 2000)).resolves.toEqual(answer(1));
    expect(fetchIce).not.toHaveBeenCalled();
    await expect(takeIceServers(fetchIce, 3000)).resolves.toEqual(answer(2));
  });

  it('a stale or failed prefetch is fetched again', async () => {
    const fetchIce = vi.fn(() => Promise.resolve(answer(2)));
    prefetchIceServers(() => Promise.resolve(answer(1)), 0);
    await expect(takeIceServers(fetchIce, PREFETCH_MAX_AGE_MS + 1)).resolves.toEqual(answer(2));
    prefetchIceServers(() => Promise.reject(new Error('offline')), 0);
    await expect(takeIceServers(fetchIce, 1)).resolves.toEqual(answer(2));
    expect(fetchIce).toHaveBeenCalledTimes(2);
  });
});
