import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CounterConfiguration, LabelValues, Metric } from 'prom-client';

/**
 * Prometheus metrics (issue 13). One registry per app, never prom-client's global one, so
 * tests that build several apps in one process count apart. Modules receive the metric
 * they feed; gauges of live state are read when scraped (`onScrape`).
 */
export function createMetrics(opts: { defaultMetrics: boolean }) {
  const registry = new Registry();
  // Process metrics (CPU, memory, event-loop lag, handles) once per real process: each
  // call starts its own event-loop monitor, which tests building hundreds of apps skip.
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  return {
    registry,
    httpDuration: new RequestDurations(
      'parley_http_request_duration_seconds',
      'HTTP request duration by route pattern, method and status code',
      HTTP_DURATION_BUCKETS,
      registers,
    ),
    wsConnections: new Gauge({
      name: 'parley_ws_connections',
      help: 'Open WebSocket connections on this process',
      registers,
    }),
    roomsActive: new Gauge({
      name: 'parley_rooms_active',
      help: 'Rooms with at least one participant connected (whole deployment)',
      registers,
    }),
    participantsActive: new Gauge({
      name: 'parley_participants_active',
      help: 'Participants connected to a room call (whole deployment)',
      registers,
    }),
    wsMessagesIn: tally({
      name: 'parley_ws_messages_received_total',
      help: 'Client messages received, by type (invalid frames count as "invalid")',
      labelNames: ['type'] as const,
      registers,
    }),
    wsMessagesOut: tally({
      name: 'parley_ws_messages_sent_total',
      help: 'Server messages written to sockets, by type',
      labelNames: ['type'] as const,
      registers,
    }),
    signalingErrors: new Counter({
      name: 'parley_signaling_errors_total',
      help: 'Error answers and protocol closes on the socket, by error code',
      labelNames: ['code'] as const,
      registers,
    }),
    callsEnded: new Counter({
      name: 'parley_calls_finished_total',
      help: 'Direct calls by final status (ended, missed, rejected, cancelled, busy)',
      labelNames: ['status'] as const,
      registers,
    }),
    appointmentJoinsRefused: new Counter({
      name: 'parley_appointment_joins_refused_total',
      help: 'Appointment joins refused, by reason (JoinBlockReason)',
      labelNames: ['reason'] as const,
      registers,
    }),
    turnCredentials: new Counter({
      name: 'parley_turn_credentials_issued_total',
      help: 'TURN credential sets handed out',
      registers,
    }),
    linkOutcomes: new Counter({
      name: 'parley_link_outcomes_total',
      help: 'Peer links as clients reported them: direct, relay (TURN) or failed',
      labelNames: ['outcome'] as const,
      registers,
    }),
    firstFrame: new Histogram({
      name: 'parley_first_frame_seconds',
      help: 'From joining a call to the first remote frame, as clients reported it',
      buckets: [0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 13, 20, 30, 60, 120],
      registers,
    }),
    auditEvents: new Counter({
      name: 'parley_audit_events_total',
      help: 'Audit log entries written, by type',
      labelNames: ['type'] as const,
      registers,
    }),
    auditDropped: new Counter({
      name: 'parley_audit_events_dropped_total',
      help: 'Audit log entries not written: past the per-caller limit on anonymous entries and refusals, by type',
      labelNames: ['type'] as const,
      registers,
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

export const HTTP_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

type DurationLabels = { method: string; route: string; status_code: string };
type DurationSeries = {
  labels: DurationLabels;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  counts: number[];
  sum: number;
  count: number;
};

/**
 * The HTTP request-duration histogram, observed once per answer. prom-client's `observe`
 * builds, validates and hashes a label object on every call, a visible share of a small
 * answer's CPU (~2.5 % of `/api/health`); here a series is found by one string key and
 * its bucket counted in place. A scrape reads it exactly as prom-client's own histogram
 * with the same name, buckets and labels would write it (request-durations.test.ts
 * compares both).
 */
export class RequestDurations {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, DurationSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registers: Registry[],
  ) {
    // The registry only asks a metric for its name, `get`/`getForPromString` and `reset`.
    for (const r of registers) r.registerMetric(this as unknown as Metric);
  }

  observe(method: string, route: string, statusCode: number, seconds: number): void {
    // prom-client throws on these; an answer's hook must not, and one NaN would spoil the sum.
    if (!Number.isFinite(seconds)) return;
    const key = `${statusCode} ${method} ${route}`;
    let s = this.series.get(key);
    if (!s) {
      s = {
        labels: { method, route, status_code: String(statusCode) },
        counts: new Array<number>(this.buckets.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, s);
    }
    const { buckets } = this;
    let i = 0;
    while (i < buckets.length && seconds > buckets[i]!) i++;
    s.counts[i]!++;
    s.sum += seconds;
    s.count++;
  }

  /** prom-client's exposition form: each value's own labels, the series' labels shared. */
  getForPromString() {
    const bucketName = `${this.name}_bucket`;
    const values = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i]!;
        values.push(value({ le: this.buckets[i]! }, acc, bucketName, s.labels, null));
      }
      values.push(value({ le: '+Inf' }, s.count, bucketName, s.labels, null));
      values.push(value({}, s.sum, `${this.name}_sum`, s.labels, undefined));
      values.push(value({}, s.count, `${this.name}_count`, s.labels, undefined));
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  /** The JSON form (`getMetricsAsJSON`): every value's labels in one object, `le` first. */
  get() {
    const data = this.getForPromString();
    return Promise.resolve({
      ...data,
      values: data.values.map(({ labels, sharedLabels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
    });
  }

  reset(): void {
    this.series.clear();
  }
}

function value(
  labels: { le?: number | string },
  v: number,
  metricName: string,
  sharedLabels: DurationLabels,
  exemplar: null | undefined,
) {
  return { labels, sharedLabels, value: v, metricName, exemplar };
}

/** A counter by one label, counted cheaply (see `tally`). */
export type Tally = { count(value: string): void };

/**
 * A counter with one label whose increments wait in a plain Map until a scrape hands them
 * to prom-client (`collect`). prom-client's own `inc({ label })` hashes the label object
 * on every call; socket messages are counted once per recipient, many thousand a second,
 * where that hashing was a visible share of a delivery's CPU.
 */
function tally<L extends string>(
  config: CounterConfiguration<L> & { labelNames: readonly [L] },
): Tally {
  const pending = new Map<string, number>();
  const [label] = config.labelNames;
  new Counter<L>({
    ...config,
    collect() {
      for (const [value, n] of pending) this.inc({ [label]: value } as LabelValues<L>, n);
      pending.clear();
    },
  });
  return {
    count(value) {
      pending.set(value, (pending.get(value) ?? 0) + 1);
    },
  };
}
