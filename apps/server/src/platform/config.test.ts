import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'parley-cfg-'));

describe('loadConfig', () => {
  it('has embedded defaults: port 8080, SQLite in the data folder', () => {
    const dir = tmp();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c.port).toBe(8080);
    expect(c.database).toEqual({ kind: 'sqlite', file: path.join(dir, 'parley.db') });
    expect(c.corsOrigins).toEqual([]);
  });

  it('LOG_REQUESTS: errors by default, all or none when asked, anything else refused', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).logRequests).toBe('errors');
    expect(loadConfig({ DATA_DIR: tmp(), LOG_REQUESTS: 'all' }).logRequests).toBe('all');
    expect(loadConfig({ DATA_DIR: tmp(), LOG_REQUESTS: 'none' }).logRequests).toBe('none');
    expect(() => loadConfig({ DATA_DIR: tmp(), LOG_REQUESTS: 'some' })).toThrow(/LOG_REQUESTS/);
  });

  it('socket limits: WS_LIMITS by default, raised or lowered by WS_MAX_CONNECTIONS_* and WS_MESSAGE*', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).ws).toMatchObject({
      maxConnectionsPerIp: 100,
      maxConnectionsPerUser: 10,
      messagesPerSecond: 50,
      messageBurst: 200,
    });
    const c = loadConfig({
      DATA_DIR: tmp(),
      WS_MAX_CONNECTIONS_PER_IP: '5000',
      WS_MAX_CONNECTIONS_PER_USER: '3',
      WS_MESSAGES_PER_SECOND: '20',
      WS_MESSAGE_BURST: '20',
    });
    expect(c.ws).toMatchObject({
      maxConnectionsPerIp: 5000,
      maxConnectionsPerUser: 3,
      messagesPerSecond: 20,
      messageBurst: 20,
    });
  });

  it.each([
    ['WS_MAX_CONNECTIONS_PER_IP', '0'],
    ['WS_MAX_CONNECTIONS_PER_IP', '-1'],
    ['WS_MAX_CONNECTIONS_PER_IP', '1.5'],
    ['WS_MAX_CONNECTIONS_PER_IP', 'many'],
    ['WS_MAX_CONNECTIONS_PER_IP', '1000001'],
    ['WS_MAX_CONNECTIONS_PER_USER', '1001'],
    ['WS_MESSAGES_PER_SECOND', '0'],
    ['WS_MESSAGE_BURST', '100001'],
  ])('refuses %s=%s at startup, naming the bounds', (name, value) => {
    const run = () => loadConfig({ DATA_DIR: tmp(), [name]: value });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(new RegExp(`${name}: a whole number from 1 to`));
  });

  it('refuses a message burst below the rate', () => {
    expect(() =>
      loadConfig({ DATA_DIR: tmp(), WS_MESSAGES_PER_SECOND: '100', WS_MESSAGE_BURST: '50' }),
    ).toThrow(/WS_MESSAGE_BURST must not be below WS_MESSAGES_PER_SECOND/);
  });

  it("chat send rate, scrypt cost, access-token lifetime: today's values by default", () => {
    const c = loadConfig({ DATA_DIR: tmp() });
    expect(c.chat).toEqual({ sendPerSecond: 1, sendBurst: 10 });
    expect(c.scryptCost).toBe(2 ** 15);
    expect(c.accessTokenTtlSeconds).toBe(900);
  });

  it('CHAT_SEND_*, SCRYPT_COST (log2 of N) and ACCESS_TOKEN_TTL_SECONDS reach the config', () => {
    const c = loadConfig({
      DATA_DIR: tmp(),
      CHAT_SEND_PER_SECOND: '0.5',
      CHAT_SEND_BURST: '3',
      SCRYPT_COST: '17',
      ACCESS_TOKEN_TTL_SECONDS: '300',
    });
    expect(c.chat).toEqual({ sendPerSecond: 0.5, sendBurst: 3 });
    expect(c.scryptCost).toBe(131_072);
    expect(c.accessTokenTtlSeconds).toBe(300);
    // The ends of each range are allowed.
    const low = loadConfig({ DATA_DIR: tmp(), SCRYPT_COST: '14', ACCESS_TOKEN_TTL_SECONDS: '60' });
    expect([low.scryptCost, low.accessTokenTtlSeconds]).toEqual([16_384, 60]);
    const high = loadConfig({
      DATA_DIR: tmp(),
      SCRYPT_COST: '18',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
    });
    expect([high.scryptCost, high.accessTokenTtlSeconds]).toEqual([262_144, 3600]);
  });

  it.each([
    ['CHAT_SEND_PER_SECOND', '0', /CHAT_SEND_PER_SECOND: a number from 0.01 to 1000/],
    ['CHAT_SEND_PER_SECOND', '-1', /CHAT_SEND_PER_SECOND: a number from 0.01 to 1000/],
    ['CHAT_SEND_PER_SECOND', 'fast', /CHAT_SEND_PER_SECOND: a number from 0.01 to 1000/],
    ['CHAT_SEND_PER_SECOND', '1001', /CHAT_SEND_PER_SECOND: a number from 0.01 to 1000/],
    ['CHAT_SEND_BURST', '0', /CHAT_SEND_BURST: a whole number from 1 to 10000/],
    ['CHAT_SEND_BURST', '2.5', /CHAT_SEND_BURST: a whole number from 1 to 10000/],
    ['CHAT_SEND_BURST', '10001', /CHAT_SEND_BURST: a whole number from 1 to 10000/],
    ['SCRYPT_COST', '13', /SCRYPT_COST: a whole number from 14 to 18 \(log2 of scrypt's N/],
    ['SCRYPT_COST', '19', /SCRYPT_COST: a whole number from 14 to 18/],
    // N itself instead of its log2: refused, and the message says which form is wanted.
    ['SCRYPT_COST', '32768', /SCRYPT_COST: .*15 means N = 32768/],
    ['SCRYPT_COST', '15.5', /SCRYPT_COST: a whole number from 14 to 18/],
    ['ACCESS_TOKEN_TTL_SECONDS', '59', /ACCESS_TOKEN_TTL_SECONDS: a whole number from 60 to 3600/],
    [
      'ACCESS_TOKEN_TTL_SECONDS',
      '3601',
      /ACCESS_TOKEN_TTL_SECONDS: a whole number from 60 to 3600/,
    ],
    ['ACCESS_TOKEN_TTL_SECONDS', '15m', /ACCESS_TOKEN_TTL_SECONDS: a whole number from 60 to 3600/],
  ])('refuses %s=%s at startup, naming the variable and its bounds', (name, value, message) => {
    const run = () => loadConfig({ DATA_DIR: tmp(), [name]: value });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  it('refuses a chat burst below the chat rate', () => {
    expect(() =>
      loadConfig({ DATA_DIR: tmp(), CHAT_SEND_PER_SECOND: '5', CHAT_SEND_BURST: '4' }),
    ).toThrow(/CHAT_SEND_BURST must not be below CHAT_SEND_PER_SECOND/);
    // The default burst (10) is checked against a raised rate too.
    expect(() => loadConfig({ DATA_DIR: tmp(), CHAT_SEND_PER_SECOND: '20' })).toThrow(
      /CHAT_SEND_BURST must not be below CHAT_SEND_PER_SECOND/,
    );
    expect(
      loadConfig({ DATA_DIR: tmp(), CHAT_SEND_PER_SECOND: '5', CHAT_SEND_BURST: '5' }).chat,
    ).toEqual({ sendPerSecond: 5, sendBurst: 5 });
  });

  it('generates a dev JWT secret once, keeps it private, and reuses it', () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir }).jwtSecret;
    const b = loadConfig({ DATA_DIR: dir }).jwtSecret;
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dir, 'jwt-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(a);
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('refuses to start in production without JWT_SECRET, with a clear message', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp() })).toThrow(
      /JWT_SECRET is required/,
    );
  });

  it('selects PostgreSQL from a postgres:// DATABASE_URL', () => {
    const c = loadConfig({ DATA_DIR: tmp(), DATABASE_URL: 'postgres://u@h:5432/db' });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/db', poolSize: 10 });
    const sized = loadConfig({
      DATA_DIR: tmp(),
      DATABASE_URL: 'postgres://u@h:5432/db',
      DATABASE_POOL_SIZE: '25',
    });
    expect(sized.database).toMatchObject({ poolSize: 25 });
    expect(() =>
      loadConfig({ DATA_DIR: tmp(), DATABASE_URL: 'postgres://u@h/db', DATABASE_POOL_SIZE: '0' }),
    ).toThrow(/DATABASE_POOL_SIZE/);
  });

  it('shares live state through Redis only when REDIS_URL is set, under a prefix', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).redis).toBeUndefined();
    expect(loadConfig({ DATA_DIR: tmp(), REDIS_URL: 'redis://r:6379/2' }).redis).toEqual({
      url: 'redis://r:6379/2',
      prefix: 'parley:',
    });
    expect(
      loadConfig({ DATA_DIR: tmp(), REDIS_URL: 'rediss://r', REDIS_PREFIX: 'team-a:' }).redis,
    ).toEqual({ url: 'rediss://r', prefix: 'team-a:' });
    expect(() => loadConfig({ DATA_DIR: tmp(), REDIS_URL: 'http://r:6379' })).toThrow(/REDIS_URL/);
    expect(() =>
      loadConfig({ DATA_DIR: tmp(), REDIS_URL: 'redis://r', REDIS_PREFIX: 'a b' }),
    ).toThrow(/REDIS_PREFIX/);
  });

  it('lists every invalid variable at once', () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        JWT_SECRET: 'short',
        CORS_ORIGINS: 'not a url',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const v of ['PORT', 'JWT_SECRET', 'CORS_ORIGINS', 'LOG_LEVEL']) expect(msg).toContain(v);
  });

  it('TRUST_PROXY trusts nothing by default, or only the listed proxy addresses and ranges', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).trustProxy).toBe(false);
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(
      loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8,192.0.2.7' })
        .trustProxy,
    ).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
    expect(
      loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'uniquelocal,172.16.0.0/255.240.0.0' }).trustProxy,
    ).toEqual(['uniquelocal', '172.16.0.0/255.240.0.0']);
  });

  it('TRUST_PROXY=true (every hop believed) is refused, saying what to set instead', () => {
    for (const value of ['true', 'yes']) {
      const run = () => loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: value });
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(/TRUST_PROXY.*every X-Forwarded-For hop.*TRUST_PROXY=loopback/s);
    }
  });

  it('TRUST_PROXY refuses a bare hop count and entries that are not addresses', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: '1' })).toThrow(
      /hop count cannot tell a proxy from a client/,
    );
    for (const bad of ['nginx', '10.0.0.0/33', '::1/129', '10.0.0.1/8/2', 'loopback,evil']) {
      expect(() => loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
  });

  it('HTTP connections have deadlines by default: a slow client is cut within 30 s', () => {
    const { http } = loadConfig({ DATA_DIR: tmp() });
    // Node looks for late requests every checkIntervalMs, so that much adds to each deadline.
    expect(http.headersTimeoutMs + http.checkIntervalMs).toBeLessThanOrEqual(30_000);
    expect(http.requestTimeoutMs + http.checkIntervalMs).toBeLessThanOrEqual(30_000);
    expect(http.keepAliveTimeoutMs).toBeGreaterThan(0);
    expect(http.idleTimeoutMs).toBeGreaterThan(0);
    expect(http.idleTimeoutMs).toBeLessThanOrEqual(60_000);
    const set = loadConfig({
      DATA_DIR: tmp(),
      HTTP_HEADERS_TIMEOUT_SECONDS: '5',
      HTTP_REQUEST_TIMEOUT_SECONDS: '15',
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '65',
      HTTP_IDLE_TIMEOUT_SECONDS: '120',
    }).http;
    expect(set).toMatchObject({
      headersTimeoutMs: 5000,
      requestTimeoutMs: 15_000,
      keepAliveTimeoutMs: 65_000,
      idleTimeoutMs: 120_000,
    });
    // Node refuses a header deadline past the request deadline; say so at start.
    expect(() =>
      loadConfig({
        DATA_DIR: tmp(),
        HTTP_HEADERS_TIMEOUT_SECONDS: '30',
        HTTP_REQUEST_TIMEOUT_SECONDS: '20',
      }),
    ).toThrow(/HTTP_HEADERS_TIMEOUT_SECONDS/);
    expect(() => loadConfig({ DATA_DIR: tmp(), HTTP_REQUEST_TIMEOUT_SECONDS: '0' })).toThrow(
      /HTTP_REQUEST_TIMEOUT_SECONDS/,
    );
  });

  it('requires TLS cert and key together', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), TLS_CERT_FILE: '/x.pem' })).toThrow(
      /TLS_CERT_FILE and TLS_KEY_FILE/,
    );
  });
});
