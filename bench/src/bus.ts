/**
 * Bus benchmark: room messages from one process to another, over three buses side by side
 * in one run, reported as ratios. docs/BENCHMARKS.md explains the method and the reading;
 * `npm run bench:bus -w @parley/bench` runs it.
 *
 * - memory: Parley's memory live state, one instance shared by publisher and subscriber
 *   (the single-process floor: delivery is a synchronous call);
 * - stream: Parley's Redis live state (redis/bus.ts: one stream, every process XREADs it),
 *   two instances = two processes, each with its own connections;
 * - pubsub: bench/src/pubsub-bus.ts, PUBLISH to one channel per room, each process
 *   SUBSCRIBEd to the rooms it holds sockets in (the design Parley did not choose).
 *
 * Both "processes" live in this one Node process, on one event loop, with separate Redis
 * connections: every timestamp comes from one clock (performance.now), and the cost of
 * both ends lands on one thread. Process A publishes; both A and B hold sockets in every
 * room, so each message reaches both (as the stream always does); latency is taken at B.
 * Redis runs on the same (shared, 2-core) machine; nothing is pinned.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { ServerMessage } from '@parley/protocol';
import { systemClock } from '../../apps/server/src/platform/clock.js';
import { createMemoryLiveState } from '../../apps/server/src/platform/live/index.js';
import type { Envelope, LiveState } from '../../apps/server/src/platform/live/index.js';
import {
  connect,
  disconnect,
  redactUrl,
  redisConnection,
} from '../../apps/server/src/platform/live/redis/connection.js';
import { createRedisLiveState } from '../../apps/server/src/platform/live/redis/index.js';
import { createPubSubProcess } from './pubsub-bus.js';
import { consoleTable, fileStamp, fmt, machine, markdownTable, writeFormatted } from './report.js';
import type { Table } from './report.js';
import { median, percentile, sig } from './stats.js';

// ---- what is run ----

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Rooms the messages go to, round-robin; with pub/sub that is one channel each. */
const ROOMS = 200;
/** Offered rates, msgs/s, each held for STEP_MS; then as fast as WINDOW in flight allows. */
const RATES = [5_000, 10_000, 20_000, 40_000];
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 1_500) || 1_500;
/** Flat out: at most this many messages published and not yet delivered at B. */
const WINDOW = 1_000;
/**
 * Paced steps: past this backlog (published, not yet delivered at B) the sender drops what
 * is due instead of queueing it, and the step counts as not kept up. It keeps the run away
 * from node-redis's default 5 s command timeout (a publish queued longer fails) and well
 * under the 20,000 commands a Parley connection may queue (OFFLINE_QUEUE_MAX).
 */
const MAX_BACKLOG = 5_000;
/** Most messages one step can send (the memory bus flat out reaches it first). */
const CAPACITY = 300_000;
/** After the last send, how long every delivery may take before the step fails. */
const DRAIN_MS = 5_000;
const MIN_ROUNDS = 3;
const MAX_ROUNDS = Math.max(MIN_ROUNDS, Number(process.env.BENCH_ROUNDS ?? 5) || 5);
/** No round starts that would likely end past this (a run takes ~2.5 min)... */
const BUDGET_MS = 150_000;
/** ...and past this the run cleans up and aborts instead of hanging. */
const HARD_LIMIT_MS = 175_000;

type SubjectName = 'memory' | 'stream' | 'pubsub';
type StepSpec = { label: string; perSecond: number | undefined };
const STEPS: StepSpec[] = [
  ...RATES.map((r) => ({ label: `${r / 1000}k/s`, perSecond: r })),
  { label: `max (${WINDOW.toLocaleString('en-US')} in flight)`, perSecond: undefined },
];

/** Every key and channel of this run starts with this; keys are deleted at the end. */
const PREFIX = `bench:bus:${randomBytes(4).toString('hex')}:`;

// ---- the messages: a realistic chat.message, its index readable without parsing ----

