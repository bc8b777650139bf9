import { PROTOCOL_VERSION } from '@parley/protocol';
import type { ServerMessage, ServerMessageOf, ServerMessageType } from '@parley/protocol';
import { WebSocket } from 'ws';

/**
 * How long a test waits for something that should come at once. Long on purpose: it only
 * matters when the thing never comes, and a busy shared machine must not fail a test.
 */
export const WAIT_MS = 10_000;

/**
 * A real `ws` client for integration tests. It records every message; `next(type)` takes
 * the first not-yet-taken message of that type (waiting for it if needed), so a test
 * states what it expects without caring about interleaving with other types.
 */
export class TestClient {
  readonly received: ServerMessage[] = [];
  /** Resolves with the close code and reason, however the socket ends. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly taken = new Set<ServerMessage>();
  private waiters: (() => void)[] = [];
  private closeInfo: { code: number; reason: string } | undefined;
  connectionId = '';
  userId = '';

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      this.received.push(JSON.parse(data.toString('utf8')) as ServerMessage);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake();
      });
    });
  }

  /** The close code and reason, failing the test if the socket is still open after `timeoutMs`. */
  whenClosed(timeoutMs = WAIT_MS): Promise<{ code: number; reason: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`socket still open after ${timeoutMs} ms`)),
        timeoutMs,
      );
      void this.closed.then((info) => {
        clearTimeout(timer);
        resolve(info);
      });
    });
  }

  /** Opens a socket; rejects when the upgrade is refused (e.g. a 403 for a bad Origin). */
  static open(
    url: string,
    opts: { origin?: string; autoPong?: boolean; headers?: Record<string, string> } = {},
  ): Promise<TestClient> {
    const ws = new WebSocket(url, {
      ...(opts.origin !== undefined ? { origin: opts.origin } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
      autoPong: opts.autoPong ?? true,
      perMessageDeflate: false,
    });
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) =>
        reject(new UpgradeRefused(res.statusCode ?? 0)),
      );
      ws.once('error', reject);
    });
  }

  /** Opens and says hello; resolves after `welcome`. */
  static async connect(url: string, token: string): Promise<TestClient> {
    const client = await TestClient.open(url);
    await client.hello(token);
    return client;
  }

  async hello(token: string, opts: { resume?: string } = {}): Promise<ServerMessageOf<'welcome'>> {
    this.send({ type: 'hello', token, protocolVersion: PROTOCOL_VERSION, ...opts });
    const welcome = await this.next('welcome');
    this.connectionId = welcome.connectionId;
    this.userId = welcome.userId;
    return welcome;
  }

  /** `room.join`; resolves with `room.joined`, rejects with the `error` code. */
  async join(
    roomId: string,
    media?: { audio: boolean; video: boolean; screen: boolean },
  ): Promise<ServerMessageOf<'room.joined'>> {
    const ref = `join-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'room.join', roomId, ref, ...(media ? { media } : {}) });
    const reply = await this.nextOf(
      (m) => (m.type === 'room.joined' || m.type === 'error') && m.ref === ref,
      `room.joined or error for ${ref}`,
    );
    if (reply.type === 'error') throw new JoinRefused(reply.code);
    return reply as ServerMessageOf<'room.joined'>;
  }

  /** Sends `message` with a fresh `ref`; resolves with the first message echoing it (reply or error). */
  request(message: Record<string, unknown>): Promise<ServerMessage> {
    const ref = `r-${Math.random().toString(36).slice(2)}`;
    this.send({ ...message, ref });
    return this.nextOf(
      (m) => 'ref' in m && m.ref === ref,
      `a reply to ${String(message.type)} (${ref})`,
    );
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, opts: { binary?: boolean } = {}): void {
    this.ws.send(data, { binary: opts.binary ?? typeof data !== 'string' });
  }

  /** The first message of this type not taken yet (optionally matching), waiting up to `timeoutMs`. */
  next<T extends ServerMessageType>(
    type: T,
    opts: { match?: (m: ServerMessageOf<T>) => boolean; timeoutMs?: number } = {},
  ): Promise<ServerMessageOf<T>> {
    const { match } = opts;
    return this.nextOf(
      (m) => m.type === type && (!match || match(m as ServerMessageOf<T>)),
      type,
      opts.timeoutMs,
    ) as Promise<ServerMessageOf<T>>;
  }

  /** Passes when no untaken message of this type arrives within `ms` (the one deliberate wait). */
  async expectNo(type: ServerMessageType, ms = 150): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    const found = this.untaken().find((m) => m.type === type);
    if (found) throw new Error(`expected no ${type}, got ${JSON.stringify(found)}`);
  }

  /** Every message of this type not taken yet, without taking them. */
  peekAll<T extends ServerMessageType>(type: T): ServerMessageOf<T>[] {
    return this.untaken().filter((m) => m.type === type) as ServerMessageOf<T>[];
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close();
    }
    return this.closed;
  }

  /** Drops the TCP connection without a close frame, like a crashed tab. */
  terminate(): Promise<{ code: number; reason: string }> {
    this.ws.terminate();
    return this.closed;
  }

  private nextOf(
    predicate: (m: ServerMessage) => boolean,
    what: string,
    timeoutMs = WAIT_MS,
  ): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.untaken().find(predicate);
        if (found) {
          this.taken.add(found);
          resolve(found);
          return true;
        }
        if (this.closeInfo) {
          reject(new Error(`socket closed (${this.closeInfo.code}) while waiting for ${what}`));
          return true;
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const seen = this.received.map((m) => m.type).join(', ');
        reject(new Error(`timed out waiting for ${what}; received: [${seen}]`));
      }, timeoutMs);
      const waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
        }
      };
      this.waiters.push(waiter);
    });
  }

  private untaken(): ServerMessage[] {
    return this.received.filter((m) => !this.taken.has(m));
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

export class JoinRefused extends Error {
  constructor(readonly code: string) {
    super(`room.join refused: ${code}`);
  }
}
