import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from './platform/clock.js';
import { createMemoryLiveState } from './platform/live/index.js';
import { json, testApp } from './test/harness.js';
import type { TestApp } from './test/harness.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('error shape', () => {
  it('an unknown API route is a JSON 404 in the documented shape with the request id', async () => {
    t = await testApp();
    const res = await t.app.inject({ method: 'GET', url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    const { error } = res.json();
    expect(error).toMatchObject({ code: 'NOT_FOUND', details: {} });
    expect(error.requestId).toBe(res.headers['x-request-id']);
  });

  it.each([
    ['malformed JSON', '{"email":'],
    ['a __proto__ key', '{"__proto__":{"admin":true},"displayName":"x"}'],
    [
      'a constructor.prototype key',
      '{"constructor":{"prototype":{"admin":true}},"displayName":"x"}',
    ],
  ])('%s is 400 INVALID_JSON and pollutes nothing', async (_n, payload) => {
    t = await testApp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/guest',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_JSON');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('deeply nested JSON is 400 INVALID_JSON, not a crash', async () => {
    t = await testApp();
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/guest',
      headers: { 'content-type': 'application/json' },
      payload: `{"displayName":${deep}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_JSON');
  });

  it('a body over the limit is 413 PAYLOAD_TOO_LARGE', async () => {
    t = await testApp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/guest',
      ...json({ displayName: 'x'.repeat(70_000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a non-JSON content type is 415', async () => {
    t = await testApp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/guest',
      headers: { 'content-type': 'text/plain' },
      payload: 'hi',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unexpected failure is a 500 that hides its internals', async () => {
    t = await testApp();
    await t.db.db.schema.dropTable('refresh_tokens').execute(); // make the next register fail inside SQL
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/guest',
      ...json({ displayName: 'Gary' }),
    });
    expect(res.statusCode).toBe(500);
    const { error } = res.json();
    expect(error.code).toBe('INTERNAL');
    expect(JSON.stringify(error)).not.toMatch(/refresh_tokens|SQLITE|at .*\.ts/);
  });
});

describe('security headers and CORS', () => {
  it('sends a real Content-Security-Policy and no upgrade on plain HTTP', async () => {
    t = await testApp();
    // A page's policy (API answers carry the short API set: security/headers.test.ts).
    const res = await t.app.inject({ method: 'GET', url: '/' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // Watch-together: media from any http(s) server and YouTube embeds, but scripts stay 'self'.
    expect(csp).toContain("media-src 'self' blob: https: http:");
    expect(csp).toContain('frame-src https://www.youtube-nocookie.com https://www.youtube.com');
    expect(csp).not.toMatch(/script-src[^;]*youtube/);
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('allows only configured origins', async () => {
    t = await testApp({ config: { corsOrigins: ['https://meet.example.org'] } });
    const ok = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/auth/me',
      headers: { origin: 'https://meet.example.org', 'access-control-request-method': 'GET' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('https://meet.example.org');
    const evil = await t.app.inject({
      method: 'GET',
      url: '/api/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('GET /api/health', () => {
  it('is 200 with db and bus ok', async () => {
    t = await testApp();
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      checks: { db: { status: 'ok' }, bus: { status: 'ok' } },
    });
  });

  it('is 200 degraded, not down, while only the live state (Redis) is unreachable', async () => {
    const live = createMemoryLiveState(systemClock);
    live.ping = () => Promise.reject(new Error('Redis is not connected'));
    t = await testApp({ live });
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'degraded',
      checks: { db: { status: 'ok' }, bus: { status: 'error', message: 'unavailable' } },
    });
    await live.close();
  });

  it('is 503 with the db check failing when the database is gone', async () => {
    t = await testApp();
    await t.db.db.destroy();
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      status: 'error',
      checks: { db: { status: 'error' }, bus: { status: 'ok' } },
    });
  });
});

describe('OpenAPI', () => {
  it('lists every API route with its request and response schemas', async () => {
    t = await testApp();
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const expected: [string, string][] = [
      ['post', '/api/auth/register'],
      ['post', '/api/auth/login'],
      ['post', '/api/auth/refresh'],
      ['post', '/api/auth/logout'],
      ['post', '/api/auth/guest'],
      ['get', '/api/auth/me'],
      ['get', '/api/health'],
    ];
    for (const [method, url] of expected) {
      expect(collectRoutes(t)).toContain(url);
      const op = doc.paths[url]?.[method];
      expect(op, `${method} ${url}`).toBeDefined();
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      if (method === 'post')
        expect(op.requestBody?.content?.['application/json']?.schema, `${url} body`).toBeDefined();
    }
    // No API route is missing from the document (docs UI and the document itself excepted).
    const documented = new Set(Object.keys(doc.paths));
    const apiRoutes = collectRoutes(t).filter(
      (r) => r.startsWith('/api/') && !r.startsWith('/api/docs') && r !== '/api/openapi.json',
    );
    expect(apiRoutes.length).toBeGreaterThanOrEqual(expected.length);
    for (const r of apiRoutes) expect(documented, r).toContain(r.replace(/:(\w+)/g, '{$1}'));
  });

  it('serves the browsable docs at /api/docs', async () => {
    t = await testApp();
    const res = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});

describe('web app serving', () => {
  it('serves index.html at / and as the fallback for client routes, never for /api', async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'parley-web-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Parley</title>');
    writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
    t = await testApp({ config: { webDistDir: dist } });
    expect((await t.app.inject({ method: 'GET', url: '/' })).body).toContain(
      '<title>Parley</title>',
    );
    expect((await t.app.inject({ method: 'GET', url: '/assets/app.js' })).body).toContain(
      'console.log',
    );
    const deep = await t.app.inject({
      method: 'GET',
      url: '/r/abc-defg-hij',
      headers: { accept: 'text/html' },
    });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('Parley');
    const api = await t.app.inject({
      method: 'GET',
      url: '/api/unknown',
      headers: { accept: 'text/html' },
    });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('NOT_FOUND');
  });
});

function collectRoutes(app: TestApp): string[] {
  return app.routes.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS').map((r) => r.url);
}