const ROOM_IDS = Array.from({ length: ROOMS }, () => randomUUID());
const USER_ID = randomUUID();
const TEXT =
  'Running five minutes late, start without me. The agenda and the slides are in the ' +
  'shared folder.';
const SENT_AT = new Date().toISOString();

/**
 * A chat message id is 26 characters: "01JD", the step's tag (2 digits), the message's
 * index in the step (20 digits). The tag keeps a late delivery from an earlier step from
 * being counted in this one.
 */
function message(tag: number, i: number): ServerMessage {
  return {
    type: 'chat.message',
    id: `01JD${String(tag).padStart(2, '0')}${String(i).padStart(20, '0')}`,
    seq: i + 1,
    roomId: ROOM_IDS[i % ROOMS] ?? '',
    userId: USER_ID,
    displayName: 'Ada Lovelace',
    text: TEXT,
    sentAt: SENT_AT,
  };
}
const SAMPLE = JSON.stringify(message(0, 0));
/** The payload starts `{"type":"chat.message","id":"`: the id sits at a fixed offset. */
const ID_AT = SAMPLE.indexOf('"id":"') + 6;
const PAYLOAD_BYTES = Buffer.byteLength(SAMPLE);

// ---- one step: sends, deliveries at A and B, latency at B ----

class Step {
  readonly sendTimes = new Float64Array(CAPACITY);
  readonly latencies = new Float64Array(CAPACITY);
  readonly seenA = new Uint8Array(CAPACITY);
  readonly seenB = new Uint8Array(CAPACITY);
  tag = 0;
  /** Whether process A receives too (the Redis buses); memory has one process. */
  twoProcesses = false;
  sent = 0;
  shed = 0;
  deliveredA = 0;
  deliveredB = 0;
  stray = 0;
  duplicate = 0;
  publishErrors = 0;
  errors: string[] = [];
  firstSend = Number.NaN;
  lastB = Number.NaN;
  lastA = Number.NaN;
  private onLowWater: (() => void) | undefined;

  reset(tag: number, twoProcesses: boolean): this {
    this.seenA.fill(0, 0, this.sent);
    this.seenB.fill(0, 0, this.sent);
    Object.assign(this, {
      tag,
      twoProcesses,
      sent: 0,
      shed: 0,
      deliveredA: 0,
      deliveredB: 0,
      stray: 0,
      duplicate: 0,
      publishErrors: 0,
      errors: [],
      firstSend: Number.NaN,
      lastB: Number.NaN,
      lastA: Number.NaN,
      onLowWater: undefined,
    });
    return this;
  }

  get backlog(): number {
    return this.sent - this.deliveredB;
  }

  get complete(): boolean {
    return this.deliveredB >= this.sent && (!this.twoProcesses || this.deliveredA >= this.sent);
  }

  send(subject: Subject): void {
    const i = this.sent++;
    const m = message(this.tag, i);
    const now = performance.now();
    if (i === 0) this.firstSend = now;
    this.sendTimes[i] = now;
    subject.publish(ROOM_IDS[i % ROOMS] ?? '', m).catch((err: unknown) => {
      this.publishErrors++;
      if (this.errors.length < 5) this.errors.push(`publish: ${String(err)}`);
    });
  }

  private index(e: Envelope): number {
    const p = e.payload;
    if (Number(p.slice(ID_AT + 4, ID_AT + 6)) !== this.tag) return -1;
    const i = Number(p.slice(ID_AT + 6, ID_AT + 26));
    return Number.isInteger(i) && i >= 0 && i < this.sent ? i : -1;
  }

  onB(e: Envelope): void {
    const at = performance.now();
    const i = this.index(e);
    if (i < 0) return void this.stray++;
    if (this.seenB[i]) return void this.duplicate++;
    this.seenB[i] = 1;
    this.latencies[this.deliveredB++] = at - (this.sendTimes[i] ?? Number.NaN);
    this.lastB = at;
    if (this.onLowWater && this.backlog <= WINDOW / 2) {
      const wake = this.onLowWater;
      this.onLowWater = undefined;
      wake();
    }
  }

