/**
 * The WebSocket load generator of the suite: one `ws` client for every subject, with a
 * small adapter per wire format, so the client's own cost is the same whoever it talks to.
 *
 * - `json` (Parley and the bare `ws` peer): each message is `{"type": name, ...payload}`.
 * - `socketio` (the Socket.IO peer): Engine.IO v4 / Socket.IO v5 frames, `42["name",payload]`,
 *   pings answered with pongs (sio-frames.ts).
 *
 * The fan-out hot path never parses JSON: a `participant.updated` frame is recognised by
 * its name near the start and only the sender's connection id is read out of it.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { SIO_CONNECT, SIO_PONG, decodeFrame, encodeEvent } from './sio-frames.js';

export type Wire = 'json' | 'socketio';
export type Msg = { type: string; [key: string]: any };
export type Received = { msg: Msg; at: number };

const UPDATED = Buffer.from('participant.updated"');
const ID_KEY = Buffer.from('"connectionId":"');
const QUOTE = 0x22;
const PING = 0x32; // '2'

/** Per-socket problems that make a measure invalid (an error reply, a close by the server). */
export class LoadError extends Error {
  override name = 'LoadError';
}

type Waiter = {
  type: string;
  resolve: (r: Received) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
};

export function encode(wire: Wire, type: string, payload: Record<string, unknown>): string {
  return wire === 'json' ? JSON.stringify({ type, ...payload }) : encodeEvent(type, payload);
}

export class LoadSocket {
  /** Called for every `participant.updated`: the sender's connection id and when it came. */
  onUpdate: ((senderId: string, at: number) => void) | undefined;
  readonly problems: string[] = [];
  /** Close code when the server closed the socket (undefined while open or closed by us). */
  serverClose: number | undefined;
  private waiters: Waiter[] = [];
  private inbox: Received[] = [];
  private closing = false;
  private readonly closed: Promise<void>;

  private constructor(
    readonly ws: WebSocket,
    readonly wire: Wire,
    readonly index: number,
  ) {
    ws.on('message', (data: Buffer) => this.receive(data));
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        if (!this.closing) {
          this.serverClose = code;
          this.fail(`closed by the server: ${code} ${reason.toString()}`);
        }
        resolve();
      });
    });
    ws.on('error', (err) => {
      if (!this.closing) this.fail(`socket error: ${err.message}`);
    });
  }

  /** Opens a socket (and, for Socket.IO, joins the default namespace). */
  static async open(
    url: string,
    wire: Wire,
    index: number,
    timeoutMs = 10_000,
  ): Promise<LoadSocket> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const s = new LoadSocket(ws, wire, index);
    const connected = wire === 'socketio' ? s.expect('$connect', timeoutMs) : undefined;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('close', (code) => reject(new LoadError(`socket ${index}: closed ${code} at open`)));
    });
    if (connected) {
      ws.send(SIO_CONNECT);
      await connected;
    }
    return s;
  }

  send(type: string, payload: Record<string, unknown>): void {
    this.ws.send(encode(this.wire, type, payload));
  }

  /** A frame encoded once by the caller (the fan-out sends the same two again and again). */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** The next message of this type (already received or to come), with its arrival time. */
  expect(type: string, timeoutMs = 10_000): Promise<Received> {
    const i = this.inbox.findIndex((r) => r.msg.type === type);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    if (this.serverClose !== undefined) {
      return Promise.reject(new LoadError(`socket ${this.index}: ${this.problems.join('; ')}`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        type,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          this.problems.push(`no ${type} within ${timeoutMs} ms`);
          reject(new LoadError(`socket ${this.index}: no ${type} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends and waits for the reply, resolving with the round trip in ms. */
  async request(type: string, payload: Record<string, unknown>, reply: string): Promise<number> {
    const answer = this.expect(reply);
    const t0 = performance.now();
    this.send(type, payload);
    return (await answer).at - t0;
  }

  close(): Promise<void> {
    this.closing = true;
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters = [];
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
    else if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
    return this.closed;
  }

  /** Stops counting a close as a problem (the subject is about to be stopped). */
  expectClose(): void {
    this.closing = true;
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters = [];
  }

  private receive(data: Buffer): void {
    const at = performance.now();
    if (this.wire === 'socketio' && data.length === 1 && data[0] === PING) {
      this.ws.send(SIO_PONG);
      return;
    }
    const u = data.indexOf(UPDATED);
    if (u >= 0 && u < 48) {
      const from = data.indexOf(ID_KEY, u) + ID_KEY.length;
      const to = data.indexOf(QUOTE, from);
      this.onUpdate?.(data.toString('latin1', from, to), at);
      return;
    }
    const msg = this.parse(data.toString('utf8'));
    if (!msg) return;
    if (msg.type === 'error') this.fail(`error ${msg.code}: ${msg.message}`);
    const w = this.waiters.find((x) => x.type === msg.type);
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w);
      clearTimeout(w.timer);
      w.resolve({ msg, at });
    } else if (this.inbox.length < 50 && msg.type !== 'participant.joined') {
      this.inbox.push({ msg, at });
    }
  }

  private parse(text: string): Msg | undefined {
    if (this.wire === 'json') return JSON.parse(text) as Msg;
    const f = decodeFrame(text);
    switch (f.kind) {
      case 'event':
        return { type: f.name, ...(f.data as object) };
      case 'connect':
        return { type: '$connect' };
      case 'connect_error':
      case 'disconnect':
      case 'close':
        this.fail(`socket.io ${f.kind}`);
        return undefined;
      case 'open':
      case 'ping':
      case 'pong':
      case 'unknown':
        return undefined; // the open packet; pings are answered before parsing
    }
  }

  private fail(problem: string): void {
    this.problems.push(problem);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new LoadError(`socket ${this.index}: ${problem}`));
    }
  }
}

/** Runs `task` for 0…n-1 with at most `width` at once (connection waves). */
export async function inWaves<T>(
  n: number,
  width: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, lane));
  return out;
}

/** Throws when any socket saw a problem: a measure with a missing reply or a close is void. */
export function assertClean(sockets: readonly LoadSocket[], what: string): void {
  const bad = sockets.filter((s) => s.problems.length > 0);
  if (bad.length === 0) return;
  const first = bad[0]!;
  const tooMany = bad.some((s) => s.serverClose === 4005);
  throw new LoadError(
    `${what}: ${bad.length} of ${sockets.length} sockets had problems (first: socket ` +
      `${first.index}: ${first.problems.slice(0, 3).join('; ')})` +
      (tooMany
        ? ' — 4005 TOO_MANY_CONNECTIONS: this Parley build ignores WS_MAX_CONNECTIONS_PER_IP / ' +
          '_PER_USER, so it caps sockets per address; no figure is reported'
        : ''),
  );
}
