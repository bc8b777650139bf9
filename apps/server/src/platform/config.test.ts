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

  it('requires TLS cert and key together', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), TLS_CERT_FILE: '/x.pem' })).toThrow(
      /TLS_CERT_FILE and TLS_KEY_FILE/,
    );
  });
});
