import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CounterConfiguration, LabelValues } from 'prom-client';

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
    httpDuration: new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern, method and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
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
