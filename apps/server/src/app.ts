import { randomUUID } from 'node:crypto';
import { WS_LIMITS } from '@parley/protocol';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { createAuthenticate } from './platform/auth/hook.js';
import { createTokenService } from './platform/auth/tokens.js';
import type { Clock, Timers } from './platform/clock.js';
import { systemClock, systemTimers } from './platform/clock.js';
import type { LiveState } from './platform/live/index.js';
import type { Config } from './platform/config.js';
import type { DbHandle } from './platform/db/database.js';
import { httpServerOptions } from './platform/http-limits.js';
import { lazyRequestLogger, loggerOptions, registerAccessLog } from './platform/logger.js';
import { linkOrigin } from './platform/link-origin.js';
import type { LogStream } from './platform/logger.js';
import {
  auditEmailKey,
  authRoutes,
  createAuthService,
  createLoginThrottle,
  createRefreshTokensRepo,
} from './modules/auth/index.js';
import type { AuthService } from './modules/auth/index.js';
import {
  createInvitesService,
  createRoomsRepo,
  createRoomsService,
  roomRoutes,
} from './modules/rooms/index.js';
import type { RoomsService } from './modules/rooms/index.js';
import { CHAT_RATES, chatRoutes, createChatRepo, createChatService } from './modules/chat/index.js';
import type { ChatService } from './modules/chat/index.js';
import { createPlaybackService } from './modules/playback/index.js';
import type { PlaybackService } from './modules/playback/index.js';
import { registerSignaling } from './modules/signaling/index.js';
import { bearerToken } from './platform/auth/hook.js';
import { iceRoutes } from './modules/ice/index.js';
import {
  SAMPLE_INTERVAL_MS,
  createExposition,
  createLinkTally,
  createLiveReadings,
  createSampler,
  metricsRoutes,
  metricsSummaryRoutes,
  opsRoutes,
} from './modules/ops/index.js';
import type { Exposition } from './modules/ops/index.js';
import {
  adminUserRoutes,
  createUserDirectory,
  createUsersRepo,
  createUsersService,
} from './modules/users/index.js';
import { adminRoutes, createAdminService } from './modules/admin/index.js';
import { callRoutes, createCallsService } from './modules/calls/index.js';
import type { CallsService } from './modules/calls/index.js';
import { contactRoutes, createContactsService } from './modules/contacts/index.js';
import {
  appointmentRoutes,
  createAppointmentsService,
  paymentWebhookRoutes,
} from './modules/appointments/index.js';
import type { AppointmentsService } from './modules/appointments/index.js';
import type { ContactsService } from './modules/contacts/index.js';
import {
  AUDIT_FLOOD_LIMIT,
  PURGE_INTERVAL_MS,
  auditRoutes,
  createAuditLog,
  createAuditPurge,
} from './modules/audit/index.js';
import type { AuditLog } from './platform/audit.js';
import {
  createGuestGate,
  createSettingsService,
  settingsRoutes,
} from './modules/settings/index.js';
import type { SettingsService } from './modules/settings/index.js';
import { createMetrics } from './platform/metrics.js';
import type { Metrics } from './platform/metrics.js';
import { settingsFromConfig } from './platform/settings.js';
import { QUOTA_HOUR_MS, QUOTA_LIMITER_CEILING } from './platform/quota.js';
import { registerHttpPlumbing } from './platform/http-plumbing.js';
import { makeLiveState } from './platform/live/from-config.js';
import { repeat } from './platform/repeat.js';
import { registerWeb } from './platform/web.js';
import { VERSION } from './version.js';

export type AppDeps = {
  db: DbHandle;
  /**
   * Every piece of shared live state (bus, roster, limiters, locks, deadlines, stores).
   * Default: a fresh in-memory one, closed with the app. One passed in belongs to the
   * caller (tests give two apps the same one to play two processes).
   */
  live?: LiveState;
  clock?: Clock;
  timers?: Timers;
  /** Owner of this process's roster entries; random by default. */
  processId?: string;
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: LogStream;
  /**
   * Tests: every answer is serialized by zod too and must come out the same
   * (platform/response-serializer.ts), so a value of the wrong type fails the test.
   */
  checkResponses?: boolean;
};

export type Parley = {
  app: FastifyInstance;
  services: {
    auth: AuthService;
    rooms: RoomsService;
    chat: ChatService;
    playback: PlaybackService;
    contacts: ContactsService;
    calls: CallsService;
    appointments: AppointmentsService;
    settings: SettingsService;
    audit: AuditLog;
  };
  metrics: Metrics;
  /** The Prometheus text of `metrics` (live gauges read first): `/metrics`, METRICS_PORT. */
  exposition: Exposition;
  live: LiveState;
  processId: string;
  routes: readonly { method: string; url: string }[];
  /** Closes the HTTP server, then the live state (if the app made it) and the database. */
  close(): Promise<void>;
};

