import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CHAT_LIMITS, WS_LIMITS } from '@parley/protocol';
import { z } from 'zod';
import { TrustProxyEnv } from './trust-proxy.js';
import type { TrustProxy } from './trust-proxy.js';
import type { BackoffLimit } from './live/limits.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './auth/tokens.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A comma-separated list, each entry checked by `item`. */
const commaList = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

const csv = commaList(
  z.url({ message: 'each CORS origin must be a URL like https://meet.example.org' }),
);

/** Comma-separated `stun:`/`stuns:` or `turn:`/`turns:` URLs. */
function iceUrls(scheme: 'stun' | 'turn') {
  return commaList(
    z.string().regex(new RegExp(`^${scheme}s?:[^\\s]+$`), {
      message: `each entry must look like ${scheme}:host:port`,
    }),
  );
}

/** The environment Parley reads. Every variable is documented in the README's table. */
/** A positive whole number up to `max`, with a message naming the bounds. */
function wsLimit(fallback: number, max: number) {
  return z.coerce
    .number({ message: `a whole number from 1 to ${max}` })
    .int({ message: `a whole number from 1 to ${max}` })
    .min(1, { message: `a whole number from 1 to ${max}` })
    .max(max, { message: `a whole number from 1 to ${max}` })
    .default(fallback);
}

/** A whole number from `min` to `max`, with a message naming the bounds (and what it means). */
function wholeNumber(fallback: number, min: number, max: number, meaning = '') {
  const message = `a whole number from ${min} to ${max}${meaning}`;
  return z.coerce
    .number({ message })
    .int({ message })
    .min(min, { message })
    .max(max, { message })
    .default(fallback);
}

