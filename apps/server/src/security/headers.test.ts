import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helmet from '@fastify/helmet';
import { PROTOCOL_VERSION } from '@parley/protocol';
import Fastify from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UpgradeRefused } from '../modules/signaling/test-client.js';
import { SignalingServer } from '../modules/signaling/test-server.js';
import { helmetOptions, isApiUrl } from '../platform/http-plumbing.js';
import { testApp } from '../test/harness.js';
import type { TestApp } from '../test/harness.js';

// What the HTTP edge tells browsers, and whom it lets in from other origins. Already in
// app.test.ts ("security headers and CORS"): the CSP's main directives on one response,
// no HSTS on plain HTTP via inject, and a configured origin's preflight; limits.test.ts
// ("upgrade"): the socket refusing another origin, `null` and another port, and letting in
// no Origin, the request's own host and configured origins.

/** Every way a script could run from a directive: inline, eval, any host, any scheme. */
const UNSAFE_SCRIPT_SOURCES = [
  "'unsafe-inline'",
  "'unsafe-eval'",
  "'unsafe-hashes'",
  "'wasm-unsafe-eval'",
  '*',
  'data:',
  'blob:',
  'http:',
  'https:',
];

function directives(csp: string | undefined): Map<string, string[]> {
  expect(csp, 'a Content-Security-Policy header').toBeTruthy();
  const map = new Map<string, string[]>();
  for (const part of String(csp).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values);
  }
  return map;
}

/**
 * Scripts may come only from this origin: each directive that governs scripts (and
 * `default-src`, their fallback) names no unsafe source, and plugins and `<base>` are off.
 */
function expectScriptsLockedDown(csp: string | undefined, where: string) {
  const d = directives(csp);
  const scriptSrc = d.get('script-src') ?? d.get('default-src');
  expect(scriptSrc, `${where}: script-src or default-src`).toBeDefined();
  for (const name of ['default-src', 'script-src', 'script-src-elem', 'script-src-attr']) {
    for (const source of d.get(name) ?? []) {
      expect(UNSAFE_SCRIPT_SOURCES, `${where}: ${name} allows ${source}`).not.toContain(
        source.toLowerCase(),
      );
    }
  }
  expect(d.get('object-src'), `${where}: object-src`).toEqual(["'none'"]);
  expect(d.get('base-uri'), `${where}: base-uri`).toBeDefined();
}

