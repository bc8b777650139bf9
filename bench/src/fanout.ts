/**
 * Room fan-out benchmark: the real Parley signaling server against a bare `ws` broadcast
 * server, interleaved in one run, reported as ratios. docs/BENCHMARKS.md explains the
 * method and the reading; `npm run bench` runs it.
 *
 * Each server runs in its own worker thread; the clients run here, on the main thread,
 * and take both timestamps (send and receive), so latency never compares two clocks.
 * Traffic stays on 127.0.0.1, the run is bounded in count and time and exits by itself.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { BenchClient } from './client.js';
import type { Recorder } from './client.js';
import { consoleTable, fileStamp, fmt, machine, markdownTable, writeFormatted } from './report.js';
import { MEDIA_UPDATES, ownThreadId, threadCpuMs } from './shared.js';
import type { MainToWorker, ServerReady, ServerWorkerData, WorkerToMain } from './shared.js';
import { median, percentile, sig } from './stats.js';

// ---- what is run ----

/** Room sizes: a mesh room is ≤ ~12 in practice; 24 shows the trend. */
const SIZES = [2, 8, 24];
/**
 * Measured rounds per subject and size; the median of rounds is reported. At least 3; up
 * to 5 (BENCH_ROUNDS changes that) while the run stays inside its time budget.
 */
const MIN_ROUNDS = 3;
const MAX_ROUNDS = Math.max(MIN_ROUNDS, Number(process.env.BENCH_ROUNDS ?? 5) || 5);
/**
 * Latency at light load: 100 `media.update`/s in total, round-robin over the room's
 * members, 150 messages. Per connection that is 100/N msg/s, at most 50/s for N = 2:
 * within Parley's sustained limit (WS_LIMITS.messagesPerSecond = 50), the bucket stays full.
 */
const PACED = { perSecond: 100, count: 150 };
/**
 * Throughput: every member sends K messages back to back, all at once; K = min(180,
 * 2000/N). 180 stays inside the per-connection burst of 200 (hello and room.join took 2),
 * so Parley never closes a bench socket with 4008, and ≤ ~2,000 messages per burst keep
 * each receiver's backlog (~0.7 MB) under maxBufferedBytes (1 MiB, else 4009). A burst is
 * repeated on fresh sockets (a fresh bucket) until a round has ~4,000 messages.
 */
const BURST = { maxPerSender: 180, maxPerBurst: 2000, perRound: 4000 };
const PHASE_TIMEOUT_MS = 15_000;
/** No round starts that would likely end past this (a typical run takes ~80 s)... */
const BUDGET_MS = 100_000;
/** ...and past this the run aborts instead of hanging. */
const HARD_LIMIT_MS = 118_000;

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${HARD_LIMIT_MS / 1000} s, aborting`);
  process.exit(2);
}, HARD_LIMIT_MS);
watchdog.unref();

function burstPerSender(n: number): number {
  return Math.min(BURST.maxPerSender, Math.floor(BURST.maxPerBurst / n));
}
function burstsPerRound(n: number): number {
  return Math.max(1, Math.round(BURST.perRound / (burstPerSender(n) * n)));
}

type SubjectName = 'parley' | 'baseline';

type Subject = {
  name: SubjectName;
  worker: Worker;
  tid: number | undefined;
  connect(n: number): Promise<BenchClient[]>;
  close(): Promise<void>;
};

// ---- servers ----

async function startServer(name: SubjectName, file: string): Promise<Subject> {
  const data: ServerWorkerData = { entry: new URL(file, import.meta.url).href, sizes: SIZES };
  const worker = new Worker(new URL('./worker-shim.mjs', import.meta.url), { workerData: data });
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    worker.once('message', (m: WorkerToMain) =>
      m.type === 'ready' ? resolve(m) : reject(new Error(`${name}: unexpected ${m.type}`)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${name} worker exited with ${code}`)));
  });
  const base = `ws://127.0.0.1:${ready.port}`;

  const connectParley = async (n: number) => {
    const roomId = ready.rooms[String(n)];
    if (!roomId) throw new Error(`no Parley room of size ${n}`);
    const clients: BenchClient[] = [];
    for (let i = 0; i < n; i++) {
      const c = await BenchClient.open(`${base}/ws`, i);
      clients.push(c);
      const token = ready.tokens[i];
      c.send(JSON.stringify({ type: 'hello', token, protocolVersion: PROTOCOL_VERSION }));
      c.connectionId = (await c.next((m) => m.type === 'welcome', 'welcome')).connectionId;
      const ref = `join-${i}`;
      c.send(JSON.stringify({ type: 'room.join', roomId, ref }));
      const joined = await c.next((m) => m.ref === ref, 'room.joined');
      if (joined.type !== 'room.joined') throw new Error(`room.join: ${JSON.stringify(joined)}`);
    }
    return clients;
  };

  const connectBaseline = async (n: number) => {
    const roomId = randomUUID();
    const clients: BenchClient[] = [];
    for (let i = 0; i < n; i++) {
      const c = await BenchClient.open(`${base}/${roomId}`, i);
      clients.push(c);
      c.connectionId = (await c.next((m) => m.type === 'welcome', 'welcome')).connectionId;
    }
    return clients;
  };

  return {
    name,
    worker,
    tid: ready.tid,
    connect: name === 'parley' ? connectParley : connectBaseline,
    async close() {
      const closed = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage({ type: 'close' } satisfies MainToWorker);
      await Promise.race([closed, sleep(5_000)]);
      await worker.terminate();
    },
  };
}