/** JSON APIs never need large bodies; a small limit bounds memory per request. */
const BODY_LIMIT = 64 * 1024;

/**
 * Builds the whole application: no listening, no migrations (it connects to Redis when
 * REDIS_URL is set, and fails here if Redis cannot be reached).
 * main.ts and the tests both start from here.
 */
export async function buildApp(config: Config, deps: AppDeps): Promise<Parley> {
  const clock = deps.clock ?? systemClock;
  const timers = deps.timers ?? systemTimers;
  const processId = deps.processId ?? randomUUID();
  const { db } = deps;

  const limits = httpServerOptions(config.http);
  const app = Fastify({
    // Invite codes in URLs are redacted (platform/logger.ts).
    logger: config.logLevel === 'silent' ? false : loggerOptions(config.logLevel, deps.logStream),
    // platform/logger.ts logs requests instead, by default only failed and slow ones.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT,
    // Invite tokens (signed JWTs) travel as a path parameter.
    routerOptions: { maxParamLength: 2048 },
    connectionTimeout: limits.connectionTimeout,
    keepAliveTimeout: limits.keepAliveTimeout,
    requestTimeout: limits.requestTimeout,
    http: limits.node,
    ...(config.tls
      ? { https: { cert: config.tls.cert, key: config.tls.key, ...limits.node } }
      : {}),
  }) as unknown as FastifyInstance;

  const live = deps.live ?? (await makeLiveState(config, clock, app.log));

  // Every route, for the OpenAPI coverage and authorization tests.
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  registerAccessLog(app, config.logRequests ?? 'errors', config.slowRequestMs);
  const metrics = createMetrics({ defaultMetrics: config.metrics.defaultMetrics });
  const requestGate = await registerHttpPlumbing(app, {
    config,
    live,
    clock,
    metrics,
    checkResponses: deps.checkResponses ?? false,
  });

  const { bus } = live;
  const audit = createAuditLog({
    db: db.db,
    clock,
    metrics,
    log: app.log,
    // Anonymous entries and refusals: a burst per type and caller, then one a minute.
    flood: live.rates('audit-flood', AUDIT_FLOOD_LIMIT),
  });
  const settings = createSettingsService({
    db: db.db,
    dialect: db.dialect,
    bus,
    clock,
    audit,
    seed: settingsFromConfig(config),
  });
  await settings.load();
  // Guest access and guests per IP per hour, for both ways a guest account is made.
  const admitGuest = createGuestGate({
    settings,
    limiter: live.attempts('quota-guests-ip', {
      limit: QUOTA_LIMITER_CEILING,
      windowMs: QUOTA_HOUR_MS,
    }),
    audit,
  });
  const users = createUsersRepo(db.db);
  const tokens = createTokenService(config.jwtSecret, config.accessTokenTtlSeconds);
  const auth = createAuthService({
    auditEmailKey: auditEmailKey(config.jwtSecret),
    users,
    refreshTokens: createRefreshTokensRepo(db.db),
    tokens,
    clock,
    scryptCost: config.scryptCost,
    bus,
    audit,
    settings,
    admitGuest,
    // Late-bound: invites need the rooms service, which needs auth's hook first.
    registerWithInvite: (token, create, origin) =>
      invites.useForRegistration(token, create, origin),
    loginThrottle: createLoginThrottle(live, config.loginThrottle),
  });
  const authenticate = createAuthenticate((token) => auth.userForAccessToken(token));
  const window15m = 15 * 60_000;
  const rooms = createRoomsService({
    db: db.db,
    repo: createRoomsRepo(db.dialect),
    bus,
    roster: live.roster,
    locks: live.locks,
    spotlights: live.store('spotlight'),
    clock,
    scryptCost: config.scryptCost,
    passwordLimiter: {
      perUser: live.attempts('room-password-user', { limit: 10, windowMs: window15m }),
      perIp: live.attempts('room-password-ip', { limit: 30, windowMs: window15m }),
    },
    lookupLimiter: live.attempts('room-lookup-ip', { limit: 60, windowMs: window15m }),
    emptyTimeoutMs: config.rooms.emptyTimeoutMs,
    createdLimiter: live.attempts('quota-rooms-created', {
      limit: QUOTA_LIMITER_CEILING,
      windowMs: QUOTA_HOUR_MS,
    }),
    audit,
    settings,
    // Late-bound: appointments need the rooms service to exist first.
    appointmentAccess: (roomId, user, intent) => appointments.roomAccess(roomId, user, intent),
  });
  const invites = createInvitesService({
    db: db.db,
    repo: createRoomsRepo(db.dialect),
    rooms,
    clock,
    startSession: (user) => auth.startSession(user),
    audit,
    admitGuest,
    lookupLimiter: live.attempts('invite-lookup-ip', { limit: 30, windowMs: window15m }),
  });

  const chat = createChatService({
    db: db.db,
    repo: createChatRepo(db.dialect),
    rooms,
    clock,
    // CHAT_SEND_PER_SECOND / CHAT_SEND_BURST; the protocol's defaults when unset (tests).
    sendLimiter: live.rates(
      'chat-send',
      config.chat
        ? { burst: config.chat.sendBurst, perSecond: config.chat.sendPerSecond }
        : CHAT_RATES.send,
    ),
    typingLimiter: live.rates('chat-typing', CHAT_RATES.typing),
  });
  const playback = createPlaybackService({
    store: live.store('playback'),
    bus,
    clock,
    roleOf: (roomId, userId) => rooms.gate.roleOf(roomId, userId),
  });

  // ---- direct calls, contacts, presence (issue 11) ----
  const contacts = createContactsService({
    db: db.db,
    bus,
    roster: live.roster,
    locks: live.locks,
    clock,
    searchLimiter: live.rates('user-search', { burst: 10, perSecond: 1 }),
  });
  const calls = createCallsService({
    db: db.db,
    bus,
    clock,
    ringDeadlines: live.deadlines('call-ring'),
    people: {
      async find(userId) {
        const u = await users.findById(userId);
        return u && !u.disabledAt
          ? { id: u.id, displayName: u.displayName, isGuest: u.isGuest }
          : undefined;
      },
      hasBlocked: (ownerId, otherId) => contacts.hasBlocked(ownerId, otherId),
      doNotDisturb: (userId) => contacts.doNotDisturb(userId),
    },
    rooms: rooms.direct,
    timing: config.calls,
    audit,
    metrics,
    settings,
    onError: (err, step) => app.log.error({ err, step }, 'direct call step failed after commit'),
  });

  // ---- appointments (issue 12) ----
  const appointments = createAppointmentsService({
    db: db.db,
    dialect: db.dialect,
    bus,
    clock,
    people: {
      async find(userId) {
        const u = await users.findById(userId);
        return u && !u.disabledAt
          ? { id: u.id, displayName: u.displayName, isGuest: u.isGuest, role: u.role }
          : undefined;
      },
    },
    rooms: rooms.appointment,
    config: config.appointments,
    audit,
    metrics,
    settings,
    webhookSecret: config.paymentWebhookSecret,
    publicUrl: config.publicUrl,
    onError: (err, step) => app.log.error({ err, step }, 'appointment step failed after commit'),
  });

  // ---- metrics (issue 13): live gauges read when asked, the admin chart's samples ----
  const readings = createLiveReadings({ metrics, roster: live.roster, timers, log: app.log });
  const exposition = createExposition(metrics, readings);
  const sampler = createSampler({ db: db.db, clock, readings });

  await app.register(
    async (api) => {
      await api.register(opsRoutes({ db, live, version: VERSION, clock }));
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
          linkOrigin: (req) => linkOrigin(req, config),
          joinRateLimit: Math.max(20, Math.floor(config.rateLimitMax / 10)),
        }),
      );
      await api.register(chatRoutes({ chat, authenticate }));
      await api.register(
        iceRoutes({
          turn: config.turn,
          clock,
          authenticate,
          guestHasRoom: (user) => rooms.hasStanding(user.id),
          metrics,
        }),
      );
      await api.register(
        adminUserRoutes({
          users: createUsersService({
            users,
            bus: live.bus,
            clock,
            audit,
            revokeSessions: (userId) => auth.revokeAllSessions(userId),
            createAccount: (input) => auth.createAccount(input),
          }),
          directory: createUserDirectory({ db: db.db, roster: live.roster, clock }),
          authenticate,
        }),
      );
      await api.register(contactRoutes({ contacts, authenticate }));
      await api.register(callRoutes({ calls, authenticate }));
      await api.register(
        appointmentRoutes({
          appointments,
          authenticate,
          linkOrigin: (req) => linkOrigin(req, config),
        }),
      );
      await api.register(paymentWebhookRoutes({ appointments, audit }));
      // ---- operations (issue 13): metrics summary, audit, settings, admin lists ----
      await api.register(
        metricsSummaryRoutes({
          db: db.db,
          clock,
          links: createLinkTally({ live, clock }),
          readings,
          sampler,
          authenticate,
        }),
      );
      await api.register(
        adminRoutes({
          admin: createAdminService({
            db: db.db,
            roster: live.roster,
            closeRoom: (roomId, actorId, origin) =>
              rooms.close(roomId, 'ended', actorId, origin, { by: 'admin' }),
          }),
          authenticate,
        }),
      );
      await api.register(settingsRoutes({ settings, authenticate }));
      await api.register(auditRoutes({ db: db.db, authenticate }));
      api.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    },
    { prefix: '/api' },
  );
  await app.register(
    metricsRoutes({
      exposition,
      authenticate,
      token: config.metrics.token,
      elsewhere: config.metrics.port !== undefined,
    }),
  );

  const signaling = registerSignaling(
    app,
    {
      live,
      processId,
      gate: rooms.gate,
      chat,
      playback,
      calls: calls.roomCalls,
      appointments: appointments.attendance,
      presence: contacts.presence,
      metrics,
      audit,
      clock,
      timers,
      sessionForToken: (token) => auth.sessionForAccessToken(token),
      allowedOrigins: [
        ...config.corsOrigins,
        ...(config.publicUrl ? [new URL(config.publicUrl).origin] : []),
      ],
      ws: config.ws,
      // WS_MAX_CONNECTIONS_PER_*, WS_MESSAGES_PER_SECOND, WS_MESSAGE_BURST (platform/config.ts).
      limits: {
        maxConnectionsPerIp: config.ws.maxConnectionsPerIp ?? WS_LIMITS.maxConnectionsPerIp,
        maxConnectionsPerUser: config.ws.maxConnectionsPerUser ?? WS_LIMITS.maxConnectionsPerUser,
        messagesPerSecond: config.ws.messagesPerSecond ?? WS_LIMITS.messagesPerSecond,
        messageBurst: config.ws.messageBurst ?? WS_LIMITS.burst,
      },
      liveTiming: config.live,
    },
    requestGate,
  );

  registerWeb(app, config.webDistDir);

  // Rooms nobody has been connected to for a while are closed; unref'd so it never holds the process.
  const cleanup = timers.setInterval(() => {
    rooms.closeAbandoned().catch((err: unknown) => app.log.error({ err }, 'room cleanup failed'));
  }, config.rooms.cleanupIntervalMs);

  // Ring timeouts and the reaper of calls whose parties all vanished; window ends,
  // completions and no-shows of appointments. One pass at a time each.
  const callUpkeep = repeat(
    timers,
    config.calls.reapIntervalMs,
    () => calls.tick(),
    (err) => app.log.error({ err }, 'call upkeep failed'),
  );
  const appointmentUpkeep = repeat(
    timers,
    config.appointments.upkeepIntervalMs,
    () => appointments.tick(),
    (err) => app.log.error({ err }, 'appointment upkeep failed'),
  );

  // Audit entries past the retention setting go; hourly, see PURGE_INTERVAL_MS.
  const purgeAudit = createAuditPurge({ db: db.db, clock, settings });
  const auditPurge = repeat(
    timers,
    PURGE_INTERVAL_MS,
    async () => void (await purgeAudit()),
    (err) => app.log.error({ err }, 'audit purge failed'),
  );

  // One row a minute for the admin page's chart (the first process to write a minute wins),
  // the first at start, so a fresh server's chart is not empty for its first minute.
  const sampling = repeat(
    timers,
    SAMPLE_INTERVAL_MS,
    () => sampler.sample(),
    (err) => app.log.error({ err }, 'metrics sample failed'),
    { atStart: true },
  );

  // The bus tells every process about a settings change at once; this catches up one that
  // missed the event (Redis away for a moment).
  const settingsRefresh = repeat(
    timers,
    30_000,
    () => settings.load(),
    (err) => app.log.error({ err }, 'settings reload failed'),
  );

  return {
    app,
    services: { auth, rooms, chat, playback, contacts, calls, appointments, settings, audit },
    metrics,
    exposition,
    live,
    processId,
    routes,
    async close() {
      timers.clear(cleanup);
      await callUpkeep.stop();
      await appointmentUpkeep.stop();
      await settingsRefresh.stop();
      await sampling.stop();
      await auditPurge.stop();
      playback.close();
      settings.close();
      await signaling.close();
      await app.close();
      if (!deps.live) await live.close();
      await db.close();
    },
  };
}
