/**
 * A WebSocket whose other end is the test: `accept()` opens it, `receive()` delivers a
 * frame, `drop()` closes it from the server side. Events are dispatched synchronously
 * from those calls; the client's own close() reports `close` on a microtask.
 */
export class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readyState = FakeWebSocket.CONNECTING;
  readonly sent: string[] = [];
  /** Set when the client called close(). */
  closedByClient: { code: number; reason: string } | undefined;

  constructor(readonly url: string) {
    super();
  }

  // ---- the client's side (the WebSocket API) ----

  send(data: string): void {
    if (this.readyState !== FakeWebSocket.OPEN) {
      throw new DOMException('WebSocket is not open', 'InvalidStateError');
    }
    this.sent.push(data);
    this.onClientSend(data);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= FakeWebSocket.CLOSING) return;
    this.readyState = FakeWebSocket.CLOSED;
    this.closedByClient = { code, reason };
    void Promise.resolve().then(() => this.fireClose(code, reason));
  }

  // ---- the server's side ----

  /** Hook for a fake server: called with every frame the client sends. */
  protected onClientSend(_data: string): void {}

  accept(): void {
    if (this.readyState !== FakeWebSocket.CONNECTING) return;
    this.readyState = FakeWebSocket.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  receive(msg: unknown): void {
    if (this.readyState !== FakeWebSocket.OPEN) return;
    const data = typeof msg === 'string' ? msg : JSON.stringify(msg);
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }

  /** The server (or the network) ends the connection; 1006 is "no close frame". */
  drop(code = 1006, reason = ''): void {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.readyState = FakeWebSocket.CLOSED;
    if (code === 1006) this.dispatchEvent(new Event('error'));
    this.fireClose(code, reason);
  }

  /** Parsed frames the client sent. */
  messages(): Record<string, unknown>[] {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }

  private fireClose(code: number, reason: string): void {
    this.dispatchEvent(
      Object.assign(new Event('close'), { code, reason, wasClean: code !== 1006 }),
    );
  }
}
