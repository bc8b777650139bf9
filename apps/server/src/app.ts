import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorCode } from '@parley/protocol';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { createAuthenticate } from './platform/auth/hook.js';
import { createTokenService } from './platform/auth/tokens.js';
import type { Bus } from './platform/bus/bus.js';
import { createMemoryBus } from './platform/bus/memory.js';
import type { Clock } from './platform/clock.js';
import { systemClock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import type { DbHandle } from './platform/db/database.js';
import { AppError } from './platform/errors.js';
import { errorBody, registerErrorHandling } from './platform/http-errors.js';
import { createMemoryAttemptLimiter } from './platform/throttle.js';
import { createRefreshTokensRepo } from './modules/auth/refresh-repo.js';
import { authRoutes } from './modules/auth/routes.js';
import { createAuthService } from './modules/auth/service.js';
import type { AuthService } from './modules/auth/service.js';
import { createInvitesService } from './modules/rooms/invites.js';
import { createRoomsRepo } from './modules/rooms/repo.js';
import { roomRoutes } from './modules/rooms/routes.js';
import { createRoomsService } from './modules/rooms/service.js';
import type { RoomsService } from './modules/rooms/service.js';
import { createChatRepo } from './modules/chat/repo.js';
import { chatRoutes } from './modules/chat/routes.js';
import { createChatService } from './modules/chat/service.js';
import type { ChatService } from './modules/chat/service.js';
import { createPlaybackService } from './modules/playback/service.js';
import type { PlaybackService } from './modules/playback/service.js';
import { createMemoryPlaybackStore } from './modules/playback/store.js';
import { registerSignaling } from './modules/signaling/routes.js';
import { bearerToken } from './platform/auth/hook.js';
import { createMemoryRoster } from './platform/roster.js';
import { iceRoutes } from './modules/ice/routes.js';
import { opsRoutes } from './modules/ops/routes.js';
import { createUsersRepo } from './modules/users/repo.js';
import { VERSION } from './version.js';

export type AppDeps = {
  db: DbHandle;
  bus?: Bus;
  clock?: Clock;
};

export type Parley = {
  app: FastifyInstance;
  services: {
    auth: AuthService;
    rooms: RoomsService;
    chat: ChatService;
    playback: PlaybackService;
  };
  routes: readonly { method: string; url: string }[];
  /** Closes the HTTP server, then the bus and the database. */
  close(): Promise<void>;
};

/** JSON APIs never need large bodies; a small limit bounds memory per request. */
const BODY_LIMIT = 64 * 1024;

/**
 * Builds the whole application without side effects: no listening, no migrations.
 * main.ts and the tests both start from here.
 */
export async function buildApp(config: Config, deps: AppDeps): Promise<Parley> {
  const clock = deps.clock ?? systemClock;
  const bus = deps.bus ?? createMemoryBus();
  const { db } = deps;

  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            redact: [
              'req.headers.authorization',
              'req.headers.cookie',
              '*.password',
              '*.refreshToken',
            ],
          },
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT,
    // Invite tokens (signed JWTs) travel as a path parameter.
    routerOptions: { maxParamLength: 2048 },
    ...(config.tls ? { https: { cert: config.tls.cert, key: config.tls.key } } : {}),
  }) as unknown as FastifyInstance;

  // Every route, for the OpenAPI coverage and authorization tests.
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  // JSON only: without this, text/plain bodies reach the schema as strings.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('user', null);
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });
  registerErrorHandling(app);

  await app.register(helmet, {
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
  });
  await app.register(cors, {
    // Same-origin needs no CORS; only explicitly configured origins get access.
    origin: config.corsOrigins.length ? config.corsOrigins : false,
    credentials: false,
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitMax,
    timeWindow: '1 minute',
    // Thrown into the error handler, which renders the documented shape.
    errorResponseBuilder: (_req, ctx) =>
      new AppError(ErrorCode.RATE_LIMITED, 429, 'Too many requests. Slow down and try again.', {
        retryAfterSeconds: Math.ceil(ctx.ttl / 1000),
      }),
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

  const users = createUsersRepo(db.db);
  const tokens = createTokenService(config.jwtSecret);
  const auth = createAuthService({
    users,
    refreshTokens: createRefreshTokensRepo(db.db),
    tokens,
    clock,
    scryptCost: config.scryptCost,
    accountLimiter: createMemoryAttemptLimiter(
      config.loginThrottle.perAccount,
      config.loginThrottle.windowMs,
      clock,
    ),
    ipLimiter: createMemoryAttemptLimiter(
      config.loginThrottle.perIp,
      config.loginThrottle.windowMs,
      clock,
    ),
  });
  const authenticate = createAuthenticate((token) => auth.userForAccessToken(token));
  const roster = createMemoryRoster();
  const window15m = 15 * 60_000;
  const rooms = createRoomsService({
    db: db.db,
    repo: createRoomsRepo(db.dialect),
    bus,
    roster,
    clock,
    scryptCost: config.scryptCost,
    passwordLimiter: {
      perUser: createMemoryAttemptLimiter(10, window15m, clock),
      perIp: createMemoryAttemptLimiter(30, window15m, clock),
    },
    lookupLimiter: createMemoryAttemptLimiter(60, window15m, clock),
    emptyTimeoutMs: config.rooms.emptyTimeoutMs,
  });
  const invites = createInvitesService({
    db: db.db,
    repo: createRoomsRepo(db.dialect),
    rooms,
    clock,
    secret: config.jwtSecret,
    startSession: (user) => auth.startSession(user),
  });

  const chat = createChatService({ db: db.db, repo: createChatRepo(), rooms, clock });
  const playback = createPlaybackService({
    store: createMemoryPlaybackStore(),
    clock,
    roleOf: (roomId, userId) => rooms.gate.roleOf(roomId, userId),
  });

  await app.register(
    async (api) => {
      await api.register(opsRoutes({ db, bus, version: VERSION }));
      await api.register(
        authRoutes({
          auth,
          authenticate,
          authRateLimit: Math.max(10, Math.floor(config.rateLimitMax / 20)),
        }),
        {
          prefix: '/auth',
        },
      );
      await api.register(
        roomRoutes({
          rooms,
          invites,
          authenticate,
          optionalUser: async (req) => {
            const token = bearerToken(req);
            return token ? auth.userForAccessToken(token) : null;
          },
          publicUrl: config.publicUrl,
          joinRateLimit: Math.max(20, Math.floor(config.rateLimitMax / 10)),
        }),
      );
      await api.register(chatRoutes({ chat, authenticate }));
      await api.register(iceRoutes({ turn: config.turn, clock, authenticate }));
      api.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    },
    { prefix: '/api' },
  );

  const signaling = await registerSignaling(app, {
    bus,
    roster,
    gate: rooms.gate,
    chat,
    playback,
    clock,
    userForToken: (token) => auth.userForAccessToken(token),
    allowedOrigins: [
      ...config.corsOrigins,
      ...(config.publicUrl ? [new URL(config.publicUrl).origin] : []),
    ],
    ws: config.ws,
  });

  registerWeb(app, config.webDistDir);

  // Rooms nobody has been connected to for a while are closed; unref'd so it never holds the process.
  const cleanup = setInterval(() => {
    rooms.closeAbandoned().catch((err: unknown) => app.log.error({ err }, 'room cleanup failed'));
  }, config.rooms.cleanupIntervalMs);
  cleanup.unref();

  return {
    app,
    services: { auth, rooms, chat, playback },
    routes,
    async close() {
      clearInterval(cleanup);
      await signaling.close();
      await app.close();
      await bus.close();
      await db.close();
    },
  };
}

/** Serves the built web app with a SPA fallback; /api and /ws never fall back to HTML. */
function registerWeb(app: FastifyInstance, distDir: string): void {
  const hasWeb = existsSync(path.join(distDir, 'index.html'));
  if (hasWeb) {
    void app.register(fastifyStatic, { root: distDir, wildcard: false, index: 'index.html' });
  }
  app.setNotFoundHandler((req, reply) => {
    const isApi = req.url.startsWith('/api/') || req.url === '/api' || req.url.startsWith('/ws');
    if (!isApi && hasWeb && req.method === 'GET' && req.headers.accept?.includes('text/html')) {
      return reply.type('text/html').sendFile('index.html');
    }
    const message =
      !isApi && !hasWeb ? 'The web app is not built. Run `npm run build`.' : 'Not found.';
    return reply.code(404).send(errorBody(req, ErrorCode.NOT_FOUND, message));
  });
}