// ---- one phase on one set of sockets: sends, receive timestamps, completion ----

class Phase implements Recorder {
  readonly latencies: Float64Array;
  received = 0;
  stray = 0;
  sent = 0;
  private readonly sendTimes: number[][];
  private readonly counts: Int32Array;
  private readonly senderOf = new Map<string, number>();
  private firstSend = Number.NaN;
  private lastReceive = Number.NaN;
  private finish: (() => void) | undefined;

  constructor(
    private readonly clients: BenchClient[],
    messages: number,
  ) {
    const n = clients.length;
    this.sendTimes = clients.map(() => []);
    this.latencies = new Float64Array(messages * n);
    this.counts = new Int32Array(n * n);
    clients.forEach((c, i) => {
      this.senderOf.set(c.connectionId, i);
      c.recorder = this;
    });
  }

  get durationMs(): number {
    return this.lastReceive - this.firstSend;
  }

  send(sender: number, text: string): void {
    const t = performance.now();
    if (this.sent++ === 0) this.firstSend = t;
    this.sendTimes[sender]?.push(t);
    this.clients[sender]?.send(text);
  }

  onUpdate(receiver: number, senderId: string, at: number): void {
    const s = this.senderOf.get(senderId);
    if (s === undefined) return void this.stray++;
    const n = this.clients.length;
    // Per-sender order is kept end to end, so the k-th update from s is s's k-th send.
    const k = this.counts[receiver * n + s]!++;
    const sentAt = this.sendTimes[s]?.[k];
    if (sentAt === undefined) return void this.stray++;
    this.latencies[this.received++] = at - sentAt;
    this.lastReceive = at;
    if (this.received === this.latencies.length) this.finish?.();
  }