/** A built web app of two files, so the SPA and its assets are served too. */
function webDist(): string {
  const dist = mkdtempSync(path.join(tmpdir(), 'parley-web-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Parley</title>');
  writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
  return dist;
}

/** Pages and API answers of every kind a browser may receive. */
const SAMPLES: { url: string; accept?: string }[] = [
  { url: '/' },
  { url: '/r/abc-defg-hjkm', accept: 'text/html' },
  { url: '/assets/app.js' },
  { url: '/api/health' },
  { url: '/api/auth/me' }, // 401
  { url: '/api/nope' }, // 404
  { url: '/api/docs/' }, // the API browser sets its own CSP
];

let t: TestApp | undefined;
let s: SignalingServer | undefined;
afterEach(async () => {
  await t?.close();
  await s?.close();
  t = undefined;
  s = undefined;
});

describe('Content-Security-Policy and fingerprinting headers', () => {
  it.each(SAMPLES)(
    '$url: scripts only from this origin (no unsafe-inline or unsafe-eval), no X-Powered-By',
    async ({ url, accept }) => {
      t = await testApp({ config: { webDistDir: webDist() } });
      const res = await t.app.inject({
        method: 'GET',
        url,
        ...(accept ? { headers: { accept } } : {}),
      });
      expect(res.statusCode).toBeLessThan(500);
      expectScriptsLockedDown(res.headers['content-security-policy'], url);
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['server']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    },
  );
});

describe('helmet headers on pages and assets, the API set on API answers', () => {
  /** What @fastify/helmet itself sends for Parley's options, as it did on every request. */
  async function helmetReference(): Promise<Record<string, string>> {
    const bare = Fastify({ logger: false });
    await bare.register(helmet, helmetOptions({ tls: undefined }));
    bare.get('/', () => '');
    const res = await bare.inject({ method: 'GET', url: '/' });
    await bare.close();
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (!['content-type', 'content-length', 'date', 'connection'].includes(name)) {
        out[name] = String(value);
      }
    }
    return out;
  }

  it('the SPA page, the API browser and an asset each carry every helmet header, computed once', async () => {
    const reference = await helmetReference();
    // The ones that matter most, so the reference itself cannot quietly shrink.
    expect(reference).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(reference['content-security-policy']).toContain("frame-ancestors 'none'");
    t = await testApp({ config: { webDistDir: webDist() } });
    const samples = [
      { url: '/', type: /html/ },
      { url: '/r/abc-defg-hjkm', accept: 'text/html', type: /html/ },
      { url: '/assets/app.js', type: /javascript/ },
    ];
    for (const { url, accept, type } of samples) {
      const res = await t.app.inject({ method: 'GET', url, headers: accept ? { accept } : {} });
      expect(String(res.headers['content-type']), url).toMatch(type);
      for (const [name, value] of Object.entries(reference)) {
        expect(res.headers[name], `${url}: ${name}`).toBe(value);
      }
    }
    // The API browser is a page too; it brings its own CSP (staticCSP), the rest is helmet's.
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(docs.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('JSON answers (200, 401, 404, a query string) and /metrics carry the API set: nothing may load, run or frame, and no page-only headers', async () => {
    t = await testApp({ config: { webDistDir: webDist() } });
    const samples = ['/api/health', '/api/auth/me', '/api/nope', '/api/health?x=1', '/metrics'];
    for (const url of samples) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers).toMatchObject({
        'content-security-policy':
          "default-src 'none'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'",
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(res.headers['x-request-id'], url).toMatch(/^[0-9a-f-]{36}$/);
      for (const pageOnly of [
        'cross-origin-opener-policy',
        'origin-agent-cluster',
        'x-xss-protection',
      ]) {
        expect(res.headers[pageOnly], `${url}: ${pageOnly}`).toBeUndefined();
      }
    }
  });

  it('isApiUrl: data routes yes, pages and the API browser no', () => {
    for (const url of ['/api/health', '/api/auth/me?x', '/metrics', '/metrics?a=1']) {
      expect(isApiUrl(url), url).toBe(true);
    }
    for (const url of ['/', '/r/abc', '/api/docs', '/api/docs/static/x.js', '/metricsx', '/apix']) {
      expect(isApiUrl(url), url).toBe(false);
    }
  });
});

describe('HSTS', () => {
  let tls: { cert: Buffer; key: Buffer };
  beforeAll(() => {
    // A self-signed certificate for 127.0.0.1, made fresh for this run (openssl).
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-tls-'));
    const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    tls = { cert: readFileSync(cert), key: readFileSync(key) };
  });

  function get(
    url: string,
    ca: Buffer,
  ): Promise<{ status: number; headers: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      https
        .get(url, { ca }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        })
        .on('error', reject);
    });
  }

  it('a process serving TLS itself sends Strict-Transport-Security (180 days or more) on every answer, and upgrades insecure requests', async () => {
    t = await testApp({ config: { tls, webDistDir: webDist() } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    for (const url of ['/', '/api/health', '/api/auth/me', '/api/nope']) {
      const res = await get(`https://127.0.0.1:${port}${url}`, tls.cert);
      const hsts = String(res.headers['strict-transport-security']);
      const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1]);
      expect(maxAge, `${url}: ${hsts}`).toBeGreaterThanOrEqual(180 * 24 * 3600);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    const csp = directives(
      String(
        (await get(`https://127.0.0.1:${port}/`, tls.cert)).headers['content-security-policy'],
      ),
    );
    expect(csp.has('upgrade-insecure-requests')).toBe(true);
  });

  it('plain HTTP sends no HSTS (a LAN install without TLS must stay reachable)', async () => {
    t = await testApp({ config: { webDistDir: webDist() } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    for (const url of ['/', '/api/health']) {
      const res = await fetch(`http://127.0.0.1:${port}${url}`);
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });
});

describe('CORS', () => {
  const ALLOWED = 'https://meet.example.org';
  // Look-alikes of the allowed origin: another host, scheme, port, a suffix or a subdomain.
  const STRANGERS = [
    'https://evil.example',
    'https://meet.example.org.evil.example',
    'https://evilmeet.example.org',
    'https://sub.meet.example.org',
    'http://meet.example.org',
    'https://meet.example.org:8443',
    'null',
  ];

  const preflight = (app: TestApp, origin: string) =>
    app.app.inject({
      method: 'OPTIONS',
      url: '/api/rooms',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
  const simple = (app: TestApp, origin: string) =>
    app.app.inject({ method: 'GET', url: '/api/health', headers: { origin } });

  function expectNotGranted(res: { headers: Record<string, unknown> }, origin: string) {
    expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
    expect(res.headers['access-control-allow-credentials'], origin).toBeUndefined();
    // (A preflight answer without Access-Control-Allow-Origin fails in the browser, whatever
    // else it lists: @fastify/cors still names the methods.)
  }

  it('with no origins configured, no other origin is granted anything, preflight or not', async () => {
    t = await testApp();
    for (const origin of [ALLOWED, ...STRANGERS]) {
      const pre = await preflight(t, origin);
      expectNotGranted(pre, origin);
      // No CORS at all: a preflight finds no route, in the documented error shape.
      expect(pre.statusCode, origin).toBe(404);
      expect(pre.json().error.code, origin).toBe('NOT_FOUND');
      expectNotGranted(await simple(t, origin), origin);
    }
  });

  it('a configured origin is granted exactly (no credentials); look-alikes are refused', async () => {
    t = await testApp({ config: { corsOrigins: [ALLOWED] } });
    const ok = await preflight(t, ALLOWED);
    expect(ok.statusCode).toBeLessThan(300);
    expect(ok.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(String(ok.headers['access-control-allow-methods'])).toContain('POST');
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
    const get = await simple(t, ALLOWED);
    expect(get.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(String(get.headers['vary'])).toMatch(/origin/i);
    for (const origin of STRANGERS) {
      expectNotGranted(await preflight(t, origin), origin);
      expectNotGranted(await simple(t, origin), origin);
    }
  });
});

describe('the socket and Origin', () => {
  const refusal = async (origin: string) => {
    const res = await s!.open({ origin }).catch((e: unknown) => e);
    return res instanceof UpgradeRefused ? res.status : 'opened';
  };

  it('refuses look-alikes of the allowed origins with 403 at the upgrade, and accepts the allowed ones', async () => {
    // PUBLIC_URL is http://parley.test in tests.
    s = await SignalingServer.start({ corsOrigins: ['https://meet.example.org'] });
    for (const origin of [
      'http://parley.test.evil.example',
      'http://sub.parley.test',
      'https://parley.test',
      'http://parley.test:8080',
      'https://meet.example.org.evil.example',
      'http://meet.example.org',
      'file://',
    ]) {
      expect(await refusal(origin), origin).toBe(403);
    }
    const guest = await s.guest();
    for (const origin of ['http://parley.test', 'https://meet.example.org', s.origin]) {
      const c = await s.open({ origin });
      expect((await c.hello(guest.token)).userId, origin).toBe(guest.id);
    }
  });

  it('a client sending no Origin (not a browser) gets the upgrade, and is then admitted by its hello token only (PROTOCOL.md 1.2)', async () => {
    s = await SignalingServer.start();
    const bare = await s.open();
    bare.send({ type: 'hello', token: 'not-a-token', protocolVersion: PROTOCOL_VERSION });
    expect(await bare.next('error')).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(await bare.whenClosed()).toEqual({ code: 4002, reason: 'INVALID_TOKEN' });
    const guest = await s.guest();
    const bot = await s.open();
    expect((await bot.hello(guest.token)).userId).toBe(guest.id);
  });
});
