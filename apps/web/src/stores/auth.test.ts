// @vitest-environment happy-dom
import type { AuthResponse } from '@parley/protocol';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSION_KEY } from '../api/session';
import { useAuthStore } from './auth';

function session(
  n: number,
  opts: { guest?: boolean; accessExpiresInMs?: number } = {},
): AuthResponse {
  const now = Date.now();
  return {
    user: {
      id: '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11',
      email: opts.guest ? null : 'ada@parley.test',
      displayName: opts.guest ? 'Visitor' : 'Ada',
      role: 'member',
      isGuest: opts.guest ?? false,
      createdAt: '2025-01-01T09:00:00.000Z',
      lastSeenAt: null,
    },
    tokens: {
      accessToken: `access-${n}`,
      accessTokenExpiresAt: new Date(now + (opts.accessExpiresInMs ?? 15 * 60_000)).toISOString(),
      refreshToken: `refresh-${n}`,
      refreshTokenExpiresAt: new Date(now + 30 * 86_400_000).toISOString(),
    },
  };
}

const json = (status: number, body: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function stubFetch(handler: Handler) {
  const calls: { url: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    calls.push({
      url,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    });
    return handler(url, init);
  });
  return calls;
}

const stored = () => JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as AuthResponse | null;

beforeEach(() => {
  localStorage.clear();
  setActivePinia(createPinia());
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('auth store', () => {
  it('login stores the user and tokens in localStorage', async () => {
    const calls = stubFetch(() => json(200, session(1)));
    const auth = useAuthStore();
    expect(auth.isSignedIn).toBe(false);

    await auth.login({ email: 'ada@parley.test', password: 'correct horse 42' });

    expect(calls[0]).toEqual({
      url: '/api/auth/login',
      body: { email: 'ada@parley.test', password: 'correct horse 42' },
    });
    expect(auth.user?.displayName).toBe('Ada');
    expect(auth.isMember).toBe(true);
    expect(stored()?.tokens.refreshToken).toBe('refresh-1');
  });

  it('a guest is signed in but is not a member', async () => {
    const calls = stubFetch(() => json(201, session(1, { guest: true })));
    const auth = useAuthStore();
    await auth.guest('  Visitor ');
    expect(calls[0]?.body).toEqual({ displayName: 'Visitor' });
    expect(auth.isSignedIn).toBe(true);
    expect(auth.isGuest).toBe(true);
    expect(auth.isMember).toBe(false);
  });

  it('a failed login leaves nobody signed in and reports the server error', async () => {
    stubFetch(() =>
      json(401, {
        error: {
          code: 'INVALID_CREDENTIALS',
          message: 'Wrong email or password.',
          details: {},
          requestId: 'r',
          timestamp: '2025-01-01T00:00:00.000Z',
        },
      }),
    );
    const auth = useAuthStore();
    await expect(auth.login({ email: 'a@b.co', password: 'x' })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(auth.user).toBeNull();
    expect(stored()).toBeNull();
  });

  it('restores the session from localStorage on start', () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session(3)));
    expect(useAuthStore().user?.displayName).toBe('Ada');
  });

  it('ignores a stored session that is malformed or whose refresh token has expired', () => {
    localStorage.setItem(SESSION_KEY, '{"user":1}');
    expect(useAuthStore().user).toBeNull();

    const old = session(1);
    old.tokens.refreshTokenExpiresAt = new Date(Date.now() - 1000).toISOString();
    localStorage.setItem(SESSION_KEY, JSON.stringify(old));
    setActivePinia(createPinia());
    expect(useAuthStore().user).toBeNull();
  });

  it('getToken returns the current token while it is valid for more than 30 s', async () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session(1, { accessExpiresInMs: 60_000 })));
    const calls = stubFetch(() => json(200, session(2)));
    expect(await useAuthStore().getToken()).toBe('access-1');
    expect(calls).toHaveLength(0);
  });

  it('getToken refreshes a token that expires within 30 s and stores the rotated pair', async () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session(1, { accessExpiresInMs: 10_000 })));
    const calls = stubFetch(() => json(200, session(2)));
    const auth = useAuthStore();
    expect(await auth.getToken()).toBe('access-2');
    expect(calls).toEqual([{ url: '/api/auth/refresh', body: { refreshToken: 'refresh-1' } }]);
    expect(stored()?.tokens.refreshToken).toBe('refresh-2');
  });

  it('getToken fails when nobody is signed in', async () => {
    await expect(useAuthStore().getToken()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('getFreshToken spends the refresh token even while the access token is still valid', async () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session(1)));
    const calls = stubFetch(() => json(200, session(2)));
    expect(await useAuthStore().getFreshToken('access-1')).toBe('access-2');
    expect(calls).toEqual([{ url: '/api/auth/refresh', body: { refreshToken: 'refresh-1' } }]);
    expect(stored()?.tokens.refreshToken).toBe('refresh-2');
  });

  it('getFreshToken hands over a token another tab already refreshed, without spending', async () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session(2)));
    const calls = stubFetch(() => json(200, session(3)));
    expect(await useAuthStore().getFreshToken('access-1')).toBe('access-2');
    expect(calls).toHaveLength(0);
  });

  it('getFreshToken fails when the session is over', async () => {
    await expect(useAuthStore().getFreshToken('access-1')).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('adoptUser takes a newer view of the signed-in user (session.updated), for every tab', () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session(1)));
    const auth = useAuthStore();
    const changed = { ...session(1).user, role: 'admin' as const, displayName: 'Ada L.' };
    auth.adoptUser(changed);
    expect(auth.user).toEqual(changed);
    expect(stored()?.user.role).toBe('admin');
    expect(stored()?.tokens.accessToken).toBe('access-1');

    auth.adoptUser({ ...changed, id: '6f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11', displayName: 'Eve' });
    expect(auth.user?.displayName).toBe('Ada L.');
  });

  it('logout forgets the session at once and revokes the refresh token', async () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session(4)));
    const calls = stubFetch(() => new Response(null, { status: 204 }));
    const auth = useAuthStore();
    await auth.logout();
    expect(auth.user).toBeNull();
    expect(stored()).toBeNull();
    expect(calls).toEqual([{ url: '/api/auth/logout', body: { refreshToken: 'refresh-4' } }]);
  });

  it('follows a sign-out made in another tab', () => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session(1)));
    const auth = useAuthStore();
    expect(auth.isSignedIn).toBe(true);
    localStorage.removeItem(SESSION_KEY);
    window.dispatchEvent(new StorageEvent('storage', { key: SESSION_KEY, newValue: null }));
    expect(auth.isSignedIn).toBe(false);
  });

  it('adopt() signs in with tokens that came from elsewhere (an accepted invite)', () => {
    const auth = useAuthStore();
    auth.adopt(session(7, { guest: true }));
    expect(auth.isGuest).toBe(true);
    expect(stored()?.tokens.accessToken).toBe('access-7');
  });
});