  /** True when every expected delivery arrived before the timeout. */
  whenDone(timeoutMs: number): Promise<boolean> {
    if (this.received === this.latencies.length) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.finish = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

/** CPU time of the server thread and of this (client) thread; ELU as a fallback. */
function meter(subject: Subject) {
  const cpu = (tid: number | undefined, elu: EventLoopUtilization) =>
    threadCpuMs(tid) ?? elu.active;
  return {
    server: cpu(subject.tid, subject.worker.performance.eventLoopUtilization()),
    client: cpu(ownThreadId(), performance.eventLoopUtilization()),
  };
}

type PhaseResult = {
  messages: number;
  deliveries: number;
  expectedDeliveries: number;
  stray: number;
  /** Sum over the phase's bursts of first send → last receive. */
  durationMs: number;
  deliveriesPerSec: number;
  messagesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time of the server thread while the phase ran (user + system). */
  serverCpuMs: number;
  clientCpuMs: number;
  serverCpuUsPerMessage: number;
  serverCpuUsPerDelivery: number;
  /** Server CPU time / wall time: near 1 means the server thread was the bottleneck. */
  serverBusy: number;
  clientBusy: number;
};

/**
 * Runs `drive` on `reps` fresh sets of n sockets (connection setup is not measured) and
 * sums what happened. Returns the result and any problems the clients saw.
 */
async function runPhase(
  subject: Subject,
  n: number,
  reps: number,
  messages: number,
  drive: (phase: Phase) => Promise<void> | void,
): Promise<{ result: PhaseResult; problems: string[] }> {
  const phases: Phase[] = [];
  const problems: string[] = [];
  let serverCpuMs = 0;
  let clientCpuMs = 0;
  for (let rep = 0; rep < reps; rep++) {
    const clients = await subject.connect(n);
    await sleep(30); // the participant.joined notices settle
    try {
      const phase = new Phase(clients, messages);
      phases.push(phase);
      const before = meter(subject);
      await drive(phase);
      const complete = await phase.whenDone(PHASE_TIMEOUT_MS);
      const after = meter(subject);
      serverCpuMs += after.server - before.server;
      clientCpuMs += after.client - before.client;
      if (!complete) {
        problems.push(`${phase.received}/${phase.latencies.length} delivered in time`);
      }
      if (phase.stray) problems.push(`${phase.stray} unmatched updates`);
      for (const c of clients) problems.push(...c.problems.map((x) => `client ${c.index}: ${x}`));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }
  const sum = (f: (p: Phase) => number) => phases.reduce((acc, p) => acc + f(p), 0);
  const all = new Float64Array(sum((p) => p.received));
  let at = 0;
  for (const p of phases) {
    all.set(p.latencies.subarray(0, p.received), at);
    at += p.received;
  }
  all.sort();
  const deliveries = sum((p) => p.received);
  const msgs = sum((p) => p.sent);
  const durationMs = sum((p) => p.durationMs);
  return {
    result: {
      messages: msgs,
      deliveries,
      expectedDeliveries: sum((p) => p.latencies.length),
      stray: sum((p) => p.stray),
      durationMs,
      deliveriesPerSec: (deliveries / durationMs) * 1000,
      messagesPerSec: (msgs / durationMs) * 1000,
      p50Ms: percentile(all, 50),
      p99Ms: percentile(all, 99),
      maxMs: all.length ? (all[all.length - 1] ?? Number.NaN) : Number.NaN,
      serverCpuMs,
      clientCpuMs,
      serverCpuUsPerMessage: (serverCpuMs * 1000) / msgs,
      serverCpuUsPerDelivery: (serverCpuMs * 1000) / deliveries,
      serverBusy: serverCpuMs / durationMs,
      clientBusy: clientCpuMs / durationMs,
    },
    problems,
  };
}

function paced(phase: Phase, n: number): Promise<void> {
  const interval = 1000 / PACED.perSecond;
  const t0 = performance.now();
  let j = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (j < PACED.count && t0 + j * interval <= now) {
        phase.send(j % n, MEDIA_UPDATES[j % 2]!);
        j++;
      }
      if (j >= PACED.count) return resolve();
      setTimeout(tick, Math.max(0, t0 + j * interval - performance.now()));
    };
    tick();
  });
}

function burst(phase: Phase, n: number): void {
  const k = burstPerSender(n);
  for (let j = 0; j < k; j++) {
    for (let s = 0; s < n; s++) phase.send(s, MEDIA_UPDATES[j % 2]!);
  }
}

type RunResult = {
  subject: SubjectName;
  n: number;
  round: number;
  paced: PhaseResult;
  burst: PhaseResult;
  problems: string[];
};

async function measure(subject: Subject, n: number, round: number): Promise<RunResult> {
  const p = await runPhase(subject, n, 1, PACED.count, (ph) => paced(ph, n));
  const b = await runPhase(subject, n, burstsPerRound(n), burstPerSender(n) * n, (ph) =>
    burst(ph, n),
  );
  const problems = [
    ...p.problems.map((x) => `paced: ${x}`),
    ...b.problems.map((x) => `burst: ${x}`),
  ];
  return { subject: subject.name, n, round, paced: p.result, burst: b.result, problems };
}

