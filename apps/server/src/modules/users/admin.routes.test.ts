import type { Role } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../platform/live/index.js';
import { ManualClock } from '../../platform/clock.js';
import { dialects, json, newAccount, testApp } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { createUsersRepo } from './repo.js';

type Person = {
  id: string;
  token: string;
  refreshToken: string;
  acct: ReturnType<typeof newAccount> | undefined;
};

// PATCH /api/admin/users/:id on every dialect.
describe.each(dialects)('admin user routes on %s', (dialect) => {
  let t: TestApp;
  let events: DomainEvent[];

  beforeEach(async () => {
    t = await testApp({ dialect, clock: new ManualClock(new Date()) });
    events = [];
    for (const type of ['user.disabled', 'user.updated', 'session.revoked'] as const) {
      t.live.bus.on(type, (e) => void events.push(e));
    }
  });
  afterEach(async () => {
    await t.close();
  });

  const post = (url: string, body: unknown) => t.app.inject({ method: 'POST', url, ...json(body) });
  const patch = (id: string, body: unknown, who?: Person) =>
    t.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${id}`,
      ...json(body),
      headers: {
        'content-type': 'application/json',
        ...(who ? { authorization: `Bearer ${who.token}` } : {}),
      },
    });
  const me = (who: Person) =>
    t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { authorization: `Bearer ${who.token}` },
    });
  const expectError = (
    res: { statusCode: number; body: string; json(): any },
    status: number,
    code: string,
  ) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().error.code).toBe(code);
  };

  async function person(role: Role = 'member'): Promise<Person> {
    const acct = newAccount(role);
    const body = (await post('/api/auth/register', acct)).json();
    if (role !== 'member') await createUsersRepo(t.db.db).setRole(body.user.id, role);
    return {
      id: body.user.id,
      token: body.tokens.accessToken,
      refreshToken: body.tokens.refreshToken,
      acct,
    };
  }
  async function guest(): Promise<Person> {
    const body = (await post('/api/auth/guest', { displayName: 'Gus' })).json();
    return {
      id: body.user.id,
      token: body.tokens.accessToken,
      refreshToken: body.tokens.refreshToken,
      acct: undefined,
    };
  }

  describe('who may call it', () => {
    it('anonymous is 401, before the body is read', async () => {
      const target = await person();
      expectError(await patch(target.id, { role: 'admin' }), 401, 'UNAUTHENTICATED');
      expectError(await patch(target.id, { nonsense: 1 }), 401, 'UNAUTHENTICATED');
    });

    it.each(['member', 'provider', 'guest'] as const)(
      'a %s gets 403, even promoting themselves or sending a bad body',
      async (kind) => {
        const caller = kind === 'guest' ? await guest() : await person(kind);
        const target = await person();
        expectError(await patch(target.id, { disabled: true }, caller), 403, 'FORBIDDEN');
        expectError(await patch(caller.id, { role: 'admin' }, caller), 403, 'FORBIDDEN');
        expectError(await patch(target.id, { nonsense: 1 }, caller), 403, 'FORBIDDEN');
        expect((await me(caller)).json().user.role).toBe(kind === 'guest' ? 'member' : kind);
        expect(events).toEqual([]);
      },
    );

    it('a token of a logged-out admin session is 401 SESSION_REVOKED', async () => {
      const admin = await person('admin');
      const target = await person();
      await post('/api/auth/logout', { refreshToken: admin.refreshToken });
      expectError(await patch(target.id, { disabled: true }, admin), 401, 'SESSION_REVOKED');
    });
  });

  describe('validation', () => {
    it.each([
      ['an empty body', {}],
      ['an unknown field', { role: 'member', admin: true }],
      ['an unknown role', { role: 'owner' }],
      ['a non-boolean flag', { disabled: 'yes' }],
    ])('refuses %s with 400 VALIDATION_FAILED', async (_name, body) => {
      const admin = await person('admin');
      const target = await person();
      expectError(await patch(target.id, body, admin), 400, 'VALIDATION_FAILED');
    });

    it('an id that is not a UUID is 400; an unknown user is 404', async () => {
      const admin = await person('admin');
      expectError(await patch('not-a-uuid', { role: 'member' }, admin), 400, 'VALIDATION_FAILED');
      expectError(
        await patch('00000000-0000-4000-8000-000000000000', { role: 'member' }, admin),
        404,
        'NOT_FOUND',
      );
    });
  });

  describe('role changes', () => {
    it('an admin changes a role: 200 AdminUser, visible at /me, announced as user.updated', async () => {
      const admin = await person('admin');
      const target = await person();
      const res = await patch(target.id, { role: 'provider' }, admin);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: target.id,
        email: target.acct!.email,
        displayName: target.acct!.displayName,
        role: 'provider',
        isGuest: false,
        createdAt: expect.any(String),
        lastSeenAt: null,
        disabled: false,
      });
      expect(res.json().passwordHash).toBeUndefined();
      // The target's existing token sees the new role at once (roles are not in tokens).
      expect((await me(target)).json().user.role).toBe('provider');
      expect(events).toEqual([
        {
          type: 'user.updated',
          user: expect.objectContaining({ id: target.id, role: 'provider' }),
        },
      ]);
      expect(Object.keys((events[0] as { user: object }).user)).not.toContain('disabled');
    });

    it('setting the role a user already has changes nothing and announces nothing', async () => {
      const admin = await person('admin');
      const target = await person('provider');
      const res = await patch(target.id, { role: 'provider' }, admin);
      expect(res.statusCode).toBe(200);
      expect(res.json().role).toBe('provider');
      expect(events).toEqual([]);
    });

    it('a promoted admin can use the admin route with the token they already hold', async () => {
      const admin = await person('admin');
      const promoted = await person();
      const target = await person();
      await patch(promoted.id, { role: 'admin' }, admin);
      expect((await patch(target.id, { role: 'provider' }, promoted)).statusCode).toBe(200);
    });

    it('guests cannot be given a role (409)', async () => {
      const admin = await person('admin');
      const g = await guest();
      expectError(await patch(g.id, { role: 'admin' }, admin), 409, 'CONFLICT');
      expect((await me(g)).json().user.role).toBe('member');
    });
  });

  describe('an admin and their own account', () => {
    it('cannot disable or demote themselves (409 CANNOT_CHANGE_SELF), so an admin always remains', async () => {
      const admin = await person('admin');
      expectError(await patch(admin.id, { disabled: true }, admin), 409, 'CANNOT_CHANGE_SELF');
      expectError(await patch(admin.id, { role: 'member' }, admin), 409, 'CANNOT_CHANGE_SELF');
      expectError(
        await patch(admin.id, { role: 'admin', disabled: true }, admin),
        409,
        'CANNOT_CHANGE_SELF',
      );
      expect((await me(admin)).json().user.role).toBe('admin');
      expect(events).toEqual([]);
      // Harmless changes to oneself are fine.
      expect((await patch(admin.id, { role: 'admin', disabled: false }, admin)).statusCode).toBe(
        200,
      );
    });

    it('another admin may demote or disable an admin', async () => {
      const a = await person('admin');
      const b = await person('admin');
      const res = await patch(b.id, { role: 'member' }, a);
      expect(res.statusCode).toBe(200);
      expectError(await patch(a.id, { disabled: true }, b), 403, 'FORBIDDEN');
    });
  });

  describe('disabling', () => {
    it('ends every session of the account and refuses its sign-ins until re-enabled', async () => {
      const admin = await person('admin');
      const target = await person();
      const second = (
        await post('/api/auth/login', {
          email: target.acct!.email,
          password: target.acct!.password,
        })
      ).json();

      const res = await patch(target.id, { disabled: true }, admin);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: target.id, disabled: true, role: 'member' });
      expect(events).toEqual([{ type: 'user.disabled', userId: target.id }]);

      // Access tokens: refused; login: 403 ACCOUNT_DISABLED; refresh tokens: revoked.
      expectError(await me(target), 403, 'ACCOUNT_DISABLED');
      expectError(
        await post('/api/auth/login', {
          email: target.acct!.email,
          password: target.acct!.password,
        }),
        403,
        'ACCOUNT_DISABLED',
      );
      // A revoked token of a disabled account says so (it is no reuse: never exchanged).
      for (const refreshToken of [target.refreshToken, second.tokens.refreshToken]) {
        expectError(await post('/api/auth/refresh', { refreshToken }), 403, 'ACCOUNT_DISABLED');
      }
      const rows = await t.db.db
        .selectFrom('refresh_tokens')
        .select('revoked_at')
        .where('user_id', '=', target.id)
        .execute();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.revoked_at !== null)).toBe(true);

      // Disabling twice is idempotent (still 200, still disabled).
      expect((await patch(target.id, { disabled: true }, admin)).json().disabled).toBe(true);

      // Re-enabled: may sign in again, but the old sessions stay ended.
      const back = await patch(target.id, { disabled: false }, admin);
      expect(back.statusCode).toBe(200);
      expect(back.json().disabled).toBe(false);
      expectError(await me(target), 401, 'SESSION_REVOKED');
      expectError(
        await post('/api/auth/refresh', { refreshToken: target.refreshToken }),
        401,
        'SESSION_REVOKED',
      );
      const login = await post('/api/auth/login', {
        email: target.acct!.email,
        password: target.acct!.password,
      });
      expect(login.statusCode).toBe(200);
      expect((await me({ ...target, token: login.json().tokens.accessToken })).statusCode).toBe(
        200,
      );
    });

    it('leaves other users alone', async () => {
      const admin = await person('admin');
      const target = await person();
      const bystander = await person();
      await patch(target.id, { disabled: true }, admin);
      expect((await me(bystander)).statusCode).toBe(200);
      expect((await me(admin)).statusCode).toBe(200);
    });

    it('a role change and a disable in one request announce both', async () => {
      const admin = await person('admin');
      const target = await person();
      const res = await patch(target.id, { role: 'provider', disabled: true }, admin);
      expect(res.json()).toMatchObject({ role: 'provider', disabled: true });
      expect(events.map((e) => e.type).sort()).toEqual(['user.disabled', 'user.updated']);
    });

    it('a guest can be disabled', async () => {
      const admin = await person('admin');
      const g = await guest();
      expect((await patch(g.id, { disabled: true }, admin)).json()).toMatchObject({
        isGuest: true,
        disabled: true,
      });
      expectError(await me(g), 403, 'ACCOUNT_DISABLED');
    });
  });

  it('is documented in the OpenAPI document with its body, params and responses', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const op = doc.paths['/api/admin/users/{id}']?.patch;
    expect(op).toBeDefined();
    expect(op.requestBody?.content?.['application/json']?.schema).toBeDefined();
    expect(op.parameters.map((p: { name: string }) => p.name)).toContain('id');
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409']);
    expect(op.security).toEqual([{ bearerAuth: [] }]);
  });
});
