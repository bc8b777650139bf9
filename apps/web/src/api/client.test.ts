import type { AuthResponse } from '@parley/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createApiClient } from './client';
import type { Fetch, TokenStorage } from './client';
import { ApiError } from './errors';

const NOW = Date.parse('2025-01-01T10:00:00.000Z');

function session(n: number, accessExpiresInMs = 15 * 60_000): AuthResponse {
  return {
    user: {
      id: '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11',
      email: 'ada@parley.test',
      displayName: 'Ada',
      role: 'member',
      isGuest: false,
      createdAt: '2025-01-01T09:00:00.000Z',
      lastSeenAt: null,
    },
    tokens: {
      accessToken: `access-${n}`,
      accessTokenExpiresAt: new Date(NOW + accessExpiresInMs).toISOString(),
      refreshToken: `refresh-${n}`,
      refreshTokenExpiresAt: new Date(NOW + 30 * 86_400_000).toISOString(),
    },
  };
}

function memoryStorage(
  initial: AuthResponse | null,
): TokenStorage & { current: AuthResponse | null } {
  const store = {
    current: initial,
    load: () => store.current,
    save: (s: AuthResponse) => {
      store.current = s;
    },
    clear: () => {
      store.current = null;
    },
  };
  return store;
}

const json = (status: number, body: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

const apiError = (status: number, code: string, details: Record<string, unknown> = {}) =>
  json(status, {
    error: {
      code,
      message: `${code} happened`,
      details,
      requestId: 'req-1',
      timestamp: '2025-01-01T10:00:00.000Z',
    },
  });

/** A Fetch built from a plain function; a throw becomes a rejected promise, like fetch's. */
const respond =
  (fn: (url: string, init?: RequestInit) => Response): Fetch =>
  (url, init) =>
    new Promise((resolve) => resolve(fn(url, init)));

type Call = { url: string; method: string; auth: string | null; body: unknown };

/**
 * A fake server whose client holds session 1 with an access token that has just expired.
 * `/api/auth/refresh` rotates `refresh-N` into session N+1 and refuses a spent token; every
 * other path accepts only the newest access token.
 */
function fakeServer(opts: { refreshDelayMs?: number } = {}) {
  let generation = 1;
  let validAccess: string | null = null;
  const calls: Call[] = [];
  const fetchFn: Fetch = async (url, init = {}) => {
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ url, method: init.method ?? 'GET', auth: headers.get('authorization'), body });
    if (url === '/api/auth/refresh') {
      const token = (body as { refreshToken: string }).refreshToken;
      if (opts.refreshDelayMs) await new Promise((r) => setTimeout(r, opts.refreshDelayMs));
      if (token !== `refresh-${generation}`) return apiError(401, 'REFRESH_TOKEN_REUSED');
      generation += 1;
      validAccess = `access-${generation}`;
      return json(200, session(generation));
    }
    if (validAccess === null || headers.get('authorization') !== `Bearer ${validAccess}`) {
      return apiError(401, 'TOKEN_EXPIRED');
    }
    return json(200, { ok: true, path: url });
  };
  return { fetch: fetchFn, calls };
}

