import type { AdminUser } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects, json, newAccount, testApp } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { entries, only } from '../audit/test-audit.js';

// POST /api/admin/users on every dialect: while registration is closed (the register page
// says "ask an administrator for an account"), an admin makes the account and the person
// signs in with it.

describe.each(dialects)('an admin creating an account on %s', (dialect) => {
  let t: TestApp;
  let adminToken: string;
  let adminId: string;

  beforeEach(async () => {
    t = await testApp({
      dialect,
      clock: new ManualClock(new Date()),
      config: { registration: 'closed' },
    });
    // Registration is closed: the admin comes from the operator's path, as ADMIN_EMAIL does.
    const acct = newAccount('admin');
    adminId = (await t.services.auth.createAccount({ ...acct, role: 'admin' })).id;
    adminToken = (
      await post('/api/auth/login', { email: acct.email, password: acct.password })
    ).json<{ tokens: { accessToken: string } }>().tokens.accessToken;
  });
  afterEach(async () => {
    await t.close();
  });

  const post = (url: string, body: unknown, token?: string) =>
    t.app.inject({
      method: 'POST',
      url,
      ...json(body),
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
  const create = (body: unknown, token: string | undefined = adminToken) =>
    post('/api/admin/users', body, token);
  const body = (over: Record<string, unknown> = {}) => ({
    ...newAccount('made'),
    role: 'member',
    ...over,
  });

  it('makes an account while registration is closed, and that person signs in with it', async () => {
    const input = body({ email: '  Zoe.Made@Example.ORG ', displayName: ' Zoe ' });
    expect((await post('/api/auth/register', newAccount('self'))).statusCode).toBe(403);

    const res = await create(input);
    expect(res.statusCode, res.body).toBe(201);
    const made = res.json<AdminUser>();
    expect(made).toMatchObject({
      email: 'zoe.made@example.org',
      displayName: 'Zoe',
      role: 'member',
      isGuest: false,
      disabled: false,
    } satisfies Partial<AdminUser>);
    expect(res.body).not.toContain(input.password);

    const login = await post('/api/auth/login', {
      email: 'zoe.made@example.org',
      password: input.password,
    });
    expect(login.statusCode, login.body).toBe(200);
    expect(login.json<{ user: { id: string } }>().user.id).toBe(made.id);
  });

  it('gives the role asked for', async () => {
    const res = await create(body({ role: 'provider' }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<AdminUser>().role).toBe('provider');
  });

  it('is audited as user.created: the admin the actor, the new account the target, no secret', async () => {
    const input = body({ role: 'provider' });
    const made = (await create(input)).json<AdminUser>();
    const entry = await only(t.db.db, 'user.created', made.id);
    expect(entry).toMatchObject({
      actorId: adminId,
      targetType: 'user',
      targetId: made.id,
      details: { role: 'provider' },
    });
    expect(entry.raw).not.toContain(input.password);
  });

  it('an email that has an account is 409 EMAIL_TAKEN, in any case, and nothing is audited', async () => {
    const input = body();
    expect((await create(input)).statusCode).toBe(201);
    const again = await create(body({ email: input.email.toUpperCase() }));
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json<{ error: { code: string } }>().error.code).toBe('EMAIL_TAKEN');
    expect(await entries(t.db.db, { type: 'user.created' })).toHaveLength(1);
  });

  it('checks the fields as signing up does and names each bad one (400)', async () => {
    const res = await create({
      email: 'not-an-email',
      displayName: '',
      role: 'owner',
      password: 'short',
    });
    expect(res.statusCode).toBe(400);
    const error = res.json<{
      error: { code: string; details: { fields: Record<string, unknown> } };
    }>().error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(error.details.fields).sort()).toEqual([
      'displayName',
      'email',
      'password',
      'role',
    ]);
    expect((await create({ ...body(), isAdmin: true })).statusCode).toBe(400);
  });

  it('is for admins only: 401 without a token, 403 for a member, before the body is read', async () => {
    expect((await create(body(), '')).statusCode).toBe(401);
    const member = newAccount('member');
    await t.services.auth.createAccount(member);
    const token = (await post('/api/auth/login', member)).json<{
      tokens: { accessToken: string };
    }>().tokens.accessToken;
    const res = await create({ nonsense: true }, token);
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('FORBIDDEN');
    expect(await entries(t.db.db, { type: 'user.created' })).toEqual([]);
  });

  it('is documented in the OpenAPI document with its body and answers', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const op = doc.paths['/api/admin/users']?.post;
    expect(op.requestBody?.content?.['application/json']?.schema).toBeDefined();
    expect(Object.keys(op.responses).sort()).toEqual(['201', '400', '401', '403', '409']);
    expect(op.security).toEqual([{ bearerAuth: [] }]);
  });
});
