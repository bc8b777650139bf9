import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorCode } from '@parley/protocol';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { VERSION } from '../version.js';
import { clientKey } from './client-key.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { registerErrorHandling } from './http-errors.js';
import { RATE_LIMIT_WINDOW_MS, liveRateLimitStore } from './http-rate-store.js';
import { registerJsonBody } from './json-body.js';
import { clientAddress } from './trust-proxy.js';
import { fastSerializerCompiler } from './response-serializer.js';
import type { LiveState } from './live/index.js';
import type { Metrics } from './metrics.js';

/** Helmet's options: one policy for pages, assets and JSON answers alike. */
export function helmetOptions(config: Pick<Config, 'tls'>): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        // Watch-together plays a video URL the host chose, from any web server.
        mediaSrc: ["'self'", 'blob:', 'https:', 'http:'],
        // …or a YouTube embed, driven by postMessage: no third-party script is allowed in.
        frameSrc: ['https://www.youtube-nocookie.com', 'https://www.youtube.com'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        // Upgrading would break plain-HTTP use on a LAN; set only when serving HTTPS.
        upgradeInsecureRequests: config.tls ? [] : null,
      },
    },
    // HSTS only makes sense when this process terminates TLS itself.
    strictTransportSecurity: config.tls ? { maxAge: 15552000, includeSubDomains: false } : false,
  };
}

/**
 * The headers helmet sets for these options, read once from a throwaway instance: helmet
 * itself stays the source of its defaults, at a cost of one request at startup.
 */
export async function helmetHeaders(
  options: FastifyHelmetOptions,
): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, options);
  probe.get('/', () => '');
  const res = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const own = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (!own.has(name) && typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/**
 * Security headers of an API answer (JSON, or /metrics' text), after OWASP's REST cheat
 * sheet: no content may load or run, no framing, no sniffing, no referrer, same-origin
 * reads only; HSTS as on pages (taken from them). The page-only ones (COOP,
 * Origin-Agent-Cluster, the X-DNS-Prefetch / X-Download / X-XSS relics) mean nothing to a
 * fetch.
 */
export function apiSecurityHeaders(page: Record<string, string>): Record<string, string> {
  const hsts = page['strict-transport-security'];
  return {
    'content-security-policy':
      "default-src 'none'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    ...(hsts ? { 'strict-transport-security': hsts } : {}),
  };
}

/** `/api/…` and `/metrics` answer with data; `/api/docs` is a page (the API browser). */
export function isApiUrl(url: string): boolean {
  return url.startsWith('/api/')
    ? !url.startsWith('/api/docs')
    : url === '/metrics' || url.startsWith('/metrics?');
}

/**
 * What a request that skips Fastify's routing must still get from it: the socket
 * upgrade's direct path (signaling/routes.ts) takes the caller's address and counts the
 * request as Fastify would have.
 */
export type RequestGate = {
  /** The caller's address, as `req.ip` gives it (TRUST_PROXY). */
  clientIp(req: IncomingMessage): string | undefined;
  /** Counts one request of `ip` against the shared rate limit; false once past it. */
  withinRateLimit(ip: string): Promise<boolean>;
};

/**
 * Everything every request passes through before a module sees it: JSON-only bodies and
 * schemas, the caller's context for the audit log (`req.context`), the request id, the duration histogram,
 * the error shape, security headers, CORS, the shared rate limit and the OpenAPI document.
 */
export async function registerHttpPlumbing(
  app: FastifyInstance,
  deps: {
    config: Config;
    live: LiveState;
    clock: Clock;
    metrics: Metrics;
    /** Tests: every answer is written by zod too and compared (response-serializer.ts). */
    checkResponses?: boolean;
  },
): Promise<RequestGate> {
  const { config, live, clock, metrics } = deps;
  // JSON only: without this, text/plain bodies reach the schema as strings.
  app.removeContentTypeParser('text/plain');
  registerJsonBody(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(fastSerializerCompiler({ checked: deps.checkResponses ?? false }));
  app.decorateRequest('user', null);
  // Who is calling, for the audit log: made when a route first asks (auth/hook.ts callerOf)
  // and handed to the services that record.
  app.decorateRequest('context', null);
  // Helmet's headers never depend on the request: computed once here and set in this hook
  // (@fastify/helmet 13 rebuilds its middleware on every request, ~10 % of /api/health).
  // API answers get the short API set: the page set is ~800 bytes (most of each answer's
  // headers) that a browser never applies to JSON.
  const securityHeaders = await helmetHeaders(helmetOptions(config));
  const apiHeaders = apiSecurityHeaders(securityHeaders);
  app.addHook('onRequest', (req, reply, done) => {
    // A WebSocket upgrade's handshake is written by `ws`, never from this reply; a refused
    // upgrade (403, 503) is, and carries the request id like any answer.
    if (req.headers.upgrade === undefined) {
      reply.headers(isApiUrl(req.url) ? apiHeaders : securityHeaders);
    }
    reply.header('x-request-id', req.id);
    done();
  });
  // By route pattern, never the raw URL: ids and invite tokens in paths must not become labels.
  app.addHook('onResponse', (req, reply, done) => {
    metrics.httpDuration.observe(
      req.method,
      req.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  registerErrorHandling(app);

  // Same-origin needs no CORS; only explicitly configured origins get access. With none,
  // the plugin is left out: its hook would run for every request to grant nothing (a
  // preflight is then a 404, as it was).
  if (config.corsOrigins.length) {
    await app.register(cors, {
      origin: config.corsOrigins,
      credentials: false,
      methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    });
  }
  // The plugin appends its check after a route's own onRequest hooks, so a request that
  // `authenticate` refuses was never counted: lift the route's hooks off before the plugin
  // sees the route and put them back after its check.
  const ownOnRequest = Symbol('route onRequest');
  type WithOwn = { onRequest?: unknown; [ownOnRequest]?: unknown };
  app.addHook('onRoute', (r) => {
    const route = r as unknown as WithOwn;
    route[ownOnRequest] = route.onRequest;
    route.onRequest = undefined;
  });
  // Counted in the live state: with Redis, one limit for every process together.
  const counts = liveRateLimitStore(live, clock);
  await app.register(rateLimit, {
    global: true,
    store: counts.Store,
    // Per caller, not per address: an IPv6 /64 is one caller (platform/client-key.ts).
    keyGenerator: (req) => clientKey(req.ip),
    max: config.rateLimitMax,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    // Thrown into the error handler, which renders the documented shape.
    errorResponseBuilder: (_req, ctx) =>
      new AppError(ErrorCode.RATE_LIMITED, 429, 'Too many requests. Slow down and try again.', {
        retryAfterSeconds: Math.ceil(ctx.ttl / 1000),
      }),
  });
  app.addHook('onRoute', (r) => {
    const route = r as unknown as WithOwn;
    const own = [route[ownOnRequest] ?? []].flat();
    route.onRequest = [[route.onRequest ?? []].flat(), own].flat();
    delete route[ownOnRequest];
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley API',
        version: VERSION,
        description: 'Self-hosted video calling. Errors always use the ErrorResponse shape.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  return {
    clientIp: clientAddress(config.trustProxy),
    // The plugin refuses once the count is past the maximum (`current > max`).
    withinRateLimit: async (ip) => (await counts.countShared(clientKey(ip))) <= config.rateLimitMax,
  };
}
