// @vitest-environment happy-dom
import type { AuthResponse, Role } from '@parley/protocol';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import { createMemoryHistory } from 'vue-router';
import type { Router } from 'vue-router';
import { session } from '../api';
import { SESSION_KEY } from '../api/session';
import { useAuthStore } from '../stores/auth';
import { watchAccess } from './access';
import { createAppRouter } from './index';

function signIn(role: Role | 'guest'): void {
  const now = Date.now();
  const session: AuthResponse = {
    user: {
      id: '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11',
      email: role === 'guest' ? null : 'ada@parley.test',
      displayName: 'Ada',
      role: role === 'guest' ? 'member' : role,
      isGuest: role === 'guest',
      createdAt: '2025-01-01T09:00:00.000Z',
      lastSeenAt: null,
    },
    tokens: {
      accessToken: 'access',
      accessTokenExpiresAt: new Date(now + 15 * 60_000).toISOString(),
      refreshToken: 'refresh',
      refreshTokenExpiresAt: new Date(now + 86_400_000).toISOString(),
    },
  };
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

async function visit(path: string) {
  const router = createAppRouter(createPinia(), createMemoryHistory());
  await router.push(path);
  return router.currentRoute.value;
}

afterEach(() => localStorage.clear());

describe('the admin pages in the router', () => {
  it('open for an admin', async () => {
    signIn('admin');
    expect((await visit('/admin')).name).toBe('admin');
    expect((await visit('/admin/users')).name).toBe('admin-users');
    expect((await visit('/admin/settings')).name).toBe('admin-settings');
  });

  it.each(['member', 'provider', 'guest'] as const)(
    'show a signed-in %s the ordinary not-found page, at the address they asked for',
    async (role) => {
      signIn(role);
      const route = await visit('/admin/users?q=x');
      expect(route.name).toBe('not-found');
      expect(route.fullPath).toBe('/admin/users?q=x');
    },
  );

  it('show a visitor who is not signed in the same not-found page: no "log in first"', async () => {
    const route = await visit('/admin/audit?type=auth.login');
    expect(route.name).toBe('not-found');
    expect(route.fullPath).toBe('/admin/audit?type=auth.login');
    expect(route.query.redirect).toBeUndefined();
  });
});

describe('an admin page already open', () => {
  async function openAs(role: Role, path: string) {
    signIn(role);
    const pinia = createPinia();
    const router = createAppRouter(pinia, createMemoryHistory());
    await router.push(path);
    const auth = useAuthStore(pinia);
    const stop = watchAccess(router, auth);
    return { router, auth, stop };
  }
  /** Until the page shown is `name` (a lazily loaded page may take a moment to load). */
  const shows = (router: Router, name: string) =>
    vi.waitFor(() => expect(router.currentRoute.value.name).toBe(name), { timeout: 5_000 });

  it('becomes the not-found page, at its address, when the admin is demoted', async () => {
    const { router, auth, stop } = await openAs('admin', '/admin/users?q=ann');
    expect(router.currentRoute.value.name).toBe('admin-users');
    auth.adoptUser({ ...auth.user!, role: 'member' });
    await shows(router, 'not-found');
    expect(router.currentRoute.value.fullPath).toBe('/admin/users?q=ann');
    stop();
  });

  it('becomes the not-found page when the admin signs out (in another tab), not the login page', async () => {
    const { router, stop } = await openAs('admin', '/admin/settings');
    session.clear();
    await shows(router, 'not-found');
    expect(router.currentRoute.value.fullPath).toBe('/admin/settings');
    stop();
  });

  it('stays while the admin stays one (a name change)', async () => {
    const { router, auth, stop } = await openAs('admin', '/admin/rooms');
    auth.adoptUser({ ...auth.user!, displayName: 'Ada L.' });
    await flushPromises();
    expect(router.currentRoute.value.name).toBe('admin-rooms');
    expect(auth.user?.displayName).toBe('Ada L.');
    stop();
  });

  it('a members-only page still asks to log in after a sign-out elsewhere', async () => {
    const { router, stop } = await openAs('member', '/contacts');
    session.clear();
    await shows(router, 'login');
    expect(router.currentRoute.value.query.redirect).toBe('/contacts');
    stop();
  });
});
