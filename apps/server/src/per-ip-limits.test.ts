import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { newAccount, testApp } from './test/harness.js';
import type { TestApp } from './test/harness.js';
import { injectJson } from './test/inject.js';
import { forgedInvite, missingRoomCode } from './security/forge.js';

// Every per-IP limit counts under clientKey (platform/client-key.ts): one subscriber holds
// a whole IPv6 /64, so each address of it drawing a fresh budget would make the limits
// worthless over IPv6. Each limit below is run down from many addresses of one /64 and
// then refuses another address of it, while an address of another /64 is served.
// (The login throttle has the same cases in modules/auth/login-throttle.test.ts.)

/** The `n`-th address of the attacker's /64, and an address of a neighbouring /64. */
const inPrefix = (n: number) => `2001:db8:aa:1::${(n + 1).toString(16)}`;
const LAST_OF_PREFIX = '2001:db8:aa:1:ffff:ffff:ffff:fffe';
const NEIGHBOUR = '2001:db8:aa:2::1';

type Res = Awaited<ReturnType<TestApp['app']['inject']>>;
type Who = { id: string; token: string };

describe('per-IP limits count an IPv6 /64 as one caller', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  async function start(config: Partial<Config> = {}) {
    t = await testApp({ clock: new ManualClock(new Date()), config });
  }
  function call(ip: string, method: 'GET' | 'POST', url: string, who?: Who, body?: unknown) {
    return injectJson(t.app, method, url, { ip, token: who?.token, body });
  }
  async function member(): Promise<Who> {
    const { auth } = t.services;
    const user = await auth.createAccount(newAccount('ipv6'));
    return { id: user.id, token: (await auth.startSession(user)).tokens.accessToken };
  }
  const code = (res: Res) =>
    `${res.statusCode} ${res.json<{ error?: { code: string } }>().error?.code ?? ''}`.trim();

  it('the global request limit', async () => {
    await start({ rateLimitMax: 5 });
    const me = await member();
    for (let i = 0; i < 5; i++) {
      expect((await call(inPrefix(i), 'GET', '/api/rooms', me)).statusCode).toBe(200);
    }
    expect(code(await call(LAST_OF_PREFIX, 'GET', '/api/rooms', me))).toBe('429 RATE_LIMITED');
    expect((await call(NEIGHBOUR, 'GET', '/api/rooms', me)).statusCode).toBe(200);
  });

  it('the global request limit counts requests that authentication refuses, and checks them first', async () => {
    await start({ rateLimitMax: 5 });
    for (let i = 0; i < 5; i++) {
      expect(code(await call(inPrefix(i), 'GET', '/api/rooms'))).toBe('401 UNAUTHENTICATED');
    }
    // A token guesser is slowed like anyone else, before the token is even looked at.
    const guess = { id: 'x', token: 'not.a.token' };
    expect(code(await call(LAST_OF_PREFIX, 'GET', '/api/rooms', guess))).toBe('429 RATE_LIMITED');
    expect(code(await call(NEIGHBOUR, 'GET', '/api/rooms'))).toBe('401 UNAUTHENTICATED');
  });

  it('room-code lookups', async () => {
    await start();
    const prober = await member();
    for (let i = 0; i < 60; i++) {
      expect(code(await call(inPrefix(i), 'GET', `/api/rooms/${missingRoomCode()}`, prober))).toBe(
        '404 ROOM_NOT_FOUND',
      );
    }
    const next = missingRoomCode();
    expect(code(await call(LAST_OF_PREFIX, 'GET', `/api/rooms/${next}`, prober))).toBe(
      '429 TOO_MANY_ATTEMPTS',
    );
    expect(code(await call(NEIGHBOUR, 'GET', `/api/rooms/${next}`, prober))).toBe(
      '404 ROOM_NOT_FOUND',
    );
  });

  it('room passwords per room and IP', async () => {
    await start();
    const host = await member();
    const created = await call('192.0.2.1', 'POST', '/api/rooms', host, {
      name: 'Vault',
      visibility: 'private',
      entry: 'password',
      password: 'open sesame',
    });
    const roomId = created.json<{ room: { id: string } }>().room.id;
    const join = (ip: string, who: Who, password: string) =>
      call(ip, 'POST', `/api/rooms/${roomId}/join`, who, { password });
    // Three people, ten wrong guesses each (their own limit), from 30 addresses of the /64.
    for (let p = 0; p < 3; p++) {
      const who = await member();
      for (let i = 0; i < 10; i++) {
        expect(code(await join(inPrefix(p * 10 + i), who, `guess ${i}`))).toBe(
          '403 BAD_ROOM_PASSWORD',
        );
      }
    }
    expect(code(await join(LAST_OF_PREFIX, await member(), 'open sesame'))).toBe(
      '429 TOO_MANY_ATTEMPTS',
    );
    expect((await join(NEIGHBOUR, await member(), 'open sesame')).statusCode).toBe(200);
  });

  it('invite-link lookups', async () => {
    await start();
    for (let i = 0; i < 30; i++) {
      expect(code(await call(inPrefix(i), 'GET', `/api/invites/${forgedInvite()}`))).toBe(
        '404 INVITE_NOT_FOUND',
      );
    }
    expect(code(await call(LAST_OF_PREFIX, 'GET', `/api/invites/${forgedInvite()}`))).toBe(
      '429 TOO_MANY_ATTEMPTS',
    );
    expect(code(await call(NEIGHBOUR, 'GET', `/api/invites/${forgedInvite()}`))).toBe(
      '404 INVITE_NOT_FOUND',
    );
  });

  it('guest accounts per IP per hour', async () => {
    await start({
      quotas: { openRoomsPerUser: 100, roomsCreatedPerHour: 100, guestsPerIpPerHour: 3 },
    });
    const guest = (ip: string) =>
      call(ip, 'POST', '/api/auth/guest', undefined, { displayName: 'G' });
    for (let i = 0; i < 3; i++) expect((await guest(inPrefix(i))).statusCode).toBe(201);
    expect(code(await guest(LAST_OF_PREFIX))).toBe('429 QUOTA_EXCEEDED');
    // An IPv4 address written as IPv6 is that IPv4 address.
    for (let i = 0; i < 3; i++) expect((await guest('198.51.100.9')).statusCode).toBe(201);
    expect(code(await guest('::ffff:198.51.100.9'))).toBe('429 QUOTA_EXCEEDED');
    expect((await guest(NEIGHBOUR)).statusCode).toBe(201);
  });
});
