import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Clock, Timers } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { DbHandle } from '../../platform/db/database.js';
import type { LiveState } from '../../platform/live/index.js';
import { newAccount, testApp } from '../../test/harness.js';
import type { Dialect, TestApp } from '../../test/harness.js';
import { TestClient, WAIT_MS } from './test-client.js';

/**
 * Short socket timings so heartbeat and grace tests finish in well under a second. The
 * hello timeout stays at 2 s: a hello on a busy machine (token check, database read)
 * can take longer than 300 ms, and a socket closed mid-hello fails an unrelated test.
 * Its exact boundary is checked on fake time (hub.test.ts).
 */
export const FAST_WS: Config['ws'] = {
  helloTimeoutMs: 2_000,
  heartbeatIntervalMs: 100,
  deadAfterMs: 400,
  reconnectGraceMs: 300,
};

/** Live-state upkeep fast enough for the 300 ms grace above. */
export const FAST_LIVE: Config['live'] = { expiryMs: 2_000, tickMs: 25 };

/**
 * The app's open server-side sockets, kept by the test: ws keeps no set of its clients
 * (routes.ts turns `clientTracking` off). Call it before the sockets connect.
 */
export function serverSockets(app: FastifyInstance): Set<WebSocket> {
  const open = new Set<WebSocket>();
  app.websocketServer.on('connection', (ws: WebSocket) => {
    open.add(ws);
    ws.on('close', () => open.delete(ws));
  });
  return open;
}

export type Person = { id: string; token: string; displayName: string };
export type Decision = 'admit' | 'deny' | 'kick' | 'promote';

type Json = Record<string, unknown>;

/**
 * The real app listening on a random port, with the REST calls the socket tests need
 * and every client they open tracked, so `closeClients()` leaves nothing behind.
 */
export class SignalingServer {
  readonly clients = new Set<TestClient>();

  private constructor(
    readonly t: TestApp,
    readonly origin: string,
  ) {}

  get wsUrl(): string {
    return `${this.origin.replace(/^http/, 'ws')}/ws`;
  }

  static async start(
    config: Partial<Config> = {},
    /** `live` and `db` shared with another server: two processes of one deployment. */
    opts: {
      dialect?: Dialect;
      clock?: Clock;
      timers?: Timers;
      live?: LiveState;
      db?: DbHandle;
    } = {},
  ): Promise<SignalingServer> {
    const t = await testApp({ ...opts, config: { ws: FAST_WS, live: FAST_LIVE, ...config } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    return new SignalingServer(t, `http://127.0.0.1:${port}`);
  }

  async api(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    who?: Person,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> {
    const res = await this.t.app.inject({
      method,
      url,
      headers: {
        ...(who ? { authorization: `Bearer ${who.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    // A 204 has no body to parse.
    return { status: res.statusCode, body: res.body ? res.json<Json>() : {} };
  }

  async member(prefix = 'member'): Promise<Person> {
    const account = newAccount(prefix);
    const res = await this.api('POST', '/api/auth/register', undefined, account);
    return person(res, 201);
  }

  async guest(displayName = 'Guest'): Promise<Person> {
    return person(await this.api('POST', '/api/auth/guest', undefined, { displayName }), 201);
  }

  async createRoom(host: Person, body: Json = {}): Promise<string> {
    const res = await this.api('POST', '/api/rooms', host, {
      name: 'Call',
      visibility: 'private',
      entry: 'open',
      ...body,
    });
    expectStatus(res, 201);
    return (res.body.room as { id: string }).id;
  }

  /** REST join; returns `approved` or `pending`. */
  async enter(who: Person, roomId: string, body: Json = {}): Promise<string> {
    const res = await this.api('POST', `/api/rooms/${roomId}/join`, who, body);
    expectStatus(res, 200);
    return res.body.status as string;
  }

  async decide(actor: Person, roomId: string, userId: string, action: Decision): Promise<void> {
    expectStatus(
      await this.api('POST', `/api/rooms/${roomId}/participants/${userId}/${action}`, actor),
      200,
    );
  }

  async end(actor: Person, roomId: string): Promise<void> {
    const res = await this.t.app.inject({
      method: 'DELETE',
      url: `/api/rooms/${roomId}`,
      headers: { authorization: `Bearer ${actor.token}` },
    });
    if (res.statusCode >= 300) throw new Error(`DELETE room: ${res.statusCode} ${res.body}`);
  }

  /** My participant status in a room, from the REST view. */
  async myStatus(who: Person, roomId: string): Promise<string | null> {
    const res = await this.api('GET', `/api/rooms/${roomId}`, who);
    expectStatus(res, 200);
    return (res.body.room as { myStatus: string | null }).myStatus;
  }

  async open(opts: Parameters<typeof TestClient.open>[1] = {}): Promise<TestClient> {
    const client = await TestClient.open(this.wsUrl, opts);
    this.clients.add(client);
    return client;
  }

  async connect(who: Person): Promise<TestClient> {
    const client = await this.open();
    await client.hello(who.token);
    return client;
  }

  /** Connects and joins; the person must already be approved over REST. */
  async inRoom(who: Person, roomId: string): Promise<TestClient> {
    const client = await this.connect(who);
    await client.join(roomId);
    return client;
  }

  async closeClients(): Promise<void> {
    await Promise.all([...this.clients].map((c) => c.terminate()));
    this.clients.clear();
  }

  async close(): Promise<void> {
    await this.closeClients();
    await this.t.close();
  }
}

function person(res: { status: number; body: Json }, status: number): Person {
  expectStatus(res, status);
  const user = res.body.user as { id: string; displayName: string };
  const tokens = res.body.tokens as { accessToken: string };
  return { id: user.id, token: tokens.accessToken, displayName: user.displayName };
}

function expectStatus(res: { status: number; body: Json }, status: number): void {
  if (res.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
}

/** Waits for a condition by polling; for state only visible over REST or in the database. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
