import type { Clock } from '../clock.js';
import type { Bus } from './bus.js';
import type { Deadlines } from './deadlines.js';
import type {
  AttemptLimit,
  AttemptLimiter,
  BackoffLimit,
  BackoffLimiter,
  RateLimit,
  RateLimiter,
} from './limits.js';
import type { Locks } from './locks.js';
import { createMemoryBus } from './memory/bus.js';
import { createMemoryDeadlines } from './memory/deadlines.js';
import {
  createMemoryAttemptLimiter,
  createMemoryBackoffLimiter,
  createMemoryRateLimiter,
} from './memory/limits.js';
import { createMemoryLocks } from './memory/locks.js';
import { createMemoryRoster } from './memory/roster.js';
import { createMemorySocketCounts } from './memory/socket-counts.js';
import { createMemoryStore } from './memory/store.js';
import type { Roster } from './roster.js';
import type { SocketCounts } from './socket-counts.js';
import type { LiveStore } from './store.js';

export type { Bus, Delivery, DomainEvent, DomainEventOf, Envelope, SocketEffect } from './bus.js';
export type { Deadlines } from './deadlines.js';
export type {
  AttemptLimit,
  AttemptLimiter,
  BackoffLimit,
  BackoffLimiter,
  RateLimit,
  RateLimiter,
} from './limits.js';
export type { Locks } from './locks.js';
export type { Roster, RosterCounts, RosterTotals } from './roster.js';
export type { SocketCounts } from './socket-counts.js';
export type { LiveStore } from './store.js';

export type LiveStatus = 'down' | 'up' | 'lost';

/**
 * Everything that is not in the database but must be shared by every process: events
 * and fan-out, who is in which call, open sockets per address and account, rate limits,
 * locks, deadlines and small documents. buildApp receives one of these; nothing else in
 * the server keeps such state. Limiters and stores are named, so two modules never share
 * keys by accident.
 */
export interface LiveState {
  readonly kind: 'memory' | 'redis';
  readonly bus: Bus;
  readonly roster: Roster;
  /** Open sockets per address and per account, for the connection caps. */
  readonly socketCounts: SocketCounts;
  readonly locks: Locks;
  deadlines(name: string): Deadlines;
  attempts(name: string, opts: AttemptLimit): AttemptLimiter;
  backoff(name: string, opts: BackoffLimit): BackoffLimiter;
  rates(name: string, opts: RateLimit): RateLimiter;
  store<T>(name: string): LiveStore<T>;
  /**
   * This process's link to the shared store: `down` (unreachable; work waits), `up`
   * (back, nothing lost), `lost` (back, but state or messages may be gone: everything
   * this process holds must resync). The memory implementation never changes.
   */
  onStatus(handler: (status: LiveStatus) => void): () => void;
  /** Throws when the shared store cannot be reached (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One process, nothing shared: the default. Two apps given the same instance behave
 * as two processes sharing a store, which is how the tests exercise expiry and fan-out
 * across processes without Redis.
 */
export function createMemoryLiveState(clock: Clock, onError?: (err: unknown) => void): LiveState {
  const named = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!named.has(key)) named.set(key, make());
    return named.get(key) as T;
  };
  const bus = createMemoryBus(onError);
  return {
    kind: 'memory',
    bus,
    roster: createMemoryRoster(),
    socketCounts: createMemorySocketCounts(),
    locks: createMemoryLocks(),
    deadlines: (name) => once(`deadlines:${name}`, () => createMemoryDeadlines()),
    attempts: (name, opts) =>
      once(`attempts:${name}`, () => createMemoryAttemptLimiter(opts, clock)),
    backoff: (name, opts) => once(`backoff:${name}`, () => createMemoryBackoffLimiter(opts, clock)),
    rates: (name, opts) => once(`rates:${name}`, () => createMemoryRateLimiter(opts, clock)),
    store: <T>(name: string) => once(`store:${name}`, () => createMemoryStore<T>()),
    onStatus: () => () => undefined,
    ping: () => bus.ping(),
    close: () => bus.close(),
  };
}