describe('API client errors', () => {
  it('parses the error shape into an ApiError with status, code, message and fields', async () => {
    const client = createApiClient({
      storage: memoryStorage(null),
      fetch: () =>
        Promise.resolve(
          apiError(400, 'VALIDATION_FAILED', {
            fields: { email: ['Enter a valid email address'], password: ['Too short', 42] },
          }),
        ),
    });
    const err = await client.request('/api/auth/register', { method: 'POST', body: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    const apiErr = err as ApiError;
    expect(apiErr.status).toBe(400);
    expect(apiErr.code).toBe('VALIDATION_FAILED');
    expect(apiErr.message).toBe('VALIDATION_FAILED happened');
    expect(apiErr.requestId).toBe('req-1');
    // Non-string messages from the wire are dropped.
    expect(apiErr.fields).toEqual({
      email: ['Enter a valid email address'],
      password: ['Too short'],
    });
    expect(apiErr.field('email')).toBe('Enter a valid email address');
  });

  it('reports a non-JSON error page as BAD_RESPONSE with its status', async () => {
    const client = createApiClient({
      storage: memoryStorage(null),
      fetch: () => Promise.resolve(new Response('<html>Bad gateway</html>', { status: 502 })),
    });
    await expect(client.request('/api/rooms')).rejects.toMatchObject({
      status: 502,
      code: 'BAD_RESPONSE',
    });
  });

  it('reports a failed fetch as NETWORK_ERROR with status 0', async () => {
    const client = createApiClient({
      storage: memoryStorage(null),
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
    });
    await expect(client.request('/api/rooms')).rejects.toMatchObject({
      status: 0,
      code: 'NETWORK_ERROR',
    });
  });

  it('sends JSON with a content type only when there is a body, and the bearer token', async () => {
    const seen: RequestInit[] = [];
    const client = createApiClient({
      storage: memoryStorage(session(1)),
      fetch: (_url, init) => {
        seen.push(init ?? {});
        return Promise.resolve(new Response(null, { status: 204 }));
      },
    });
    await client.request('/api/rooms/x/leave', { method: 'POST' });
    await client.request('/api/rooms', { method: 'POST', body: { name: 'A' } });
    const [noBody, withBody] = seen.map((init) => new Headers(init.headers));
    expect(noBody?.get('content-type')).toBeNull();
    expect(noBody?.get('authorization')).toBe('Bearer access-1');
    expect(withBody?.get('content-type')).toBe('application/json');
    expect(seen[1]?.body).toBe('{"name":"A"}');
  });

  it('never sends the token where auth is off', async () => {
    const server = fakeServer();
    const client = createApiClient({ storage: memoryStorage(session(1)), fetch: server.fetch });
    await client
      .request('/api/auth/login', { method: 'POST', body: {}, auth: false })
      .catch(() => undefined);
    expect(server.calls[0]?.auth).toBeNull();
  });
});

describe('API client token refresh', () => {
  it('on 401 TOKEN_EXPIRED refreshes once, stores the rotated tokens and retries', async () => {
    const storage = memoryStorage(session(1));
    const server = fakeServer();
    const client = createApiClient({ storage, fetch: server.fetch });

    expect(await client.request('/api/rooms')).toEqual({ ok: true, path: '/api/rooms' });
    expect(server.calls.map((c) => `${c.url} ${c.auth ?? '-'}`)).toEqual([
      '/api/rooms Bearer access-1',
      '/api/auth/refresh -',
      '/api/rooms Bearer access-2',
    ]);
    expect(server.calls[1]?.body).toEqual({ refreshToken: 'refresh-1' });
    expect(storage.current?.tokens).toMatchObject({
      accessToken: 'access-2',
      refreshToken: 'refresh-2',
    });
  });

  it('concurrent requests share one refresh (single flight)', async () => {
    const storage = memoryStorage(session(1));
    const server = fakeServer({ refreshDelayMs: 20 });
    const client = createApiClient({ storage, fetch: server.fetch });

    const results = await Promise.all([
      client.request('/api/a'),
      client.request('/api/b'),
      client.request('/api/c'),
    ]);
    expect(results).toEqual([
      { ok: true, path: '/api/a' },
      { ok: true, path: '/api/b' },
      { ok: true, path: '/api/c' },
    ]);
    const refreshes = server.calls.filter((c) => c.url === '/api/auth/refresh');
    expect(refreshes).toHaveLength(1);
    // Each request was retried once, all with the one new token.
    const retries = server.calls.filter((c) => c.auth === 'Bearer access-2');
    expect(retries.map((c) => c.url).sort()).toEqual(['/api/a', '/api/b', '/api/c']);
    expect(storage.current?.tokens.accessToken).toBe('access-2');
  });

  it('a request started while a refresh is running waits for it instead of sending the old token', async () => {
    const storage = memoryStorage(session(1));
    const server = fakeServer({ refreshDelayMs: 20 });
    const client = createApiClient({ storage, fetch: server.fetch });
    const first = client.request('/api/a');
    await new Promise((r) => setTimeout(r, 5)); // the refresh is now in flight
    await Promise.all([first, client.request('/api/late')]);
    expect(server.calls.filter((c) => c.url === '/api/late').map((c) => c.auth)).toEqual([
      'Bearer access-2',
    ]);
  });

  it('retries only once: a second 401 is reported as it is', async () => {
    let count = 0;
    const client = createApiClient({
      storage: memoryStorage(session(1)),
      fetch: respond((url) => {
        if (url === '/api/auth/refresh') return json(200, session(2));
        count += 1;
        return apiError(401, 'TOKEN_EXPIRED');
      }),
    });
    await expect(client.request('/api/rooms')).rejects.toMatchObject({
      status: 401,
      code: 'TOKEN_EXPIRED',
    });
    expect(count).toBe(2);
  });

  it('does not refresh on other errors (403, or 401 without a token)', async () => {
    const urls: string[] = [];
    const client = createApiClient({
      storage: memoryStorage(null),
      fetch: respond((url) => {
        urls.push(url);
        return apiError(401, 'UNAUTHENTICATED');
      }),
    });
    await expect(client.request('/api/rooms')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const signedIn = createApiClient({
      storage: memoryStorage(session(1)),
      fetch: respond((url) => {
        urls.push(url);
        return apiError(403, 'NOT_HOST');
      }),
    });
    await expect(signedIn.request('/api/rooms/x')).rejects.toMatchObject({ code: 'NOT_HOST' });
    expect(urls).not.toContain('/api/auth/refresh');
  });

  it('a refused refresh ends the session and reports the original 401', async () => {
    const storage = memoryStorage(session(1));
    const client = createApiClient({
      storage,
      fetch: respond((url) =>
        url === '/api/auth/refresh'
          ? apiError(401, 'REFRESH_TOKEN_REUSED')
          : apiError(401, 'TOKEN_EXPIRED'),
      ),
    });
    await expect(client.request('/api/rooms')).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(storage.current).toBeNull();
  });

  it('a refresh that fails on the network keeps the session for a later try', async () => {
    const storage = memoryStorage(session(1));
    const client = createApiClient({
      storage,
      fetch: respond((url) => {
        if (url === '/api/auth/refresh') throw new TypeError('offline');
        return apiError(401, 'TOKEN_EXPIRED');
      }),
    });
    await expect(client.request('/api/rooms')).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(storage.current?.tokens.refreshToken).toBe('refresh-1');
  });

  it('uses a token another tab already rotated instead of spending the refresh token again', async () => {
    const storage = memoryStorage(session(1));
    const fetchFn = vi.fn<Fetch>(
      respond((url, init) => {
        const auth = new Headers(init?.headers).get('authorization');
        if (url === '/api/auth/refresh') return json(200, session(9));
        if (auth === 'Bearer access-1') {
          // While this request was in flight, another tab refreshed and stored session 2.
          storage.current = session(2);
          return apiError(401, 'TOKEN_EXPIRED');
        }
        return json(200, { ok: true });
      }),
    );
    const client = createApiClient({ storage, fetch: fetchFn, now: () => NOW });
    await client.request('/api/rooms');
    expect(fetchFn.mock.calls.map(([url]) => url)).toEqual(['/api/rooms', '/api/rooms']);
    expect(new Headers(fetchFn.mock.calls[1]?.[1]?.headers).get('authorization')).toBe(
      'Bearer access-2',
    );
  });

  it('runs the refresh inside the cross-tab lock', async () => {
    const order: string[] = [];
    const client = createApiClient({
      storage: memoryStorage(session(1, 10_000)),
      now: () => NOW,
      exclusive: async (fn) => {
        order.push('lock');
        const result = await fn();
        order.push('unlock');
        return result;
      },
      fetch: respond((url) => {
        order.push(url);
        return json(200, session(2));
      }),
    });
    expect(await client.accessToken(30_000)).toBe('access-2');
    expect(order).toEqual(['lock', '/api/auth/refresh', 'unlock']);
  });
});

describe('refresh(staleToken)', () => {
  it('spends the refresh token even while the stale access token is still valid', async () => {
    const storage = memoryStorage(session(1));
    const fetchFn = vi.fn(respond(() => json(200, session(2))));
    const client = createApiClient({ storage, fetch: fetchFn, now: () => NOW });
    expect(await client.refresh('access-1')).toBe('access-2');
    expect(fetchFn.mock.calls.map(([url, init]) => [url, init?.body])).toEqual([
      ['/api/auth/refresh', JSON.stringify({ refreshToken: 'refresh-1' })],
    ]);
    expect(storage.current?.tokens.refreshToken).toBe('refresh-2');
  });

  it('returns the newer token another tab already stored instead of spending again', async () => {
    const fetchFn = vi.fn<Fetch>();
    const client = createApiClient({
      storage: memoryStorage(session(2)),
      fetch: fetchFn,
      now: () => NOW,
    });
    expect(await client.refresh('access-1')).toBe('access-2');
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it('is null, and the session forgotten, when the refresh token is refused', async () => {
    const storage = memoryStorage(session(1));
    const client = createApiClient({
      storage,
      now: () => NOW,
      fetch: respond(() => apiError(401, 'REFRESH_TOKEN_REUSED')),
    });
    expect(await client.refresh('access-1')).toBeNull();
    expect(storage.current).toBeNull();
  });
});

describe('accessToken()', () => {
  it('returns the stored token while it has more than the asked validity left', async () => {
    const fetchFn = vi.fn<Fetch>();
    const client = createApiClient({
      storage: memoryStorage(session(1, 60_000)),
      fetch: fetchFn,
      now: () => NOW,
    });
    expect(await client.accessToken(30_000)).toBe('access-1');
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it('refreshes first when the token expires within the asked validity', async () => {
    const storage = memoryStorage(session(1, 20_000));
    const client = createApiClient({
      storage,
      now: () => NOW,
      fetch: respond(() => json(200, session(2))),
    });
    expect(await client.accessToken(30_000)).toBe('access-2');
    expect(storage.current?.tokens.refreshToken).toBe('refresh-2');
  });

  it('is null when nobody is signed in', async () => {
    const client = createApiClient({ storage: memoryStorage(null), fetch: vi.fn<Fetch>() });
    expect(await client.accessToken()).toBeNull();
  });
});
