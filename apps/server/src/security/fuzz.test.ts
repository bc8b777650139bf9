import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ClientMessageType, PROTOCOL_VERSION, WS_LIMITS } from '@parley/protocol';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import type { LiveState } from '../platform/live/index.js';
import { createRedisLiveState } from '../platform/live/redis/index.js';
import { TEST_REDIS_URL, dropKeys } from '../platform/live/redis/testing.js';
import { TEST_DATABASE_URL, testApp } from '../test/harness.js';
import type { TestApp } from '../test/harness.js';
import { captureLog } from '../test/log-capture.js';
import { castOf } from './fuzz-cast.js';
import type { Member } from './fuzz-cast.js';
import { FuzzSocket } from './fuzz-client.js';
import type { Received } from './fuzz-client.js';
import { closer, expectedFor, messagesByType, textFrame } from './fuzz-frames.js';
import type { Expected } from './fuzz-frames.js';

// Socket fuzzing against a real listening server with real `ws` clients: seven
// connections (three calls of two, and a guest waiting in a lobby) send at least 20,000
// frames drawn by fast-check: valid messages of every type (in the right state and in
// wrong ones: before hello, outside a call, inside one), the same broken one way each
// (wrong types, missing and unknown keys, `__proto__`, duplicate keys, unknown types,
// huge strings, deep nesting, absurd numbers, cut short), arbitrary JSON and non-JSON, a
// frame a byte under the limit; and now and then a binary frame, one over the limit or a
// flood past the message rate, each of which must close the socket with its documented
// code (the client then reconnects and carries on). Meanwhile a witness pair in a fourth
// call keeps exchanging signals that must arrive intact, and every frame every socket
// receives is searched for the other calls' tags: nothing crosses from one room to another.
//
// No timing windows: each connection sends a batch, then a `ping` whose `pong` proves the
// server handled everything before it (one connection's frames are handled in order), and
// only then are the answers checked. The message-rate bucket (WS_LIMITS, part of the
// protocol, not configurable) runs on the hub's monotonic clock, here a fake one: moving it
// WS_LIMITS.burst / messagesPerSecond seconds before each round refills every bucket, so
// the rate limit closes a socket only when the fuzzer floods on purpose.
//
// Memory: RSS after a warm-up (eight rounds, about 10,000 frames: code paths compiled and
// optimized, pools grown; RSS climbs fast before that, then flattens) and after the 20,000
// frames that follow, each after full garbage collections (global.gc, or V8's gc exposed
// at run time), the least of five samples; the run must end within 10 % of the baseline,
// and so must the heap. (A heap-snapshot diff of a 50,000-frame run showed the heap's
// small growth is compiled code, not retained messages or connections.) Big frames are
// kept to about 1 % so the allocator's churn on them does not drown what is measured.
//
// FUZZ_SEED=<the seed a run prints> draws the same frames again (ids and tokens aside).

const TARGET_FRAMES = 20_000;
/** Per connection per round: the bucket holds WS_LIMITS.burst; barrier and rejoin take two. */
const BATCH = WS_LIMITS.burst - 20;
const REFILL_MS = (WS_LIMITS.burst / WS_LIMITS.messagesPerSecond) * 1000;
const WARMUP_ROUNDS = 8;
const SEED = Number(process.env.FUZZ_SEED ?? randomBytes(4).readUInt32BE() % 2 ** 31);

/** What a well-formed message may be refused with, depending on the state it arrives in. */
const REFUSALS = new Set([
  'INVALID_MESSAGE', // a second hello
  'INVALID_TOKEN', // auth.refresh with a token that is not one
  'TARGET_NOT_FOUND',
  'NOT_IN_ROOM',
  'ALREADY_IN_ROOM',
  'NOT_APPROVED',
  'ROOM_NOT_FOUND',
  'NOT_HOST',
  'NO_PLAYBACK_SOURCE',
  'RATE_LIMITED', // chat and quality reports over their own limits (echoing the ref)
]);

const where = {
  dialect: TEST_DATABASE_URL ? ('postgres' as const) : ('sqlite' as const),
  live: TEST_REDIS_URL ? 'redis' : 'memory',
};

