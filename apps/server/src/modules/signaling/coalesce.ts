import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** Past this many bytes held for one socket, they go out at once rather than at the turn's end. */
export const COALESCE_FLUSH_BYTES = 64 * 1024;
/**
 * The longest anything is held. A turn can be long: a storm of joins whose queries answer
 * at once runs as one chain of promises, and holding its first answers to its end would
 * delay them by the whole storm.
 */
export const COALESCE_MAX_HOLD_MS = 1;

/** The TCP socket under a `ws` socket (its own field); none for the hub tests' stand-ins. */
const tcpOf = (ws: WebSocket): Socket | undefined =>
  (ws as unknown as { _socket?: Socket | null })._socket ?? undefined;

/**
 * Gathers what one turn of the event loop writes to one socket into one system call. The
 * first write in a turn corks the socket's TCP stream; the turn's end (`setImmediate`, after
 * the I/O the turn handled) uncorks it. Under load a socket is sent several messages per
 * turn (a room's fan-out, a join's notices), and each `send` was its own `writev` and its
 * own wakeup of the reader. Nothing waits longer than the turn, nor longer than
 * `maxHoldMs` within a long one: the messages were written in it, so they leave when it
 * ends or when a later write finds them held too long.
 */
export class WriteCoalescer {
  private readonly corked = new Set<Socket>();
  private scheduled = false;
  /** When the oldest write held now was made. */
  private since = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly flushBytes = COALESCE_FLUSH_BYTES,
    private readonly maxHoldMs = COALESCE_MAX_HOLD_MS,
  ) {}

  /**
   * Before a write to `ws`. What was held longer than `maxHoldMs` goes first. A socket
   * already holding `flushBytes` is uncorked now, so its `bufferedAmount` shows what the
   * client has not taken, not what this turn wrote.
   */
  hold(ws: WebSocket): void {
    const tcp = tcpOf(ws);
    if (tcp === undefined || tcp.destroyed) return;
    if (this.corked.size > 0 && this.now() - this.since > this.maxHoldMs) this.uncorkAll();
    if (this.corked.has(tcp)) {
      if (tcp.writableLength < this.flushBytes) return;
      this.corked.delete(tcp);
      tcp.uncork();
    }
    tcp.cork();
    this.corked.add(tcp);
    if (this.corked.size === 1) this.since = this.now();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turnEnded);
    }
  }

  private readonly turnEnded = (): void => {
    this.scheduled = false;
    this.uncorkAll();
  };

  /** Lets go of every socket held (a destroyed one ignores it). */
  private uncorkAll(): void {
    for (const tcp of this.corked) tcp.uncork();
    this.corked.clear();
  }

  /** Sockets held now (tests). */
  size(): number {
    return this.corked.size;
  }
}
