// @vitest-environment happy-dom
import type { AuthResponse, Role } from '@parley/protocol';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import { SESSION_KEY } from '../api/session';
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

  it('ask a visitor who is not signed in to log in first', async () => {
    const route = await visit('/admin/audit');
    expect(route.name).toBe('login');
    expect(route.query.redirect).toBe('/admin/audit');
  });
});