describe(`socket fuzzing (${where.dialect}, live state in ${where.live})`, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it(`${TARGET_FRAMES}+ random and mutated frames from 7 connections in 3 rooms and a lobby: no crash, an error or a documented close for each bad frame, RSS back within 10 %, witnesses' signals intact, nothing crossing rooms`, async () => {
    console.info(`[fuzz] seed ${SEED} (FUZZ_SEED=${SEED} repeats this run)`);
    const clock = new ManualClock(new Date());
    let live: LiveState | undefined;
    if (where.live === 'redis') {
      const prefix = `test:fuzz:${randomBytes(6).toString('hex')}:`;
      live = await createRedisLiveState({ url: TEST_REDIS_URL!, prefix, clock });
      cleanups.push(
        () => dropKeys(TEST_REDIS_URL!, prefix),
        () => live!.close(),
      );
    }
    const t: TestApp = await testApp({
      dialect: where.dialect,
      clock,
      timers: clock,
      ...(live ? { live } : {}),
      config: { logLevel: 'warn' },
    });
    cleanups.push(() => t.close());
    const log = captureLog(t.app.log);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const origin = `http://127.0.0.1:${port}`;
    const wsUrl = `ws://127.0.0.1:${port}/ws`;

    const cast = await castOf(t, wsUrl);
    const { fuzzers, witnesses, leaks, nextRef } = cast;
    cleanups.push(() => {
      for (const m of [...fuzzers, ...witnesses]) m.sock.terminate();
      return Promise.resolve();
    });

    const stats = {
      frames: 0,
      bad: 0,
      /** Frames over half the payload limit (near-limit frames, huge fields, big SDP). */
      big: 0,
      closes: new Map<string, number>(),
      witnessSignals: 0,
      seen: {
        'awaiting-hello': new Set<string>(),
        ready: new Set<string>(),
        'in-room': new Set<string>(),
      },
    };
    let batchSeed = SEED;

    /** The drawn frames of one batch, each with a ref of ours if valid, and its verdict. */
    function draw(m: Member, n: number) {
      const frames: { text: string; expected: Expected }[] = [];
      for (let text of fc.sample(textFrame(cast.contextOf(m)), { numRuns: n, seed: batchSeed++ })) {
        let expected = expectedFor(text);
        if (expected.valid) {
          // Ours, so its answers (replies or refusals) are told apart from the bad frames'.
          text = JSON.stringify({ ...(JSON.parse(text) as object), ref: nextRef('v') });
          expected = expectedFor(text);
        }
        const bytes = Buffer.byteLength(text);
        if (bytes > WS_LIMITS.maxPayloadBytes) continue;
        if (bytes > WS_LIMITS.maxPayloadBytes / 2) stats.big++;
        frames.push({ text, expected });
      }
      return frames;
    }

    async function batch(m: Member): Promise<void> {
      const frames = draw(m, BATCH);
      let state: 'ready' | 'in-room' = m.roomId ? 'in-room' : 'ready';
      for (const { text, expected } of frames) {
        m.sock.send(text);
        if (!expected.valid) continue;
        stats.seen[state].add(expected.type);
        if (expected.type === 'room.leave') state = 'ready';
      }
      const barrier = nextRef('barrier');
      m.sock.send(JSON.stringify({ type: 'ping', ref: barrier }));
      await m.sock.waitFor((x) => x.ref === barrier, `${m.name}: the pong closing its batch`);
      stats.frames += frames.length;
      checkAnswers(m, frames, m.sock.take());
      if (m.roomId) await cast.rejoin(m);
    }

    /**
     * Every bad frame got exactly its `error` (code, and ref when it had a readable one), in
     * order; every refusal of a valid message is one its state explains, never INTERNAL.
     */
    function checkAnswers(
      m: Member,
      frames: { text: string; expected: Expected }[],
      got: Received[],
    ) {
      const ours = new Set(
        frames.flatMap((f) => (f.expected.valid && f.expected.ref ? [f.expected.ref] : [])),
      );
      const errors = got.filter((x) => x.type === 'error');
      const refusals = errors.filter((e) => e.ref !== undefined && ours.has(e.ref));
      for (const e of refusals)
        expect(REFUSALS, `${m.name}: ${JSON.stringify(e)}`).toContain(e.code);
      const answers = errors
        .filter((e) => !refusals.includes(e))
        .map((e) => `${e.code} ${e.ref ?? '-'}`);
      const bad = frames.filter((f) => !f.expected.valid);
      stats.bad += bad.length;
      const wanted = bad.map(
        ({ expected: e }) => `${(e as { code: string }).code} ${e.ref ?? '-'}`,
      );
      const i = wanted.findIndex((w, k) => answers[k] !== w);
      if (i >= 0 || answers.length !== wanted.length) {
        const k = i >= 0 ? i : Math.min(answers.length, wanted.length);
        throw new Error(
          `${m.name}: bad frame #${k} wanted "${wanted[k]}", got "${answers[k]}" (${answers.length} answers for ${wanted.length} bad frames); frame: ${bad[k]?.text.slice(0, 300)}`,
        );
      }
    }

    /** A frame that must end the socket: the documented close, then a fresh connection. */
    async function closeAndReconnect(m: Member): Promise<void> {
      const { closer: kind, data } = fc.sample(closer, { numRuns: 1, seed: batchSeed++ })[0]!;
      if (kind === 'flood') {
        for (let i = 0; i < WS_LIMITS.burst + 10; i++) m.sock.send(data);
      } else {
        m.sock.send(data);
      }
      const closed = await m.sock.whenClosed();
      const want = {
        binary: [1003, 'INVALID_MESSAGE'],
        oversized: [1009, ''],
        flood: [4008, 'RATE_LIMITED'],
      }[kind];
      expect([closed.code, closed.reason], `${m.name}: close after ${kind}`).toEqual(want);
      // Where the server can say why first, it does (PROTOCOL.md 4.2).
      if (kind !== 'oversized') {
        expect(
          m.sock
            .take()
            .filter((x) => x.type === 'error')
            .map((x) => x.code),
        ).toEqual([want[1]]);
      }
      stats.closes.set(kind, (stats.closes.get(kind) ?? 0) + 1);
      stats.frames++;
      await cast.connect(m);
    }

    /** Fresh sockets whose first frame is anything but a good hello: closed as documented. */
    async function beforeHello(): Promise<void> {
      const ctx = cast.contextOf(cast.knocker);
      const byType = messagesByType(ctx);
      const firsts = [
        ...ClientMessageType.map((type) =>
          JSON.stringify(fc.sample(byType[type], { numRuns: 1, seed: batchSeed++ })[0]),
        ),
        ...fc.sample(textFrame(ctx), { numRuns: 3, seed: batchSeed++ }),
      ].filter((text) => Buffer.byteLength(text) <= WS_LIMITS.maxPayloadBytes);
      await Promise.all(
        firsts.map(async (text) => {
          const expected = expectedFor(text);
          const sock = await FuzzSocket.open(wsUrl, (raw) => cast.inspect(cast.knocker, raw));
          sock.send(text);
          stats.frames++;
          if (expected.valid) stats.seen['awaiting-hello'].add(expected.type);
          const hello =
            expected.valid && expected.type === 'hello'
              ? (JSON.parse(text) as { token: string; protocolVersion: number })
              : undefined;
          if (hello?.protocolVersion === PROTOCOL_VERSION && hello.token === ctx.ownToken) {
            await sock.waitFor((x) => x.type === 'welcome', 'welcome');
            sock.ws.close();
            await sock.whenClosed();
            return;
          }
          const want = !expected.valid
            ? { code: 4004, reason: expected.code }
            : !hello
              ? { code: 4004, reason: 'HELLO_REQUIRED' }
              : hello.protocolVersion !== PROTOCOL_VERSION
                ? { code: 4003, reason: 'PROTOCOL_VERSION_UNSUPPORTED' }
                : { code: 4002, reason: 'INVALID_TOKEN' };
          expect(await sock.whenClosed(), text.slice(0, 200)).toEqual(want);
          expect(sock.take().map((x) => [x.type, x.code])).toEqual([['error', want.reason]]);
        }),
      );
    }

    /** The witness pair: signals both ways, sent before a round, checked after it. */
    function witnessSend(round: number) {
      const [a, b] = witnesses;
      const sent: { to: Member; from: Member; payload: Record<string, unknown> }[] = [];
      const signal = (from: Member, to: Member, payload: Record<string, unknown>) => {
        from.sock.send(JSON.stringify({ type: 'signal', to: to.connectionId, ...payload }));
        sent.push({ from, to, payload });
      };
      const sdp = (kind: string) =>
        `v=0 ${a.tag} ${kind} ${round} ${randomBytes(2_000 + round * 300).toString('base64')}`;
      signal(a, b, { description: { type: 'offer', sdp: sdp('offer') } });
      signal(a, b, {
        candidate: { candidate: `candidate:${a.tag} ${round}`, sdpMid: '0', sdpMLineIndex: 0 },
      });
      signal(b, a, { description: { type: 'answer', sdp: sdp('answer') } });
      return sent;
    }
    async function witnessCheck(sent: ReturnType<typeof witnessSend>) {
      const markOf = (p: Record<string, any>) =>
        String(p.description?.sdp ?? p.candidate?.candidate ?? '');
      for (const w of witnesses) {
        const mine = sent.filter((s) => s.to === w);
        const last = markOf(mine.at(-1)!.payload);
        await w.sock.waitFor(
          (x) => x.type === 'signal' && markOf(x) === last,
          `${w.name}: the witness signals`,
        );
        // Only the partner's signals, every one intact, in order; nothing else at all.
        const got = w.sock.take();
        expect(got).toEqual(
          mine.map((s) => ({
            type: 'signal',
            from: s.from.connectionId,
            fromUserId: s.from.id,
            ...s.payload,
          })),
        );
        stats.witnessSignals += got.length;
      }
    }

    async function round(n: number): Promise<void> {
      clock.advance(REFILL_MS);
      const sent = witnessSend(n);
      await Promise.all(
        fuzzers.map(async (m, i) => {
          await batch(m);
          if ((n + i) % 4 === 0) await closeAndReconnect(m);
        }),
      );
      await beforeHello();
      await witnessCheck(sent);
      expect((await fetch(`${origin}/api/health`)).status).toBe(200);
    }

    const gc = collector();
    let rounds = 0;
    while (rounds < WARMUP_ROUNDS) await round(rounds++);
    const before = await settledRss(gc);
    const heapBefore = process.memoryUsage().heapUsed;
    // The 20,000 are counted after the warm-up, inside the window memory is measured over.
    const warmupFrames = stats.frames;
    while (stats.frames - warmupFrames < TARGET_FRAMES) await round(rounds++);
    const after = await settledRss(gc);
    const heapAfter = process.memoryUsage().heapUsed;

    console.info(
      `[fuzz] ${stats.frames} frames (${stats.bad} bad, ${stats.big} over 32 KiB) in ${rounds} rounds; closes ${JSON.stringify(Object.fromEntries(stats.closes))}; ${stats.witnessSignals} witness signals; RSS ${mb(before)} → ${mb(after)} MB (heap ${mb(heapBefore)} → ${mb(heapAfter)} MB); ${log.lines.length} warnings`,
    );
    expect(stats.frames - warmupFrames).toBeGreaterThanOrEqual(TARGET_FRAMES);
    expect(leaks).toEqual([]);
    expect(log.errors()).toEqual([]);
    expect([...fuzzers, ...witnesses].map((m) => m.sock.binaryFrames)).toEqual(
      fuzzers.concat(witnesses).map(() => 0),
    );
    // Every client type, valid, in each state it can arrive in.
    for (const state of ['awaiting-hello', 'ready', 'in-room'] as const) {
      expect([...stats.seen[state]].sort(), state).toEqual([...ClientMessageType].sort());
    }
    expect(stats.big).toBeGreaterThan(50);
    for (const kind of ['binary', 'oversized', 'flood'])
      expect(stats.closes.get(kind), kind).toBeGreaterThan(0);
    expect(stats.witnessSignals).toBe(rounds * 3);
    expect(after).toBeLessThanOrEqual(before * 1.1);
    // The heap too: messages or connections kept would show there first (its small growth
    // is compiled code).
    expect(heapAfter).toBeLessThanOrEqual(heapBefore * 1.1);
  }, 180_000);
});

/** Full collections: `global.gc` when node runs with --expose-gc, else V8's, exposed now. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** RSS after collecting twice, the least of five samples 100 ms apart (RSS jitters by MBs). */
async function settledRss(gc: () => void): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    samples.push(process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Math.min(...samples);
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
