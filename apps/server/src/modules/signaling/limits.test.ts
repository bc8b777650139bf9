import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { WS_LIMITS } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLiveState } from '../../platform/live/index.js';
import type { LiveState } from '../../platform/live/index.js';
import { createRedisLiveState } from '../../platform/live/redis/index.js';
import { TEST_REDIS_URL, dropKeys } from '../../platform/live/redis/testing.js';
import { systemClock } from '../../platform/clock.js';
import { UpgradeRefused } from './test-client.js';
import type { TestClient } from './test-client.js';
import { addressKey } from './caps.js';
import { FAST_WS, SignalingServer, eventually } from './test-server.js';

// Upgrade checks, connection caps, slow readers and shutdown: each test owns its server,
// because these count or close everything on it.

let s: SignalingServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('upgrade', () => {
  it('a browser page from another origin is refused with 403 before any socket exists', async () => {
    s = await SignalingServer.start();
    const refused = await s.open({ origin: 'https://evil.example' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect((refused as UpgradeRefused).status).toBe(403);
    const nul = await s.open({ origin: 'null' }).catch((e: unknown) => e);
    expect((nul as UpgradeRefused).status).toBe(403);
    // A same-named host on another port is another origin.
    const port = await s.open({ origin: 'http://127.0.0.1:1' }).catch((e: unknown) => e);
    expect((port as UpgradeRefused).status).toBe(403);
  });

  it('no Origin (non-browser), the request host itself and a configured origin are allowed', async () => {
    s = await SignalingServer.start({ corsOrigins: ['https://app.example.org'] });
    const guest = await s.guest();
    for (const origin of [undefined, s.origin, 'http://parley.test', 'https://app.example.org']) {
      const c = await s.open(origin === undefined ? {} : { origin });
      expect((await c.hello(guest.token)).userId).toBe(guest.id);
    }
  });
});

describe('connection caps', () => {
  it('one user past maxConnectionsPerUser is refused with 4005; closing one makes room', async () => {
    s = await SignalingServer.start();
    const guest = await s.guest();
    const tabs: TestClient[] = [];
    for (let i = 0; i < WS_LIMITS.maxConnectionsPerUser; i++) tabs.push(await s.connect(guest));
    const extra = await s.open();
    extra.send({ type: 'hello', token: guest.token, protocolVersion: 1 });
    expect(await extra.next('error')).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    expect(await extra.whenClosed()).toEqual({ code: 4005, reason: 'TOO_MANY_CONNECTIONS' });
    // Someone else is unaffected.
    await s.connect(await s.guest());

    await tabs[0]!.close();
    const again = await s.open();
    await again.hello(guest.token);
  });

  it('one address past maxConnectionsPerIp is refused with 4005', async () => {
    // Sockets that never say hello, kept open long enough to count.
    // No heartbeat verdicts either: on a loaded machine a late pong must not free a slot.
    s = await SignalingServer.start({
      ws: { ...FAST_WS, helloTimeoutMs: 10_000, heartbeatIntervalMs: 10_000, deadAfterMs: 60_000 },
    });
    const server = s;
    const open = await Promise.all(
      Array.from({ length: WS_LIMITS.maxConnectionsPerIp }, () => server.open()),
    );
    const extra = await s.open();
    expect(await extra.next('error')).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    expect(await extra.whenClosed()).toEqual({ code: 4005, reason: 'TOO_MANY_CONNECTIONS' });
    expect(open.every((c) => c.ws.readyState === c.ws.OPEN)).toBe(true);
  });
});

describe.each(['memory', ...(TEST_REDIS_URL ? ['redis'] : [])])(
  'connection caps over two processes sharing %s live state',
  (kind) => {
    const done: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const d of done.splice(0).reverse()) await d();
    });

    it('one address gets maxConnectionsPerIp sockets over both apps together; the next gets 4005; a closed one frees its place', async () => {
      const prefix = `test:${randomBytes(6).toString('hex')}:`;
      const live = async (): Promise<LiveState> => {
        if (kind === 'memory') return createMemoryLiveState(systemClock);
        const l = await createRedisLiveState({ url: TEST_REDIS_URL!, prefix, clock: systemClock });
        done.push(() => l.close());
        return l;
      };
      if (kind === 'redis') done.push(() => dropKeys(TEST_REDIS_URL!, prefix));
      const shared = await live();
      const config = {
        ws: {
          ...FAST_WS,
          helloTimeoutMs: 10_000,
          heartbeatIntervalMs: 10_000,
          deadAfterMs: 60_000,
        },
      };
      const max = 3;
      const a = await SignalingServer.start(
        { ...config, ws: { ...config.ws, maxConnectionsPerIp: max } },
        { live: shared },
      );
      done.push(() => a.close());
      const b = await SignalingServer.start(
        { ...config, ws: { ...config.ws, maxConnectionsPerIp: max } },
        { live: kind === 'memory' ? shared : await live(), db: a.t.db },
      );
      done.push(() => b.close());

      // Each socket says hello (queued behind its count), so each is decided in turn.
      const first = await a.connect(await a.guest());
      await a.connect(await a.guest());
      await b.connect(await b.guest());
      const extra = await b.open();
      extra.send({ type: 'hello', token: (await b.guest()).token, protocolVersion: 1 });
      expect(await extra.next('error')).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
      expect(await extra.whenClosed()).toEqual({ code: 4005, reason: 'TOO_MANY_CONNECTIONS' });

      await first.close();
      await eventually(
        async () => (await shared.socketCounts.count(addressKey('127.0.0.1'))) === max - 1,
        'the closed socket freed its place',
      );
      await b.connect(await b.guest());
    });
  },
);

// Slow readers, heartbeats and timeouts are tested on fake time and fake sockets in
// hub.test.ts: a test here would depend on the kernel's socket buffers.

describe('shutdown', () => {
  it('closing the app sends server.draining, closes every socket with 1012 and does not wait for clients that never answer', async () => {
    const server = await SignalingServer.start();
    const host = await server.member('host');
    const roomId = await server.createRoom(host);
    const inCall = await server.inRoom(host, roomId);
    const idle = await server.connect(await server.guest());
    const unhello = await server.open();
    const stuck = await server.connect(await server.guest());
    // This one will never read the close frame nor answer it.
    (stuck.ws as unknown as { _socket: Socket })._socket.pause();

    // That close() does not wait on the stuck client is shown on fake time in hub.test.ts.
    const closing = server.t.close();
    await inCall.next('server.draining');
    // Draining (the stuck client holds it up for a second): a new socket is refused at
    // the upgrade with 503, so a load balancer sends it to another process.
    const late = await server.open().catch((e: unknown) => e);
    expect(late).toBeInstanceOf(UpgradeRefused);
    expect((late as UpgradeRefused).status).toBe(503);
    expect(await idle.next('server.draining')).toEqual({ type: 'server.draining' });
    for (const c of [inCall, idle]) {
      expect(await c.whenClosed()).toEqual({ code: 1012, reason: 'SERVICE_UNAVAILABLE' });
    }
    await closing;
    expect((await unhello.whenClosed()).code).toBe(1012);
    (stuck.ws as unknown as { _socket: Socket })._socket.resume();
    await stuck.whenClosed();
    await server.closeClients();
  });
});
