import { EventEmitter } from 'node:events';
import type { ServerMessage } from '@parley/protocol';
import type { WebSocket } from 'ws';

/**
 * A stand-in for a `ws` socket in hub unit tests: what the server sends is recorded,
 * `bufferedAmount` is whatever the test says (no kernel buffers involved), and the
 * close handshake completes at once unless the test says the peer never answers.
 */
export class FakeSocket extends EventEmitter {
  readyState = 1; // OPEN
  bufferedAmount = 0;
  readonly sent: ServerMessage[] = [];
  closedWith: { code: number; reason: string } | undefined;
  terminated = false;
  pings = 0;
  /** A peer that never answers the close frame: the socket stays CLOSING. */
  answersClose = true;

  asWebSocket(): WebSocket {
    return this as unknown as WebSocket;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ServerMessage);
  }

  ping(): void {
    this.pings++;
  }

  close(code: number, reason: string): void {
    if (this.readyState !== 1) return;
    this.closedWith = { code, reason };
    this.readyState = 2;
    if (this.answersClose) this.finish(code);
  }

  terminate(): void {
    this.terminated = true;
    this.finish(1006);
  }

  /** The client sends a text frame. */
  receive(message: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(message)), false);
  }

  pong(): void {
    this.emit('pong');
  }

  /** The client went away (closed its end). */
  drop(): void {
    this.finish(1006);
  }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  private finish(code: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('close', code);
  }
}
