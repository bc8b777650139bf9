import type { Bus, DomainEvent, DomainEventType, Envelope } from '../bus.js';
import { addressing } from '../bus.js';
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from './connection.js';

type AnyHandler = (event: DomainEvent) => void | Promise<void>;

/** Entries the stream keeps (approximately); a reader further behind than this resyncs. */
const STREAM_MAX_LEN = 100_000;
const READ_COUNT = 1_000;
/** A blocking read returns at least this often, so closing never waits long. */
const READ_BLOCK_MS = 2_000;

/** What happened to the connection, for the app: resync its clients on `lost`. */
export type BusStatus = 'down' | 'up' | 'lost';

/**
 * The bus as one Redis stream that every process reads from where it left off.
 *
 * Why a stream and not pub/sub (measured in bench/, see docs/BENCHMARKS.md): pub/sub
 * drops whatever is published while a subscriber's connection is down, so a Redis
 * blip would silently lose chat and signals. A reader of a stream resumes after the
 * last id it saw; publishes made during the outage wait in the client's queue and go
 * out when Redis is back. When that cannot hold (Redis restarted without its data, or
 * the reader fell more than STREAM_MAX_LEN behind) the bus says `lost` and the app
 * tells its clients to resync. One stream keeps every message in one order.
 *
 * Data loss is told by an epoch key every process agrees on: a Redis that restarts from
 * its persisted data still has it (nothing lost), one that restarts empty does not.
 */
export function createRedisBus(opts: {
  redis: RedisConnection;
  reader: RedisConnection;
  key: string;
  epochKey: string;
  onError: (err: unknown) => void;
  onStatus: (status: BusStatus) => void;
}): Bus & { start(): Promise<void> } {
  const { redis, reader, key, epochKey, onError, onStatus } = opts;
  const subscribers = new Set<(e: Envelope) => void>();
  const listeners = new Map<DomainEventType, Set<AnyHandler>>();
  let lastId = '0-0';
  let epoch = '';
  let closed = false;
  let loop: Promise<void> | undefined;
  // Domain events run one after another, in stream order, off the read loop.
  let events: Promise<void> = Promise.resolve();

  /** One entry at the end of the stream, trimmed to about STREAM_MAX_LEN. */
  const append = async (...fields: string[]): Promise<void> => {
    await redis.sendCommand(['XADD', key, 'MAXLEN', '~', String(STREAM_MAX_LEN), '*', ...fields]);
  };
  const publish = (e: Envelope): Promise<void> => {
    const { payload, ...meta } = e;
    return append('m', JSON.stringify(meta), 'p', payload);
  };

  function deliver(fields: string[]): void {
    const f = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] ?? '', fields[i + 1] ?? '');
    const event = f.get('e');
    if (event !== undefined) {
      const parsed = JSON.parse(event) as DomainEvent;
      const handlers = [...(listeners.get(parsed.type) ?? [])];
      events = events.then(async () => {
        for (const h of handlers) {
          try {
            await h(parsed);
          } catch (err) {
            onError(err);
          }
        }
      });
      return;
    }
    const meta = JSON.parse(f.get('m') ?? '{}') as Omit<Envelope, 'payload'>;
    const e: Envelope = { ...meta, payload: f.get('p') ?? '' };
    for (const s of subscribers) {
      try {
        s(e);
      } catch (err) {
        onError(err);
      }
    }
  }

  /** The deployment's epoch: the one in Redis, or a new one if Redis has none. */
  async function currentEpoch(): Promise<string> {
    await reader.set(epochKey, randomUUID(), { condition: 'NX' });
    return (await reader.get(epochKey)) ?? '';
  }

  /** After a reconnect: did Redis keep what this reader had not read yet? */
  async function checkContinuity(): Promise<void> {
    const now = await currentEpoch();
    if (now !== epoch) {
      epoch = now;
      lastId = '0-0'; // an emptied Redis numbers entries anew; read all it has
      onStatus('lost');
      return;
    }
    // Redis kept its epoch but not everything (a crash with `appendfsync everysec`, a
    // failover to a replica that lagged): the stream ends before what we already read.
    const newest = await lastGeneratedId(reader, key);
    if (lastId !== '0-0' && (newest === undefined || compareIds(newest, lastId) < 0)) {
      lastId = newest ?? '0-0';
      onStatus('lost');
      return;
    }
    const first = await reader.sendCommand<[string, string[]][] | null>([
      'XRANGE',
      key,
      '-',
      '+',
      'COUNT',
      '1',
    ]);
    const firstId = first?.[0]?.[0];
    // The oldest entry kept is newer than the last one read: unread ones were trimmed.
    const gap = firstId !== undefined && lastId !== '0-0' && compareIds(firstId, lastId) > 0;
    onStatus(gap ? 'lost' : 'up');
  }

  async function readLoop(): Promise<void> {
    let broken = false;
    while (!closed) {
      try {
        if (broken) {
          await checkContinuity();
          broken = false;
        }
        const reply = await reader.sendCommand<[string, [string, string[]][]][] | null>([
          'XREAD',
          'COUNT',
          String(READ_COUNT),
          'BLOCK',
          String(READ_BLOCK_MS),
          'STREAMS',
          key,
          lastId,
        ]);
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            try {
              deliver(fields);
            } catch (err) {
              onError(err); // one unreadable entry is skipped, not a broken connection
            }
          }
        }
      } catch (err) {
        if (closed) return;
        onError(err);
        if (!broken) onStatus('down');
        broken = true;
        await new Promise((resolve) => setTimeout(resolve, 100));
        await waitUntilReady(reader, () => closed);
      }
    }
  }

  return {
    async start() {
      epoch = await currentEpoch();
      const last = await reader.sendCommand<[string, string[]][] | null>([
        'XREVRANGE',
        key,
        '+',
        '-',
        'COUNT',
        '1',
      ]);
      lastId = last?.[0]?.[0] ?? '0-0';
      loop = readLoop();
    },
    ...addressing(publish),
    subscribe(handler) {
      subscribers.add(handler);
      return () => subscribers.delete(handler);
    },
    emit: (event) => append('e', JSON.stringify(event)),
    on(type, handler) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      const h = handler as AnyHandler;
      set.add(h);
      return () => set.delete(h);
    },
    async ping() {
      if (!redis.isReady || !reader.isReady) throw new Error('Redis is not connected');
      await redis.ping();
    },
    async close() {
      closed = true;
      subscribers.clear();
      listeners.clear();
      // The blocking read ends within READ_BLOCK_MS; cutting the reader ends it now.
      reader.destroy();
      await loop?.catch(() => undefined);
      // Handlers still running may wait on Redis; shutdown does not wait on them for ever.
      await Promise.race([events, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    },
  };
}

/** The id of the last entry ever added to the stream, or undefined when it does not exist. */
async function lastGeneratedId(client: RedisConnection, key: string): Promise<string | undefined> {
  try {
    const info = await client.sendCommand<unknown[]>(['XINFO', 'STREAM', key]);
    const at = info.indexOf('last-generated-id');
    return at >= 0 ? String(info[at + 1]) : undefined;
  } catch {
    return undefined; // ERR no such key
  }
}

/** Stream ids are "<ms>-<seq>". */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

/** Resolves when the connection is ready again (or the caller closed). */
function waitUntilReady(client: RedisConnection, isClosed: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (client.isReady || isClosed()) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(check, 50);
    check();
  });
}
