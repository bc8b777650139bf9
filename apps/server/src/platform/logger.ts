import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { LogRequests } from './config.js';

/** Where log lines go when not stdout (tests capture them). */
export type LogStream = { write(line: string): void };

/**
 * Invite codes are credentials (each one admits a guest to a room) and they travel in the
 * path: `/api/invites/<code>…`, `/api/rooms/<id>/invites/<code>` and the web link
 * `/i/<code>` (formerly `/invite/<token>`). Any segment after `i/`, `invite/` or `invites/`
 * (any case, anywhere in the URL) and anything shaped like a JWT is replaced, so a typo'd
 * path that 404s does not leak the code either.
 */
const INVITE_SEGMENT = /(\/(?:invites?|i)\/)[^/?#]+/gi;
const JWT_LIKE = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g;

export function redactUrl(url: string): string {
  return url.replace(INVITE_SEGMENT, '$1[redacted]').replace(JWT_LIKE, '[redacted]');
}

/**
 * The HTTP logger: Fastify's request fields with the URL redacted. No headers are logged
 * (the redact list is a second guard should a serializer ever add them).
 */
export function loggerOptions(level: string, stream?: LogStream) {
  return {
    level,
    redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refreshToken'],
    serializers: {
      req(req: FastifyRequest | IncomingMessage) {
        const fastifyReq = 'raw' in req ? req : undefined;
        return {
          method: req.method,
          url: redactUrl(req.url ?? ''),
          host: fastifyReq?.host,
          remoteAddress: fastifyReq?.ip ?? req.socket?.remoteAddress,
          remotePort: req.socket?.remotePort,
        };
      },
    },
    ...(stream ? { stream } : {}),
  };
}

/**
 * A request slower than this is logged in `errors` mode too: a second is far above any
 * healthy API answer here (milliseconds), yet below a proxy's or browser's timeout, so the
 * line names a request that users felt and that still finished.
 */
export const SLOW_REQUEST_MS = 1000;

/**
 * One access-log line per logged request (Fastify's own request logging is off): method,
 * redacted URL, status, milliseconds; the request id comes from the request's logger.
 * 5xx at `error`, slow at `warn`, the rest at `info`.
 */
export function registerAccessLog(
  app: FastifyInstance,
  mode: LogRequests,
  slowMs: number = SLOW_REQUEST_MS,
): void {
  if (mode === 'none') return;
  const all = mode === 'all';
  app.addHook('onResponse', (req, reply, done) => {
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    const slow = ms >= slowMs;
    if (all || status >= 400 || slow) {
      const line = { method: req.method, url: redactUrl(req.url), status, ms: Math.round(ms) };
      if (status >= 500) req.log.error(line, 'request completed');
      else if (slow) req.log.warn(line, 'slow request');
      else req.log.info(line, 'request completed');
    }
    done();
  });
}

type ChildArgs = Parameters<FastifyBaseLogger['child']>;
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * A request's logger, its child made when first used. Fastify makes a child logger for
 * every request to bind its id, and pino's `child` serializes the bindings and sets up
 * redaction each time (~2 % of a small answer's CPU), though most requests never log: by
 * default only failed and slow ones do (`registerAccessLog`).
 */
class RequestLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: ChildArgs[0],
    private readonly options: ChildArgs[1],
  ) {}

  private own(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  private log(level: Level, args: unknown[]): void {
    const own = this.own();
    // As the child's own method: pino reads the bindings through `this`.
    Reflect.apply(own[level], own, args);
  }

  get level(): string {
    // As the child would be made: a route's `logLevel` arrives in the options.
    return this.made?.level ?? this.options?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.own().level = level;
  }

  child(...args: ChildArgs): FastifyBaseLogger {
    return this.own().child(...args);
  }

  fatal(...args: unknown[]): void {
    this.log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.log('error', args);
  }
  warn(...args: unknown[]): void {
    this.log('warn', args);
  }
  info(...args: unknown[]): void {
    this.log('info', args);
  }
  debug(...args: unknown[]): void {
    this.log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.log('trace', args);
  }
  silent(...args: unknown[]): void {
    this.log('silent', args);
  }
}

/** Fastify's `childLoggerFactory`: the request's logger, made when first used. */
export function lazyRequestLogger(
  parent: FastifyBaseLogger,
  bindings: ChildArgs[0],
  options: ChildArgs[1],
): FastifyBaseLogger {
  return new RequestLogger(parent, bindings, options);
}
