import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects, newAccount } from '../../test/harness.js';
import { createUsersRepo, ensureAdmin } from '../users/index.js';
import type { TestClient } from './test-client.js';
import { SignalingServer } from './test-server.js';

// What happens to an account reaches its open sockets (real server, real `ws` clients):
// a revoked session, a disabled account and an expired token close them with 4002; a
// role change is taken over in place. Delivery is event-driven (no polling), so the
// closes follow the HTTP call at once; hub.test.ts pins the rules down on fake time.

type Session = { id: string; token: string; refreshToken: string };

/**
 * Generous on purpose: the close follows the event in the same tick (hub.test.ts shows
 * it on fake time); this bound only keeps a busy machine from failing the suite.
 */
const CLOSE_WITHIN_MS = 10_000;

describe.each(dialects)('revocation reaches open sockets (%s)', (dialect) => {
  let s: SignalingServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  async function signIn(server: SignalingServer, email: string, password: string) {
    const res = await server.api('POST', '/api/auth/login', undefined, { email, password });
    expect(res.status).toBe(200);
    return session(res.body);
  }

  async function register(server: SignalingServer) {
    const account = newAccount('person');
    const res = await server.api('POST', '/api/auth/register', undefined, account);
    expect(res.status).toBe(201);
    return { account, first: session(res.body) };
  }

  async function admin(server: SignalingServer): Promise<Session> {
    const { account } = await register(server);
    await ensureAdmin(
      {
        users: createUsersRepo(server.t.db.db),
        createAccount: () => Promise.reject(new Error('exists')),
        scryptCost: 2 ** 10,
      },
      { email: account.email, password: account.password, resetPassword: false },
    );
    return signIn(server, account.email, account.password);
  }

  const as = (who: Session) => ({ id: who.id, token: who.token, displayName: '' });
  const socket = (server: SignalingServer, who: Session): Promise<TestClient> =>
    server.connect(as(who));

  it('logout closes the sockets of that session with 4002 SESSION_REVOKED; another device stays', async () => {
    s = await SignalingServer.start({}, { dialect });
    const { account, first: phone } = await register(s);
    const laptop = await signIn(s, account.email, account.password);
    const onPhone = await socket(s, phone);
    const onLaptop = await socket(s, laptop);

    const out = await s.api('POST', '/api/auth/logout', undefined, {
      refreshToken: phone.refreshToken,
    });
    expect(out.status).toBe(204);
    expect(await onPhone.next('error')).toMatchObject({ code: 'SESSION_REVOKED' });
    expect(await onPhone.whenClosed(CLOSE_WITHIN_MS)).toEqual({
      code: 4002,
      reason: 'SESSION_REVOKED',
    });
    // The other session is untouched and keeps working.
    expect((await onLaptop.request({ type: 'ping' })).type).toBe('pong');
    // The logged-out session's access token no longer opens a socket either.
    const again = await s.open();
    again.send({ type: 'hello', token: phone.token, protocolVersion: 1 });
    expect(await again.whenClosed(CLOSE_WITHIN_MS)).toEqual({
      code: 4002,
      reason: 'SESSION_REVOKED',
    });
  });

  it('a reused refresh token revokes its family and closes that session’s sockets', async () => {
    s = await SignalingServer.start({}, { dialect });
    const { first } = await register(s);
    const open = await socket(s, first);
    const rotated = await s.api('POST', '/api/auth/refresh', undefined, {
      refreshToken: first.refreshToken,
    });
    expect(rotated.status).toBe(200);
    // Still the same session: the socket stays open after an ordinary rotation.
    expect((await open.request({ type: 'ping' })).type).toBe('pong');
    const reuse = await s.api('POST', '/api/auth/refresh', undefined, {
      refreshToken: first.refreshToken,
    });
    expect(reuse.status).toBe(401);
    expect(await open.whenClosed(CLOSE_WITHIN_MS)).toEqual({
      code: 4002,
      reason: 'SESSION_REVOKED',
    });
  });

  it('an admin disabling the account closes every socket of the user with 4002 ACCOUNT_DISABLED', async () => {
    s = await SignalingServer.start({}, { dialect });
    const root = await admin(s);
    const { account, first } = await register(s);
    const second = await signIn(s, account.email, account.password);
    const tabs = [await socket(s, first), await socket(s, second)];
    const bystander = await socket(s, (await register(s)).first);

    const res = await s.api('PATCH', `/api/admin/users/${first.id}`, as(root), {
      disabled: true,
    });
    expect(res.status).toBe(200);
    for (const tab of tabs) {
      expect(await tab.whenClosed(CLOSE_WITHIN_MS)).toEqual({
        code: 4002,
        reason: 'ACCOUNT_DISABLED',
      });
    }
    expect((await bystander.request({ type: 'ping' })).type).toBe('pong');
  });

  it('a role change reaches the open socket as session.updated, without reconnecting', async () => {
    s = await SignalingServer.start({}, { dialect });
    const root = await admin(s);
    const { first } = await register(s);
    const open = await socket(s, first);
    const res = await s.api('PATCH', `/api/admin/users/${first.id}`, as(root), {
      role: 'provider',
    });
    expect(res.status).toBe(200);
    const updated = await open.next('session.updated');
    expect(updated).toMatchObject({ user: { id: first.id, role: 'provider' } });
    expect((await open.request({ type: 'ping' })).type).toBe('pong');
    expect(open.ws.readyState).toBe(open.ws.OPEN);
  });

  it('an access token that expires closes its socket with 4002 TOKEN_EXPIRED (fake wall clock)', async () => {
    const clock = new ManualClock(new Date());
    s = await SignalingServer.start({}, { dialect, clock });
    const { first } = await register(s);
    const open = await socket(s, first);
    clock.advance(14 * 60_000);
    expect((await open.request({ type: 'ping' })).type).toBe('pong');
    clock.advance(60_000 + 1_000);
    expect(await open.next('error')).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(await open.whenClosed(CLOSE_WITHIN_MS)).toEqual({ code: 4002, reason: 'TOKEN_EXPIRED' });
  });
});

function session(body: Record<string, unknown>): Session {
  const user = body.user as { id: string };
  const tokens = body.tokens as { accessToken: string; refreshToken: string };
  return { id: user.id, token: tokens.accessToken, refreshToken: tokens.refreshToken };
}