// ---- aggregation and report ----

const METRICS = {
  deliveriesPerSec: (r: RunResult) => r.burst.deliveriesPerSec,
  messagesPerSec: (r: RunResult) => r.burst.messagesPerSec,
  serverCpuUsPerMessage: (r: RunResult) => r.burst.serverCpuUsPerMessage,
  serverCpuUsPerDelivery: (r: RunResult) => r.burst.serverCpuUsPerDelivery,
  burstServerBusy: (r: RunResult) => r.burst.serverBusy,
  burstClientBusy: (r: RunResult) => r.burst.clientBusy,
  burstP50Ms: (r: RunResult) => r.burst.p50Ms,
  burstP99Ms: (r: RunResult) => r.burst.p99Ms,
  pacedP50Ms: (r: RunResult) => r.paced.p50Ms,
  pacedP99Ms: (r: RunResult) => r.paced.p99Ms,
  pacedServerCpuUsPerMessage: (r: RunResult) => r.paced.serverCpuUsPerMessage,
} as const;
type Metric = keyof typeof METRICS;

function aggregate(runs: RunResult[]) {
  return SIZES.map((n) => {
    const of = (s: SubjectName) => runs.filter((r) => r.n === n && r.subject === s);
    const med = (s: SubjectName) =>
      Object.fromEntries(
        (Object.keys(METRICS) as Metric[]).map((m) => [m, sig(median(of(s).map(METRICS[m])))]),
      ) as Record<Metric, number>;
    const parley = med('parley');
    const baseline = med('baseline');
    const ratio = Object.fromEntries(
      (Object.keys(METRICS) as Metric[]).map((m) => [m, sig(parley[m] / baseline[m])]),
    ) as Record<Metric, number>;
    return {
      n,
      burstMessages: burstPerSender(n) * n * burstsPerRound(n),
      burstDeliveries: burstPerSender(n) * n * n * burstsPerRound(n),
      pacedDeliveries: PACED.count * n,
      parley,
      baseline,
      ratio,
    };
  });
}
type Row = ReturnType<typeof aggregate>[number];

function tables(rows: Row[]): { title: string; head: string[]; body: string[][] }[] {
  const trio = (r: Row, m: Metric) => [fmt(r.parley[m]), fmt(r.baseline[m]), `${fmt(r.ratio[m])}×`];
  return [
    {
      title: 'Throughput under a burst (every member sends at once)',
      head: ['N', 'msgs', 'deliveries/s P', 'B', 'P/B', 'CPU µs/msg P', 'B', 'P/B', 'busy P', 'B'],
      body: rows.map((r) => [
        String(r.n),
        fmt(r.burstMessages),
        ...trio(r, 'deliveriesPerSec'),
        ...trio(r, 'serverCpuUsPerMessage'),
        fmt(r.parley.burstServerBusy),
        fmt(r.baseline.burstServerBusy),
      ]),
    },
    {
      title: `Latency send → each receiver, at ${PACED.perSecond} msg/s (and under the burst)`,
      head: ['N', 'p50 ms P', 'B', 'P/B', 'p99 ms P', 'B', 'P/B', 'burst p50 P', 'B', 'P/B'],
      body: rows.map((r) => [
        String(r.n),
        ...trio(r, 'pacedP50Ms'),
        ...trio(r, 'pacedP99Ms'),
        ...trio(r, 'burstP50Ms'),
      ]),
    },
    {
      title: `Server CPU per message at ${PACED.perSecond} msg/s (each message its own wake-up)`,
      head: ['N', 'CPU µs/msg P', 'B', 'P/B'],
      body: rows.map((r) => [String(r.n), ...trio(r, 'pacedServerCpuUsPerMessage')]),
    },
  ];
}

