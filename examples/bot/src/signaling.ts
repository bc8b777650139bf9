import WebSocket from 'ws';
import { DEAD_AFTER_MS, PROTOCOL_VERSION } from './protocol.js';
import type { ClientMessage, ServerMessage, ServerMessageOf } from './protocol.js';

type Type = ServerMessage['type'];
type Handler<T extends Type> = (msg: ServerMessageOf<T>) => void;

/** An `error` reply to one of our messages (matched by `ref`). */
export class ServerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/**
 * The socket at `/ws` (PROTOCOL.md §1): JSON text frames, `hello` first, replies matched by
 * `ref`, and the client side of the heartbeat (§1.3). The `ws` package sends no `Origin`
 * header, which the server accepts from a non-browser client, and answers the server's ping
 * frames by itself.
 */
export class Signaling {
  private readonly ws: WebSocket;
  private readonly handlers = new Map<Type, Set<(msg: ServerMessage) => void>>();
  private readonly pending = new Map<
    string,
    { expect: Type; settle: (m: ServerMessage) => void }
  >();
  private nextRef = 1;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastPongAt = Date.now();
  /** Settles once the socket is closed, with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(baseUrl: string) {
    const url = new URL('/ws', baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) this.dispatch(data.toString('utf8'));
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        clearInterval(this.heartbeat);
        const why = new ServerError('SOCKET_CLOSED', `socket closed (${code})`);
        for (const p of this.pending.values()) {
          p.settle({ type: 'error', code: why.code, message: why.message });
        }
        this.pending.clear();
        resolve({ code, reason: reason.toString() });
      });
    });
    // A failed upgrade (403 for a refused Origin, 503 while draining) also ends in 'close'.
    this.ws.on('error', () => undefined);
  }

  /** Opens the socket and authenticates it: `hello` → `welcome`, then keeps it alive. */
  async hello(token: string): Promise<ServerMessageOf<'welcome'>> {
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      void this.closed.then(({ code }) => reject(new Error(`socket closed before open (${code})`)));
    });
    const welcome = await this.request(
      { type: 'hello', token, protocolVersion: PROTOCOL_VERSION },
      'welcome',
    );
    this.startHeartbeat(welcome.heartbeatIntervalMs);
    return welcome;
  }

  /**
   * Sends a message with a fresh `ref` and resolves with the reply of type `expect` that
   * echoes it; rejects with the `error` that echoes it.
   */
  request<T extends Type>(msg: ClientMessage, expect: T): Promise<ServerMessageOf<T>> {
    const ref = `b${this.nextRef++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(ref, {
        expect,
        settle: (reply) => {
          if (reply.type === 'error') reject(new ServerError(reply.code, reply.message));
          else resolve(reply as ServerMessageOf<T>);
        },
      });
      this.send({ ...msg, ref } as ClientMessage);
    });
  }

  send(msg: ClientMessage): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  on<T extends Type>(type: T, fn: Handler<T>): void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(fn as (msg: ServerMessage) => void);
  }

  close(code = 1000): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(code);
    return this.closed;
  }

  private dispatch(text: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    // Any message proves the server alive, not only a pong.
    this.lastPongAt = Date.now();
    const ref = (msg as { ref?: unknown }).ref;
    if (typeof ref === 'string') {
      const waiting = this.pending.get(ref);
      if (waiting && (msg.type === waiting.expect || msg.type === 'error')) {
        this.pending.delete(ref);
        waiting.settle(msg);
      }
    }
    for (const fn of this.handlers.get(msg.type) ?? []) fn(msg);
  }

  /**
   * PROTOCOL.md §1.3: a `ping` every `heartbeatIntervalMs`; no answer within `deadAfterMs`
   * means the server is gone, and the socket is dropped (the caller sees `closed`).
   */
  private startHeartbeat(intervalMs: number): void {
    this.lastPongAt = Date.now();
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastPongAt > DEAD_AFTER_MS) {
        this.ws.terminate();
        return;
      }
      this.send({ type: 'ping' });
    }, intervalMs);
  }
}
