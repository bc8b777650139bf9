import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { loadConfig } from '../../platform/config.js';
import { json, newAccount, testApp } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { iceServersFor, turnCredential } from './credentials.js';

describe('turnCredential', () => {
  it('matches a vector computed independently with openssl', () => {
    // echo -n "1700000000:3f1e0b2c-1111-4222-8333-444455556666" \
    //   | openssl dgst -sha1 -hmac "north-parley-secret" -binary | base64
    expect(
      turnCredential('north-parley-secret', '3f1e0b2c-1111-4222-8333-444455556666', 1700000000),
    ).toEqual({
      username: '1700000000:3f1e0b2c-1111-4222-8333-444455556666',
      credential: 'E66kbsRRtSLNhwyQyx4ogiMedEw=',
    });
  });

  it('expires ttlSeconds after now, per user', () => {
    const turn = {
      stunUrls: ['stun:turn.example.org:3478'],
      turnUrls: ['turn:turn.example.org:3478?transport=udp'],
      secret: 'north-parley-secret',
      staticAuth: undefined,
      ttlSeconds: 600,
    };
    const res = iceServersFor(turn, 'user-a', new Date(1_700_000_000_000));
    expect(res.ttlSeconds).toBe(600);
    expect(res.iceServers[0]).toEqual({ urls: ['stun:turn.example.org:3478'] });
    expect(res.iceServers[1]!.username).toBe('1700000600:user-a');
    expect(
      iceServersFor(turn, 'user-b', new Date(1_700_000_000_000)).iceServers[1]!.credential,
    ).not.toBe(res.iceServers[1]!.credential);
  });

  it('hands out static credentials for servers without the secret scheme, and nothing without TURN', () => {
    const staticTurn = {
      stunUrls: [],
      turnUrls: ['turns:t.example.org:5349'],
      secret: undefined,
      staticAuth: { username: 'u', password: 'p' },
      ttlSeconds: 3600,
    };
    expect(iceServersFor(staticTurn, 'x', new Date()).iceServers).toEqual([
      { urls: ['turns:t.example.org:5349'], username: 'u', credential: 'p' },
    ]);
    expect(
      iceServersFor({ ...staticTurn, turnUrls: [], staticAuth: undefined }, 'x', new Date())
        .iceServers,
    ).toEqual([]);
  });
});

describe('TURN configuration', () => {
  it('reads URLs, secret and TTL from the environment', () => {
    const c = loadConfig({
      JWT_SECRET: 'x'.repeat(32),
      TURN_URLS: 'turn:127.0.0.1:3478, turns:t.example.org:5349',
      TURN_SECRET: 's'.repeat(16),
      TURN_TTL_SECONDS: '900',
      STUN_URLS: 'stun:127.0.0.1:3478',
    });
    expect(c.turn).toMatchObject({
      turnUrls: ['turn:127.0.0.1:3478', 'turns:t.example.org:5349'],
      stunUrls: ['stun:127.0.0.1:3478'],
      ttlSeconds: 900,
    });
  });
  it('refuses TURN URLs without any credentials, and malformed URLs', () => {
    expect(() =>
      loadConfig({ JWT_SECRET: 'x'.repeat(32), TURN_URLS: 'turn:127.0.0.1:3478' }),
    ).toThrow(/TURN_SECRET/);
    expect(() =>
      loadConfig({
        JWT_SECRET: 'x'.repeat(32),
        TURN_URLS: 'http://x',
        TURN_SECRET: 's'.repeat(16),
      }),
    ).toThrow(/TURN_URLS/);
  });
});

describe('GET /api/ice-servers', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('gives a guest with a room short-lived credentials bound to their id; a guest without one and anonymous callers get none', async () => {
    const clock = new ManualClock(new Date('2026-11-21T12:00:00Z'));
    t = await testApp({
      clock,
      config: {
        turn: {
          stunUrls: [],
          turnUrls: ['turn:127.0.0.1:3478'],
          secret: 'north-parley-secret',
          staticAuth: undefined,
          ttlSeconds: 3600,
        },
      },
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/ice-servers' })).statusCode).toBe(401);
    const g = (
      await t.app.inject({ method: 'POST', url: '/api/auth/guest', ...json({ displayName: 'G' }) })
    ).json();
    const asGuest = { authorization: `Bearer ${g.tokens.accessToken}` };
    // A guest account costs nothing to make: without a room it gets no relay.
    const roomless = await t.app.inject({
      method: 'GET',
      url: '/api/ice-servers',
      headers: asGuest,
    });
    expect(roomless.statusCode).toBe(403);
    expect(roomless.json().error.code).toBe('FORBIDDEN');

    const host = (
      await t.app.inject({ method: 'POST', url: '/api/auth/register', ...json(newAccount('host')) })
    ).json();
    const room = await t.app.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: {
        authorization: `Bearer ${host.tokens.accessToken}`,
        'content-type': 'application/json',
      },
      payload: JSON.stringify({ name: 'Call', visibility: 'private', entry: 'open' }),
    });
    const joined = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.json().room.id}/join`,
      headers: { ...asGuest, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(joined.statusCode).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: '/api/ice-servers', headers: asGuest });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    const expiry = Date.parse('2026-11-21T13:00:00Z') / 1000;
    expect(res.json()).toEqual({
      ttlSeconds: 3600,
      iceServers: [
        {
          urls: ['turn:127.0.0.1:3478'],
          ...turnCredential('north-parley-secret', g.user.id, expiry),
        },
      ],
    });
  });
});