// ---- main ----

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  console.log(
    `fan-out bench: sizes ${SIZES.join(', ')}; ${MIN_ROUNDS}–${MAX_ROUNDS} rounds; ` +
      `paced ${PACED.count} msgs at ${PACED.perSecond}/s; bursts of ≤${BURST.maxPerBurst} msgs, ` +
      `~${BURST.perRound} per round`,
  );
  const parley = await startServer('parley', './parley-server.ts');
  const baseline = await startServer('baseline', './baseline-server.ts');
  const runs: RunResult[] = [];
  let warmedUp = 0;
  let rounds = 0;
  try {
    // Warm-up (JIT, first sockets), not recorded.
    await measure(parley, 8, 0);
    await measure(baseline, 8, 0);
    warmedUp = performance.now() - started;
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const elapsed = performance.now() - started;
      const perRound = (elapsed - warmedUp) / (round - 1);
      if (round > MIN_ROUNDS && elapsed + perRound > BUDGET_MS) break;
      rounds = round;
      for (const n of SIZES) {
        // A B, then B A: neither subject always runs right after the other's burst.
        const order = round % 2 ? [parley, baseline] : [baseline, parley];
        for (const subject of order) {
          const r = await measure(subject, n, round);
          runs.push(r);
          console.log(
            `  round ${round} N=${String(n).padStart(2)} ${subject.name.padEnd(8)} ` +
              `${fmt(r.burst.deliveriesPerSec).padStart(8)} deliveries/s  ` +
              `p50 ${fmt(r.paced.p50Ms)} ms  p99 ${fmt(r.paced.p99Ms)} ms` +
              (r.problems.length ? `  PROBLEMS: ${r.problems.join('; ')}` : ''),
          );
        }
      }
    }
  } finally {
    await Promise.all([parley.close(), baseline.close()]);
  }

  const invalid = runs.filter((r) => r.problems.length);
  const rows = aggregate(runs.filter((r) => !r.problems.length));
  const ts = tables(rows);
  const elapsedS = sig((performance.now() - started) / 1000);
  const heading =
    `Median of ${rounds} rounds. P = Parley, B = raw ws baseline, P/B = ratio. ` +
    `msgs = media.update messages per round, each delivered to all N members (sender ` +
    `included); CPU = server thread CPU time (user + system); busy = that CPU time / wall time.`;
  console.log(`\n${heading}\n`);
  for (const t of ts) console.log(`${t.title}\n${consoleTable(t)}\n`);
  if (invalid.length) console.log(`${invalid.length} run(s) left out for problems (see JSON).`);

  if (process.execArgv.some((a) => a.startsWith('--cpu-prof'))) {
    console.log('profiled run: the profiler slows both servers, so no results file is written');
    return;
  }
  const stamp = fileStamp(startedAt);
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const report = {
    benchmark: 'fanout',
    startedAt: startedAt.toISOString(),
    elapsedSeconds: elapsedS,
    machine: {
      ...machine(),
      loadavgBefore: loadBefore.map((x) => sig(x)),
      loadavgAfter: os.loadavg().map((x) => sig(x)),
    },
    config: { sizes: SIZES, rounds, paced: PACED, burst: BURST },
    summary: rows,
    runs,
  };
  const base = `${dir}fanout-${stamp}`;
  await writeFormatted(`${base}.json`, JSON.stringify(report));
  const m = report.machine;
  const leftOut = invalid.map(
    (r) => `${r.subject} N=${r.n} round ${r.round}: ${r.problems.slice(0, 3).join('; ')}`,
  );
  await writeFormatted(
    `${base}.md`,
    [
      `# Fan-out benchmark, ${startedAt.toISOString()}`,
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; ` +
        `load average ${m.loadavgBefore.join(' / ')} before, ${m.loadavgAfter.join(' / ')} ` +
        `after. The run took ${elapsedS} s (\`npm run bench\`).`,
      heading,
      ...ts.flatMap((t) => [`## ${t.title}`, markdownTable(t)]),
      invalid.length
        ? `Left out for problems: ${leftOut.join(' — ')}`
        : 'Every run delivered every message; none was left out.',
    ].join('\n\n'),
  );
  console.log(`wrote ${base}.json and .md (${elapsedS} s)`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

await main();