/** scrypt's N as log2: 2^14 (16 MiB a hash) to 2^18 (256 MiB a hash, 1 GiB with 4 at once). */
const SCRYPT_LOG_N = { default: 15, min: 14, max: 18 } as const;
const CHAT_RATE_MESSAGE = 'a number from 0.01 to 1000 (0.5 is one message every 2 s)';

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .refine(
      (s) =>
        s === ':memory:' || /^(postgres(ql)?:\/\/|sqlite:|file:)/.test(s) || !s.includes('://'),
      {
        message: 'use postgres://…, a SQLite file path, or :memory:',
      },
    )
    .optional(),
  REDIS_URL: z
    .url()
    .refine((s) => /^rediss?:\/\//.test(s), { message: 'use redis://… or rediss://…' })
    .optional(),
  /** Every key Parley writes in Redis starts with this (several deployments, one Redis). */
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, { message: 'letters, digits, ":", ".", "-", "_" (at most 64)' })
    .default('parley:'),
  /** PostgreSQL connections per process; processes × this must stay under max_connections. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  PUBLIC_URL: z.url().optional(),
  JWT_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  CORS_ORIGINS: csv.default([]),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Which requests get an access-log line: `errors` (4xx, 5xx and slow ones), `all`, `none`.
   * A line per request cost 20–40 % of REST throughput at `info`.
   */
  LOG_REQUESTS: z.enum(['errors', 'all', 'none']).default('errors'),
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  /** `false`, or the proxies' addresses or ranges (`loopback`, `10.0.0.0/8`); never "every hop" nor a hop count. */
  TRUST_PROXY: TrustProxyEnv.default(false),
  /**
   * Slow clients (slowloris): the headers must arrive within this, the whole request within
   * the next, an idle keep-alive connection closes after the third, and a connection with
   * no traffic at all after the last. Upgraded sockets (/ws) have their own heartbeat.
   */
  HTTP_HEADERS_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(20),
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(5),
  HTTP_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  RATE_LIMIT_MAX: z.coerce.number().int().positive().default(600),
  /**
   * Socket limits (PROTOCOL.md 1.3): open sockets per address (an IPv6 /64 is one) and per
   * account, over every process; messages a second per socket and the burst above that.
   * Raise the per-address cap when many people share one address (a company NAT).
   */
  WS_MAX_CONNECTIONS_PER_IP: wsLimit(WS_LIMITS.maxConnectionsPerIp, 1_000_000),
  WS_MAX_CONNECTIONS_PER_USER: wsLimit(WS_LIMITS.maxConnectionsPerUser, 1000),
  WS_MESSAGES_PER_SECOND: wsLimit(WS_LIMITS.messagesPerSecond, 10_000),
  WS_MESSAGE_BURST: wsLimit(WS_LIMITS.burst, 100_000),
  /**
   * Chat messages per user (all tabs, every process): `CHAT_SEND_PER_SECOND` sustained (may
   * be a fraction: 0.5 is one every 2 s) after a burst of `CHAT_SEND_BURST`; past it the
   * send is refused `RATE_LIMITED` and the socket stays. CHAT_LIMITS' values by default.
   */
  CHAT_SEND_PER_SECOND: z.coerce
    .number({ message: CHAT_RATE_MESSAGE })
    .min(0.01, { message: CHAT_RATE_MESSAGE })
    .max(1000, { message: CHAT_RATE_MESSAGE })
    .default(CHAT_LIMITS.sendPerSecond),
  CHAT_SEND_BURST: wsLimit(CHAT_LIMITS.sendBurst, 10_000),
  /**
   * scrypt cost of new password hashes (accounts and room passwords) as log2 of N: 15 is
   * N = 32768. Stored hashes carry their own N, so they verify whatever this says.
   */
  SCRYPT_COST: wholeNumber(
    SCRYPT_LOG_N.default,
    SCRYPT_LOG_N.min,
    SCRYPT_LOG_N.max,
    ` (log2 of scrypt's N: ${SCRYPT_LOG_N.default} means N = ${2 ** SCRYPT_LOG_N.default})`,
  ),
  /** Lifetime of an access token (and the oldest `iat` accepted), seconds. */
  ACCESS_TOKEN_TTL_SECONDS: wholeNumber(ACCESS_TOKEN_TTL_SECONDS, 60, 3600),
  ADMIN_EMAIL: z.string().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  WEB_DIST_DIR: z.string().optional(),
  /**
   * How long an instant meeting ("Start an instant meeting") stays open with nobody in it;
   * the seed of the live setting rooms.emptyRoomMinutes. Other rooms never close by themselves.
   */
  ROOM_EMPTY_TIMEOUT_MINUTES: z.coerce.number().positive().default(60),
  RECONNECT_GRACE_SECONDS: z.coerce.number().min(1).max(3600).default(120),
  CALL_RING_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(300).default(30),
  /** Joining an appointment opens this long before its start and closes this long after it. */
  APPOINTMENT_JOIN_OPENS_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(15),
  APPOINTMENT_JOIN_CLOSES_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(120),
  /** Whether admins may enter appointment calls (the parties always may). */
  APPOINTMENT_ADMINS_MAY_JOIN: bool.default(false),
  /** Shared secret of the payment provider's webhook (HMAC-SHA256); unset: webhook off. */
  PAYMENT_WEBHOOK_SECRET: z
    .string()
    .min(16, { message: 'must be at least 16 characters' })
    .optional(),
  // At least three upkeep ticks (1 s each), so timer jitter alone never lapses a lease.
  LIVE_EXPIRY_SECONDS: z.coerce.number().min(3).max(300).default(30),
  STUN_URLS: iceUrls('stun').default([]),
  TURN_URLS: iceUrls('turn').default([]),
  TURN_SECRET: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  TURN_USERNAME: z.string().min(1).optional(),
  TURN_PASSWORD: z.string().min(1).optional(),
  TURN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  /** First values of the live settings (admins change them later, in the database). */
  REGISTRATION: z.enum(['open', 'invite-only', 'closed']).default('open'),
  GUEST_ACCESS: bool.default(true),
  /** First values of the quotas (live settings too): open rooms a member hosts at once… */
  QUOTA_OPEN_ROOMS_PER_USER: z.coerce.number().int().min(1).max(100_000).default(50),
  /** …rooms a member creates per hour, and guest accounts made from one IP per hour. */
  QUOTA_ROOMS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(60),
  QUOTA_GUESTS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Set: `/metrics` is served on this port only (no token), and not on the main port. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** A static bearer token Prometheus may scrape the main port's `/metrics` with. */
  METRICS_TOKEN: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
});

