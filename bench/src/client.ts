import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

const UPDATED = Buffer.from('{"type":"participant.updated"');
const ID_KEY = Buffer.from('"connectionId":"');
const QUOTE = 0x22;

/** Receives the timed `participant.updated` frames of one phase. */
export interface Recorder {
  onUpdate(receiver: number, senderId: string, at: number): void;
}

type Waiter = { match: (m: any) => boolean; resolve: (m: any) => void };

/**
 * One bench socket. The hot path never JSON-parses: a `participant.updated` frame is
 * recognised by its prefix and only the sender's connection id is read out of it, so the
 * client thread stays cheap and the same for both servers. Everything else (welcome,
 * room.joined, participant.joined/left, error) is parsed and kept for the setup steps.
 */
export class BenchClient {
  connectionId = '';
  recorder: Recorder | undefined;
  /** Unexpected messages (errors, closes) seen while measuring; a run with any is invalid. */
  readonly problems: string[] = [];
  private waiters: Waiter[] = [];
  /** Parsed messages nobody waited for yet: a welcome can arrive with the upgrade. */
  private inbox: any[] = [];
  private closing = false;
  readonly closed: Promise<void>;

  private constructor(
    readonly ws: WebSocket,
    readonly index: number,
  ) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary && startsWith(data, UPDATED)) {
        const at = performance.now();
        const from = data.indexOf(ID_KEY) + ID_KEY.length;
        const to = data.indexOf(QUOTE, from);
        this.recorder?.onUpdate(this.index, data.toString('latin1', from, to), at);
        return;
      }
      const msg = JSON.parse(data.toString('utf8'));
      if (msg.type === 'error') this.problems.push(`error ${msg.code}: ${msg.message}`);
      const w = this.waiters.find((x) => x.match(msg));
      if (w) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(msg);
      } else if (this.inbox.length < 1000) {
        this.inbox.push(msg);
      }
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        if (!this.closing) this.problems.push(`closed ${code} ${reason.toString()}`);
        resolve();
      });
    });
  }

  static open(url: string, index: number): Promise<BenchClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const client = new BenchClient(ws, index);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** The first message matching, already received or still to come, failing after `timeoutMs`. */
  next(match: (m: any) => boolean, what: string, timeoutMs = 5_000): Promise<any> {
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== waiter);
        reject(new Error(`client ${this.index}: timed out waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.waiters.push(waiter);
    });
  }

  send(text: string): void {
    this.ws.send(text);
  }

  close(): Promise<void> {
    this.closing = true;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
    else if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
    return this.closed;
  }
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return (
    data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0
  );
}
