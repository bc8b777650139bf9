import { createClient } from 'redis';

export type RedisConnection = ReturnType<typeof redisConnection>;

/** How long start-up waits for Redis before giving up with a clear error. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * Commands queued or awaiting a reply (the limit counts both); past this new ones fail at
 * once instead of piling up while Redis is away. Roughly 50 MB of envelopes at most.
 */
const QUEUE_MAX = 100_000;

/**
 * One connection with Parley's settings: it reconnects by itself (backoff to 2 s, with
 * jitter so processes do not stampede a Redis that just came back), and commands issued
 * while it is away wait in a bounded queue and go out when it returns, so an outage
 * delays work instead of losing it. Commands have no timeout of their own (node-redis
 * defaults to 5 s, which would drop a publish made 5 s into an outage and costs a timer
 * per command); a dead connection is found by the socket timeout instead.
 * `keepAlive`: a connection that may sit idle pings; the bus reader never idles.
 */
export function redisConnection(
  url: string,
  name: string,
  onError: (err: unknown) => void,
  opts: { keepAlive: boolean },
) {
  const client = createClient({
    url,
    name,
    // Plain RESP2 replies: the raw stream and script replies below are read as arrays.
    RESP: 2,
    commandsQueueMaxLength: QUEUE_MAX,
    commandOptions: { timeout: 0 },
    // Keeps an idle connection busy enough for the socket timeout to mean "dead".
    ...(opts.keepAlive ? { pingInterval: 5_000 } : {}),
    socket: {
      connectTimeout: 5_000,
      // A connection silent this long is dead (the bus reader hears from Redis every 2 s,
      // the other pings every 5 s): cut it and reconnect instead of waiting on the kernel.
      socketTimeout: 15_000,
      reconnectStrategy: (retries) =>
        Math.min(100 * 2 ** Math.min(retries, 5), 2_000) + Math.floor(Math.random() * 200),
    },
  });
  client.on('error', onError);
  return client;
}

/** Connects, or throws a message that names the problem when Redis does not answer. */
export async function connect(client: RedisConnection, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `Redis at ${redactUrl(url)} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`,
              ),
            ),
          CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    client.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Closes gracefully (pending replies arrive), or cuts the connection if Redis is away. */
export async function disconnect(client: RedisConnection, ms = 2_000): Promise<void> {
  if (!client.isOpen) return;
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    client.close().then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]).catch(() => false);
  clearTimeout(timer);
  if (!closed && client.isOpen) client.destroy();
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'REDIS_URL';
  }
}