  onA(e: Envelope): void {
    const i = this.index(e);
    if (i < 0) return void this.stray++;
    if (this.seenA[i]) return void this.duplicate++;
    this.seenA[i] = 1;
    this.deliveredA++;
    this.lastA = performance.now();
  }

  /**
   * Flat out: resolves once the backlog is down to half the window, or after 100 ms (a
   * failed publish is never delivered, and must not stall the step until the watchdog).
   */
  lowWater(): Promise<void> {
    if (this.backlog <= WINDOW / 2) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 100);
      this.onLowWater = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

const step = new Step();
/** The step being measured, or none: deliveries outside a step are not counted. */
let active: Step | undefined;
const runErrors: string[] = [];
const onError = (err: unknown) => {
  const text = String(err instanceof Error ? err.message : err);
  if (active) {
    if (active.errors.length < 5) active.errors.push(text);
  } else if (runErrors.length < 20) runErrors.push(text);
};

// ---- subjects ----

type Subject = {
  name: SubjectName;
  twoProcesses: boolean;
  publish(roomId: string, message: ServerMessage): Promise<void>;
  close(): Promise<void>;
};

const atB = (e: Envelope) => active?.onB(e);
const atA = (e: Envelope) => active?.onA(e);

function memorySubject(): Subject {
  const live = createMemoryLiveState(systemClock, onError);
  live.bus.subscribe(atB);
  return {
    name: 'memory',
    twoProcesses: false,
    publish: (roomId, m) => live.bus.toRoom(roomId, m),
    close: () => live.close(),
  };
}

async function streamSubject(): Promise<Subject> {
  const prefix = `${PREFIX}stream:`;
  const make = async (name: string): Promise<LiveState> => {
    const live = await createRedisLiveState({
      url: REDIS_URL,
      prefix,
      clock: systemClock,
      onError,
    });
    live.onStatus((s) => onError(new Error(`stream ${name}: status ${s}`)));
    return live;
  };
  const a = await make('A');
  const b = await make('B');
  a.bus.subscribe(atA);
  b.bus.subscribe(atB);
  return {
    name: 'stream',
    twoProcesses: true,
    publish: (roomId, m) => a.bus.toRoom(roomId, m),
    async close() {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

async function pubsubSubject(): Promise<Subject> {
  const prefix = `${PREFIX}pubsub:`;
  const a = await createPubSubProcess({ url: REDIS_URL, prefix, onError });
  const b = await createPubSubProcess({ url: REDIS_URL, prefix, onError });
  a.subscribe(atA);
  b.subscribe(atB);
  await Promise.all([a.join(ROOM_IDS), b.join(ROOM_IDS)]);
  return {
    name: 'pubsub',
    twoProcesses: true,
    publish: (roomId, m) => a.toRoom(roomId, m),
    async close() {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

// ---- Redis, watched from a connection of its own ----

const monitor = redisConnection(REDIS_URL, 'parley-bench-monitor', onError, { keepAlive: true });

/** Redis's CPU time so far (user + system, all its threads), in ms. Counts every client. */
async function redisCpuMs(): Promise<number> {
  const info = String(await monitor.info('cpu'));
  const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1]);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}

async function redisInfo(section: string, name: string): Promise<string | undefined> {
  const info = String(await monitor.info(section));
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

/** Deletes this run's keys (the stream and its epoch; pub/sub leaves none). */
async function dropKeys(): Promise<number> {
  let dropped = 0;
  for await (const keys of monitor.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 500 })) {
    if (keys.length) dropped += await monitor.del(keys);
  }
  return dropped;
}

// ---- driving a step ----

type StepResult = {
  subject: SubjectName;
  step: string;
  round: number;
  offeredPerSec: number | undefined;
  sent: number;
  /** Paced: messages that came due while the backlog was past MAX_BACKLOG, not sent. */
  shed: number;
  deliveredA: number;
  deliveredB: number;
  /** Messages sent / time spent sending. */
  sentPerSec: number;
  /** Messages delivered at B / (first send → last delivery at B). */
  deliveredPerSec: number;
  /** Paced: every due message sent and delivered at ≥ 95% of the offered rate. */
  keptUp: boolean | undefined;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time of this process (both "processes", user + system) per message sent. */
  benchCpuUsPerMsg: number;
  /** This process's CPU time / wall time of the step (1 = one core busy). */
  benchBusy: number;
  /** Redis CPU time per message sent; includes any other client of the same Redis. */
  redisCpuUsPerMsg: number;
  redisBusy: number;
  problems: string[];
};

function paced(s: Step, subject: Subject, perSecond: number): Promise<void> {
  const t0 = performance.now();
  let due = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const target = Math.min(CAPACITY, Math.floor(((now - t0) * perSecond) / 1000));
      for (; due < target; due++) {
        if (s.backlog >= MAX_BACKLOG) s.shed++;
        else s.send(subject);
      }
      if (now - t0 >= STEP_MS || due >= CAPACITY) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
}

async function flatOut(s: Step, subject: Subject, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end && s.sent < CAPACITY) {
    for (let k = 0; k < WINDOW && s.backlog < WINDOW && s.sent < CAPACITY; k++) s.send(subject);
    await s.lowWater();
  }
}

async function drained(s: Step, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (!s.complete && performance.now() < until) await sleep(5);
  return s.complete;
}

let tags = 0;

async function runStep(
  subject: Subject,
  spec: StepSpec,
  round: number,
  ms: number,
): Promise<StepResult> {
  const s = step.reset(++tags % 100, subject.twoProcesses);
  const redisBefore = await redisCpuMs();
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  active = s;
  if (spec.perSecond) await paced(s, subject, spec.perSecond);
  else await flatOut(s, subject, ms);
  const sendMs = performance.now() - t0;
  const complete = await drained(s, DRAIN_MS);
  active = undefined;
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = Math.max(s.lastB, subject.twoProcesses ? s.lastA : 0) - t0;
  const redisMs = (await redisCpuMs()) - redisBefore;

  const lat = s.latencies.slice(0, s.deliveredB).sort();
  const deliveredPerSec = (s.deliveredB / (s.lastB - s.firstSend)) * 1000;
  const problems: string[] = [];
  if (!complete) {
    problems.push(
      `delivered ${s.deliveredB}/${s.sent} at B` +
        (subject.twoProcesses ? `, ${s.deliveredA}/${s.sent} at A` : '') +
        ` within ${DRAIN_MS / 1000} s`,
    );
  }
  if (s.stray) problems.push(`${s.stray} stray deliveries`);
  if (s.duplicate) problems.push(`${s.duplicate} duplicates`);
  if (s.publishErrors) problems.push(`${s.publishErrors} publishes failed`);
  problems.push(...s.errors);
  return {
    subject: subject.name,
    step: spec.label,
    round,
    offeredPerSec: spec.perSecond,
    sent: s.sent,
    shed: s.shed,
    deliveredA: s.deliveredA,
    deliveredB: s.deliveredB,
    sentPerSec: sig((s.sent / sendMs) * 1000),
    deliveredPerSec: sig(deliveredPerSec),
    keptUp: spec.perSecond ? s.shed === 0 && deliveredPerSec >= 0.95 * spec.perSecond : undefined,
    p50Ms: sig(percentile(lat, 50)),
    p99Ms: sig(percentile(lat, 99)),
    maxMs: sig(lat.length ? (lat[lat.length - 1] ?? Number.NaN) : Number.NaN),
    benchCpuUsPerMsg: sig((cpu.user + cpu.system) / s.sent),
    benchBusy: sig((cpu.user + cpu.system) / 1000 / wallMs),
    redisCpuUsPerMsg: sig((redisMs * 1000) / s.sent),
    redisBusy: sig(redisMs / wallMs),
    problems,
  };
}

// ---- aggregation and report ----

const METRICS = [
  'deliveredPerSec',
  'p50Ms',
  'p99Ms',
  'benchCpuUsPerMsg',
  'benchBusy',
  'redisCpuUsPerMsg',
  'redisBusy',
] as const;
type Metric = (typeof METRICS)[number];
type Medians = Record<Metric, number> & { rounds: number; keptUp: number };

function aggregate(runs: StepResult[]) {
  return STEPS.map((spec) => {
    const med = (name: SubjectName): Medians => {
      const of = runs.filter((r) => r.step === spec.label && r.subject === name);
      return {
        ...(Object.fromEntries(METRICS.map((m) => [m, sig(median(of.map((r) => r[m])))])) as Record<
          Metric,
          number
        >),
        rounds: of.length,
        keptUp: of.filter((r) => r.keptUp).length,
      };
    };
    const memory = med('memory');
    const stream = med('stream');
    const pubsub = med('pubsub');
    const ratios = (m: Metric) => ({
      streamToMemory: sig(stream[m] / memory[m]),
      pubsubToMemory: sig(pubsub[m] / memory[m]),
      streamToPubsub: sig(stream[m] / pubsub[m]),
    });
    return {
      step: spec.label,
      offeredPerSec: spec.perSecond,
      memory,
      stream,
      pubsub,
      ratio: Object.fromEntries(METRICS.map((m) => [m, ratios(m)])) as Record<
        Metric,
        ReturnType<typeof ratios>
      >,
    };
  });
}
type Row = ReturnType<typeof aggregate>[number];

function tables(rows: Row[]): Table[] {
  const x = (v: number) => `${fmt(v)}×`;
  /** A paced step some round did not keep up with is marked *. */
  const rate = (r: Row, m: Medians) =>
    fmt(m.deliveredPerSec) + (r.offeredPerSec && m.keptUp < m.rounds ? '*' : '');
  const three = (r: Row, m: Metric) => [fmt(r.memory[m]), fmt(r.stream[m]), fmt(r.pubsub[m])];
  const ratios = (r: Row, m: Metric) => [
    x(r.ratio[m].streamToMemory),
    x(r.ratio[m].pubsubToMemory),
    x(r.ratio[m].streamToPubsub),
  ];
  return [
    {
      title: 'Delivered msgs/s at B (first send → last delivery)',
      head: ['step', 'memory', 'stream', 'pub/sub', 'stream/mem', 'pub/sub/mem', 'stream/pub/sub'],
      body: rows.map((r) => [
        r.step,
        rate(r, r.memory),
        rate(r, r.stream),
        rate(r, r.pubsub),
        ...ratios(r, 'deliveredPerSec'),
      ]),
    },
    {
      // Against memory (a synchronous call, µs) a latency ratio says nothing: left out here.
      title: 'Latency publish → delivery at B (ms)',
      head: [
        'step',
        'p50 memory',
        'stream',
        'pub/sub',
        'stream/pub/sub',
        'p99 memory',
        'stream',
        'pub/sub',
        'stream/pub/sub',
      ],
      body: rows.map((r) => [
        r.step,
        ...three(r, 'p50Ms'),
        x(r.ratio.p50Ms.streamToPubsub),
        ...three(r, 'p99Ms'),
        x(r.ratio.p99Ms.streamToPubsub),
      ]),
    },
    {
      title: 'CPU of the bench process (both ends) per message, and its busy share',
      head: [
        'step',
        'µs/msg memory',
        'stream',
        'pub/sub',
        'stream/mem',
        'pub/sub/mem',
        'stream/pub/sub',
        'busy memory',
        'stream',
        'pub/sub',
      ],
      body: rows.map((r) => [
        r.step,
        ...three(r, 'benchCpuUsPerMsg'),
        ...ratios(r, 'benchCpuUsPerMsg'),
        ...three(r, 'benchBusy'),
      ]),
    },
    {
      title: 'Redis CPU per message (during memory steps: other clients and INFO only)',
      head: [
        'step',
        'µs/msg memory',
        'stream',
        'pub/sub',
        'stream/pub/sub',
        'busy stream',
        'pub/sub',
      ],
      body: rows.map((r) => [
        r.step,
        ...three(r, 'redisCpuUsPerMsg'),
        x(r.ratio.redisCpuUsPerMsg.streamToPubsub),
        fmt(r.stream.redisBusy),
        fmt(r.pubsub.redisBusy),
      ]),
    },
  ];
}

// ---- main ----

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  await connect(monitor, REDIS_URL);
  const redisVersion = await redisInfo('server', 'redis_version');
  console.log(
    `bus bench: ${redactUrl(REDIS_URL)} (Redis ${redisVersion}), prefix ${PREFIX}; ` +
      `${ROOMS} rooms, ${PAYLOAD_BYTES}-byte chat.message payloads; steps ` +
      `${STEPS.map((s) => s.label).join(', ')}, ${STEP_MS / 1000} s each; ` +
      `${MIN_ROUNDS}–${MAX_ROUNDS} rounds`,
  );
  const subjects: Subject[] = [];
  const runs: StepResult[] = [];
  let rounds = 0;
  let streamKeys: { length: number; bytes: number } | undefined;
  let dropped = 0;
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${HARD_LIMIT_MS / 1000} s, aborting`);
    void dropKeys()
      .catch(() => 0)
      .finally(() => process.exit(2));
    setTimeout(() => process.exit(2), 3_000).unref();
  }, HARD_LIMIT_MS);
  watchdog.unref();
  try {
    subjects.push(memorySubject(), await streamSubject(), await pubsubSubject());
    // Warm-up (JIT, connections, the stream's first entries), not recorded.
    for (const subject of subjects) {
      for (const spec of STEPS) await runStep(subject, spec, 0, STEP_MS / 3);
    }
    const warmedUp = performance.now() - started;
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const elapsed = performance.now() - started;
      const perRound = (elapsed - warmedUp) / (round - 1);
      if (round > MIN_ROUNDS && elapsed + perRound > BUDGET_MS) break;
      rounds = round;
      // The order rotates, so no bus always runs right after the same other one.
      const order = subjects.map((_, i) => subjects[(i + round) % subjects.length]!);
      for (const subject of order) {
        for (const spec of STEPS) {
          const r = await runStep(subject, spec, round, STEP_MS);
          runs.push(r);
          console.log(
            `  round ${round} ${subject.name.padEnd(6)} ${spec.label.padEnd(20)} ` +
              `${fmt(r.deliveredPerSec).padStart(8)} msgs/s  p50 ${fmt(r.p50Ms)} ms  ` +
              `p99 ${fmt(r.p99Ms)} ms  bench ${fmt(r.benchCpuUsPerMsg)} µs/msg  ` +
              `Redis ${fmt(r.redisCpuUsPerMsg)} µs/msg` +
              (r.keptUp === false ? `  NOT KEPT UP (shed ${r.shed})` : '') +
              (r.problems.length ? `  PROBLEMS: ${r.problems.join('; ')}` : ''),
          );
        }
      }
    }
    const key = `${PREFIX}stream:bus`;
    streamKeys = {
      length: Number(await monitor.sendCommand(['XLEN', key])),
      bytes: Number(await monitor.sendCommand(['MEMORY', 'USAGE', key])),
    };
  } finally {
    await Promise.all(subjects.map((s) => s.close()));
    dropped = await dropKeys();
    await disconnect(monitor);
  }

  const invalid = runs.filter((r) => r.problems.length);
  const rows = aggregate(runs.filter((r) => !r.problems.length));
  const ts = tables(rows);
  const elapsedS = sig((performance.now() - started) / 1000);
  const heading =
    `Median of ${rounds} rounds. memory = Parley's memory bus (one process); stream = ` +
    `Parley's Redis stream bus, two live states (two processes); pub/sub = one channel per ` +
    `room (bench/src/pubsub-bus.ts), two processes. Both Redis processes hold sockets in ` +
    `all ${ROOMS} rooms, so every message reaches both; latency is taken at B. Both ` +
    `"processes" run in this one Node process (one event loop, separate connections). ` +
    `Messages: ${PAYLOAD_BYTES}-byte chat.message payloads, round-robin over the rooms. ` +
    `* = a paced step at least one round did not keep up with (backlog past ` +
    `${MAX_BACKLOG.toLocaleString('en-US')}, or delivered < 95% of the offered rate). ` +
    `Redis CPU counts every client of that Redis.`;
  console.log(`\n${heading}\n`);
  for (const t of ts) console.log(`${t.title}\n${consoleTable(t)}\n`);
  if (invalid.length) console.log(`${invalid.length} step(s) left out for problems (see JSON).`);
  if (runErrors.length) console.log(`errors outside the steps: ${runErrors.join('; ')}`);
  console.log(
    `stream at the end: ${fmt(streamKeys?.length ?? Number.NaN)} entries, ` +
      `${fmt((streamKeys?.bytes ?? Number.NaN) / 2 ** 20)} MiB; ${dropped} key(s) deleted`,
  );

  if (process.execArgv.some((a) => a.startsWith('--cpu-prof'))) {
    console.log('profiled run: the profiler slows the clients, so no results file is written');
    return;
  }
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const report = {
    benchmark: 'bus',
    startedAt: startedAt.toISOString(),
    elapsedSeconds: elapsedS,
    machine: {
      ...machine(),
      loadavgBefore: loadBefore.map((v) => sig(v)),
      loadavgAfter: os.loadavg().map((v) => sig(v)),
    },
    redis: { url: redactUrl(REDIS_URL), version: redisVersion, streamAtEnd: streamKeys },
    config: {
      rooms: ROOMS,
      payloadBytes: PAYLOAD_BYTES,
      steps: STEPS,
      stepMs: STEP_MS,
      window: WINDOW,
      maxBacklog: MAX_BACKLOG,
      rounds,
    },
    summary: rows,
    runs,
    errorsOutsideSteps: runErrors,
  };
  const base = `${dir}bus-${fileStamp(startedAt)}`;
  await writeFormatted(`${base}.json`, JSON.stringify(report));
  const m = report.machine;
  const leftOut = invalid.map(
    (r) => `${r.subject} ${r.step} round ${r.round}: ${r.problems.slice(0, 3).join('; ')}`,
  );
  await writeFormatted(
    `${base}.md`,
    [
      `# Bus benchmark, ${startedAt.toISOString()}`,
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; ` +
        `Redis ${redisVersion} on the same machine; load average ` +
        `${m.loadavgBefore.join(' / ')} before, ${m.loadavgAfter.join(' / ')} after. ` +
        `The run took ${elapsedS} s (\`npm run bench:bus -w @parley/bench\`).`,
      heading,
      ...ts.flatMap((t) => [`## ${t.title}`, markdownTable(t)]),
      `The stream held ${fmt(streamKeys?.length ?? Number.NaN)} entries ` +
        `(${fmt((streamKeys?.bytes ?? Number.NaN) / 2 ** 20)} MiB) at the end of the run; ` +
        `the run's keys were deleted.`,
      invalid.length
        ? `Left out for problems: ${leftOut.join(' — ')}`
        : 'Every step delivered every message to every process; none was left out.',
    ].join('\n\n'),
  );
  console.log(`wrote ${base}.json and .md (${elapsedS} s)`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

await main();
