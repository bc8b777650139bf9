import { afterEach, beforeEach, expect } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { newAccount, testApp } from '../../test/harness.js';
import type { Dialect, TestApp } from '../../test/harness.js';
import { injectJson } from '../../test/inject.js';
import type { Method } from '../../test/inject.js';

// Test support for the rooms REST suites (rooms, invites): a fresh app on a ManualClock for
// every test, REST by inject, people made through the real routes.

export type Session = { token: string; id: string };
export type RoomsRest = ReturnType<typeof roomsRest>;

/**
 * Starts an app before each test and closes it after (call it inside a `describe`), and
 * returns the helpers. `t` and `clock` are the running test's own: read them through the
 * returned object when needed, never keep them across tests.
 */
export function roomsRest(dialect: Dialect) {
  let t: TestApp | undefined;
  let clock: ManualClock | undefined;
  beforeEach(async () => {
    clock = new ManualClock(new Date());
    t = await testApp({ dialect, clock });
  });
  afterEach(async () => {
    await t?.close();
  });
  const app = (): TestApp => {
    if (!t) throw new Error('roomsRest: no app outside a test');
    return t;
  };

  const call = (method: Method, url: string, who?: Session, body?: unknown) =>
    injectJson(app().app, method, url, { token: who?.token, body });

  /** What register, login and guest answer, as far as these helpers read it. */
  type Signed = { user: { id: string }; tokens: { accessToken: string } };
  // Remembered so that `relogin` can sign in again.
  const accounts = new Map<string, ReturnType<typeof newAccount>>();
  /** A registered member; `displayName` defaults to the generated one. */
  const member = async (displayName?: string): Promise<Session> => {
    const acct = { ...newAccount(), ...(displayName === undefined ? {} : { displayName }) };
    const res = (await call('POST', '/api/auth/register', undefined, acct)).json<Signed>();
    accounts.set(res.user.id, acct);
    return { token: res.tokens.accessToken, id: res.user.id };
  };
  /** A fresh access token after the clock moved past the old one's 15 minutes. */
  const relogin = async (who: Session): Promise<Session> => {
    const acct = accounts.get(who.id)!;
    const res = (
      await call('POST', '/api/auth/login', undefined, {
        email: acct.email,
        password: acct.password,
      })
    ).json<Signed>();
    return { token: res.tokens.accessToken, id: who.id };
  };
  const guest = async (name = 'Guest'): Promise<Session> => {
    const res = (
      await call('POST', '/api/auth/guest', undefined, { displayName: name })
    ).json<Signed>();
    return { token: res.tokens.accessToken, id: res.user.id };
  };
  /** POST /api/rooms (a private, open "Standup" unless `body` says otherwise), expecting 201. */
  const createRoom = async (host: Session, body: Record<string, unknown> = {}) => {
    const res = await call('POST', '/api/rooms', host, {
      name: 'Standup',
      visibility: 'private',
      entry: 'open',
      ...body,
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ room: { id: string; code: string }; password?: string }>();
  };

  return {
    get t(): TestApp {
      return app();
    },
    get clock(): ManualClock {
      if (!clock) throw new Error('roomsRest: no clock outside a test');
      return clock;
    },
    call,
    member,
    relogin,
    guest,
    createRoom,
  };
}
