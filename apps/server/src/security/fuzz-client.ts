import { WebSocket } from 'ws';
import { WAIT_MS } from '../modules/signaling/test-client.js';

export type Received = Record<string, unknown> & { type: string; ref?: string; code?: string };

/**
 * A lean raw `ws` client for the fuzzer: it keeps only what arrived since the last
 * `take()` (a long run must not hold every message in memory), and hands each raw text
 * frame to `inspect` first, which looks for what must never arrive here.
 */
export class FuzzSocket {
  private inbox: Received[] = [];
  /** Binary frames from the server: the protocol has none. */
  binaryFrames = 0;
  private waiters = new Set<() => void>();
  closeInfo: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(
    readonly ws: WebSocket,
    inspect: (raw: string) => void,
  ) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        this.binaryFrames++;
        return;
      }
      const raw = data.toString('utf8');
      inspect(raw);
      this.inbox.push(JSON.parse(raw) as Received);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake();
      }),
    );
  }

  static open(url: string, inspect: (raw: string) => void): Promise<FuzzSocket> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
    const socket = new FuzzSocket(ws, inspect);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(data: string | Buffer): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  /** Everything received since the last call. */
  take(): Received[] {
    const all = this.inbox;
    this.inbox = [];
    return all;
  }

  /** Waits for a message matching `match` (kept in the inbox); fails if the socket closes first. */
  waitFor(match: (m: Received) => boolean, what: string): Promise<Received> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, WAIT_MS);
      const check = () => {
        const found = this.inbox.find(match);
        if (!found && !this.closeInfo) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        if (found) resolve(found);
        else reject(new Error(`socket closed (${this.closeInfo?.code}) while waiting for ${what}`));
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The close, failing if it does not come (it should follow at once). */
  whenClosed(): Promise<{ code: number; reason: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket still open')), WAIT_MS);
      void this.closed.then((info) => {
        clearTimeout(timer);
        resolve(info);
      });
    });
  }

  terminate(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