/** ICE servers handed to browsers (modules/ice turns this into per-user credentials). */
export type TurnConfig = {
  stunUrls: string[];
  turnUrls: string[];
  /** coturn `use-auth-secret` / `static-auth-secret`: short-lived credentials per user. */
  secret: string | undefined;
  /** For TURN servers without the secret scheme: one fixed username/password. */
  staticAuth: { username: string; password: string } | undefined;
  ttlSeconds: number;
};

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  /** Either a PostgreSQL URL or a SQLite file path (or ':memory:'). */
  database:
    | { kind: 'postgres'; url: string; schema?: string; poolSize?: number }
    | { kind: 'sqlite'; file: string };
  /** Set: every process shares its live state through this Redis. Unset: in memory. */
  redis: { url: string; prefix: string } | undefined;
  publicUrl: string | undefined;
  jwtSecret: string;
  corsOrigins: string[];
  logLevel: string;
  /** Access log (platform/logger.ts): `errors` when unset. */
  logRequests?: LogRequests;
  /** A request this slow is logged in `errors` mode; SLOW_REQUEST_MS (1 s) when unset (tests lower it). */
  slowRequestMs?: number;
  tls: { cert: Buffer; key: Buffer } | undefined;
  trustProxy: TrustProxy;
  /**
   * Deadlines of plain HTTP connections (ms): headers, whole request, idle keep-alive, no
   * traffic at all; `checkIntervalMs` is how often Node looks for late requests.
   */
  http: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    idleTimeoutMs: number;
    checkIntervalMs: number;
  };
  rateLimitMax: number;
  admin: { email: string; password: string } | undefined;
  webDistDir: string;
  /** scrypt's N for new hashes (SCRYPT_COST is its log2); tests lower it so suites stay fast. */
  scryptCost: number;
  /** Access-token lifetime in seconds (ACCESS_TOKEN_TTL_SECONDS); 900 when unset (tests). */
  accessTokenTtlSeconds?: number;
  /**
   * Sign-in throttling (modules/auth/login-throttle.ts): `perIp` failures per address in
   * `windowMs`; per address+account a lockout from the `perPair.after`-th failure, doubling
   * up to `perPair.maxMs`; past `accountCeiling` failures on one account in `windowMs` every
   * address loses its free tries on it (slows, never locks the owner out).
   */
  loginThrottle: {
    perIp: number;
    windowMs: number;
    perPair: BackoffLimit;
    accountCeiling: number;
  };
  /** Socket timings; tests shorten them. Defaults come from WS_LIMITS. */
  ws: {
    helloTimeoutMs: number;
    heartbeatIntervalMs: number;
    deadAfterMs: number;
    reconnectGraceMs: number;
    /** Socket limits (WS_MAX_*, WS_MESSAGE*); WS_LIMITS' values when unset (tests). */
    maxConnectionsPerIp?: number;
    maxConnectionsPerUser?: number;
    messagesPerSecond?: number;
    messageBurst?: number;
  };
  rooms: { emptyTimeoutMs: number; cleanupIntervalMs: number };
  /** Chat send rate per user (CHAT_SEND_*); CHAT_LIMITS' values when unset (tests). */
  chat?: { sendPerSecond: number; sendBurst: number };
  /**
   * Direct calls: an unanswered call is `missed` after `ringTimeoutMs`; an accepted call
   * whose room has been empty for `abandonAfterMs` is ended by the reaper, which runs
   * every `reapIntervalMs`.
   */
  calls: { ringTimeoutMs: number; abandonAfterMs: number; reapIntervalMs: number };
  /**
   * Appointments: the join window around the booked start; an appointment call whose room
   * stayed empty for `emptyGraceMs` is over (completed at the moment it emptied); the
   * upkeep (window closes, completions) runs every `upkeepIntervalMs`.
   */
  appointments: {
    opensBeforeMs: number;
    closesAfterMs: number;
    adminsMayJoin: boolean;
    emptyGraceMs: number;
    upkeepIntervalMs: number;
  };
  /** The payment provider's webhook secret; undefined turns the webhook off (503). */
  paymentWebhookSecret: string | undefined;
  /**
   * Live state: a process's roster entries expire `expiryMs` after its last heartbeat
   * (a crashed process's participants leave every roster within it); `tickMs` paces the
   * heartbeat, the expiry sweep, due reconnection graces and token-expiry checks.
   */
  live: { expiryMs: number; tickMs: number };
  turn: TurnConfig;
  /** Seeds of the live settings; the database's values win once an admin saved some. */
  registration: 'open' | 'invite-only' | 'closed';
  guestAccess: boolean;
  /** Seeds of the live quota settings (admins are exempt from the room quotas). */
  quotas: { openRoomsPerUser: number; roomsCreatedPerHour: number; guestsPerIpPerHour: number };
  /**
   * `/metrics`: on its own port (`port` set: main port answers 404), else on the main port
   * for admin tokens or the static `token`. `defaultMetrics`: process metrics (off in tests).
   */
  metrics: {
    port: number | undefined;
    host: string;
    token: string | undefined;
    defaultMetrics: boolean;
  };
};

/** 30 s after five failures from one address on one account, then 1, 2, 4 … 15 minutes. */
export const LOGIN_THROTTLE: Config['loginThrottle'] = {
  perIp: 30,
  windowMs: 15 * 60_000,
  perPair: { after: 5, baseMs: 30_000, maxMs: 15 * 60_000, forgetAfterMs: 24 * 3600_000 },
  accountCeiling: 100,
};

export type LogRequests = 'errors' | 'all' | 'none';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment. Throws ConfigError with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);

  const url = e.DATABASE_URL;
  const database: Config['database'] =
    url && /^postgres(ql)?:\/\//.test(url)
      ? { kind: 'postgres', url, poolSize: e.DATABASE_POOL_SIZE }
      : {
          kind: 'sqlite',
          file:
            url === ':memory:'
              ? ':memory:'
              : url
                ? path.resolve(url.replace(/^(sqlite|file):(\/\/)?/, ''))
                : path.join(dataDir, 'parley.db'),
        };

  if ((e.TLS_CERT_FILE === undefined) !== (e.TLS_KEY_FILE === undefined)) {
    throw new ConfigError('Invalid configuration:\n  TLS_CERT_FILE and TLS_KEY_FILE go together');
  }
  const tls =
    e.TLS_CERT_FILE && e.TLS_KEY_FILE
      ? { cert: readFileSync(e.TLS_CERT_FILE), key: readFileSync(e.TLS_KEY_FILE) }
      : undefined;

  if ((e.TURN_USERNAME === undefined) !== (e.TURN_PASSWORD === undefined)) {
    throw new ConfigError('Invalid configuration:\n  TURN_USERNAME and TURN_PASSWORD go together');
  }
  if (e.TURN_URLS.length && !e.TURN_SECRET && !e.TURN_USERNAME) {
    throw new ConfigError(
      'Invalid configuration:\n  TURN_URLS needs TURN_SECRET (coturn use-auth-secret) or TURN_USERNAME/TURN_PASSWORD',
    );
  }

  if (e.HTTP_HEADERS_TIMEOUT_SECONDS > e.HTTP_REQUEST_TIMEOUT_SECONDS) {
    throw new ConfigError(
      'Invalid configuration:\n  HTTP_HEADERS_TIMEOUT_SECONDS must not exceed HTTP_REQUEST_TIMEOUT_SECONDS',
    );
  }

  // A burst below the steady rate would refuse a socket sending at the allowed rate.
  if (e.WS_MESSAGE_BURST < e.WS_MESSAGES_PER_SECOND) {
    throw new ConfigError(
      'Invalid configuration:\n  WS_MESSAGE_BURST must not be below WS_MESSAGES_PER_SECOND',
    );
  }

  // Same for chat: a burst below the rate could never send the rate.
  if (e.CHAT_SEND_BURST < e.CHAT_SEND_PER_SECOND) {
    throw new ConfigError(
      'Invalid configuration:\n  CHAT_SEND_BURST must not be below CHAT_SEND_PER_SECOND',
    );
  }

  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('Invalid configuration:\n  ADMIN_EMAIL and ADMIN_PASSWORD go together');
  }

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX } : undefined,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    jwtSecret: e.JWT_SECRET ?? devJwtSecret(e.NODE_ENV, dataDir),
    corsOrigins: e.CORS_ORIGINS,
    logLevel: e.LOG_LEVEL,
    logRequests: e.LOG_REQUESTS,
    tls,
    trustProxy: e.TRUST_PROXY,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
      idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_SECONDS * 1000,
      // Node's default (30 s) would add up to 30 s to every deadline above.
      checkIntervalMs: 1000,
    },
    rateLimitMax: e.RATE_LIMIT_MAX,
    admin:
      e.ADMIN_EMAIL && e.ADMIN_PASSWORD
        ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD }
        : undefined,
    webDistDir: path.resolve(
      e.WEB_DIST_DIR ?? new URL('../../../web/dist', import.meta.url).pathname,
    ),
    scryptCost: 2 ** e.SCRYPT_COST,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    loginThrottle: LOGIN_THROTTLE,
    ws: {
      helloTimeoutMs: WS_LIMITS.helloTimeoutMs,
      heartbeatIntervalMs: WS_LIMITS.heartbeatIntervalMs,
      deadAfterMs: WS_LIMITS.deadAfterMs,
      // A reload or a network switch reconnects within seconds; the seat waits this long.
      reconnectGraceMs: e.RECONNECT_GRACE_SECONDS * 1000,
      maxConnectionsPerIp: e.WS_MAX_CONNECTIONS_PER_IP,
      maxConnectionsPerUser: e.WS_MAX_CONNECTIONS_PER_USER,
      messagesPerSecond: e.WS_MESSAGES_PER_SECOND,
      messageBurst: e.WS_MESSAGE_BURST,
    },
    rooms: { emptyTimeoutMs: e.ROOM_EMPTY_TIMEOUT_MINUTES * 60_000, cleanupIntervalMs: 60_000 },
    chat: { sendPerSecond: e.CHAT_SEND_PER_SECOND, sendBurst: e.CHAT_SEND_BURST },
    live: { expiryMs: e.LIVE_EXPIRY_SECONDS * 1000, tickMs: 1000 },
    calls: {
      ringTimeoutMs: e.CALL_RING_TIMEOUT_SECONDS * 1000,
      // Both parties gone for as long as a seat's reconnection grace: nobody is coming back.
      abandonAfterMs: e.RECONNECT_GRACE_SECONDS * 1000,
      reapIntervalMs: 1000,
    },
    appointments: {
      opensBeforeMs: e.APPOINTMENT_JOIN_OPENS_MINUTES * 60_000,
      closesAfterMs: e.APPOINTMENT_JOIN_CLOSES_MINUTES * 60_000,
      adminsMayJoin: e.APPOINTMENT_ADMINS_MAY_JOIN,
      // The same grace a dropped connection gets: a reload never ends the session.
      emptyGraceMs: e.RECONNECT_GRACE_SECONDS * 1000,
      upkeepIntervalMs: 5000,
    },
    paymentWebhookSecret: e.PAYMENT_WEBHOOK_SECRET,
    turn: {
      stunUrls: e.STUN_URLS,
      turnUrls: e.TURN_URLS,
      secret: e.TURN_SECRET,
      staticAuth:
        e.TURN_USERNAME && e.TURN_PASSWORD
          ? { username: e.TURN_USERNAME, password: e.TURN_PASSWORD }
          : undefined,
      ttlSeconds: e.TURN_TTL_SECONDS,
    },
    registration: e.REGISTRATION,
    guestAccess: e.GUEST_ACCESS,
    quotas: {
      openRoomsPerUser: e.QUOTA_OPEN_ROOMS_PER_USER,
      roomsCreatedPerHour: e.QUOTA_ROOMS_PER_HOUR,
      guestsPerIpPerHour: e.QUOTA_GUESTS_PER_IP_PER_HOUR,
    },
    metrics: {
      port: e.METRICS_PORT,
      host: e.METRICS_HOST,
      token: e.METRICS_TOKEN,
      defaultMetrics: e.NODE_ENV !== 'test',
    },
  };
}

/**
 * Outside production a missing JWT secret is generated once and kept in the data
 * folder, so tokens survive restarts. In production a secret must be configured:
 * silently generating one per host would break multi-process deployments.
 */
function devJwtSecret(env: Config['env'], dataDir: string): string {
  if (env === 'production') {
    throw new ConfigError(
      'JWT_SECRET is required when NODE_ENV=production (at least 32 characters, e.g. `openssl rand -base64 48`).',
    );
  }
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
