import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from './platform/config.js';
import { SignalingServer } from './modules/signaling/test-server.js';

/**
 * Short HTTP limits so slow clients are cut in well under a second. The checking interval
 * is how often Node looks for requests past their header/request deadline.
 */
const SHORT_HTTP: Config['http'] = {
  headersTimeoutMs: 200,
  requestTimeoutMs: 300,
  keepAliveTimeoutMs: 200,
  idleTimeoutMs: 400,
  checkIntervalMs: 50,
};

/** What a raw TCP client saw: whether the server hung up, and what it answered. */
type Outcome = { closedByServer: boolean; answer: string };

/**
 * Opens a raw connection, writes `head` at once, then `trickle` one byte every `everyMs`.
 * Resolves when the server hangs up, or with closedByServer=false once the whole trickle
 * went out and a grace passed (the bound on the wait: no wall-clock threshold asserted).
 */
function slowClient(
  port: number,
  head: string,
  trickle: string,
  everyMs: number,
): Promise<Outcome & { sent: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(grace);
      socket.destroy();
      resolve({ closedByServer, answer, sent });
    };
    let grace: NodeJS.Timeout | undefined;
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => socket.write(head));
    const timer = setInterval(() => {
      if (sent < trickle.length) {
        if (!socket.destroyed) socket.write(trickle[sent]!);
        sent++;
        return;
      }
      clearInterval(timer);
      // Node keeps an idle keep-alive socket up to a second past keepAliveTimeout.
      grace = setTimeout(() => finish(false), 3_000);
    }, everyMs);
  });
}

describe('HTTP connections have deadlines (slowloris)', () => {
  let server: SignalingServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = async (extra: Partial<Config> = {}) => {
    server = await SignalingServer.start({ http: SHORT_HTTP, ...extra });
    return Number(new URL(server.origin).port);
  };

  it('a client trickling a request body one byte at a time is cut before it finishes', async () => {
    const port = await start();
    const body = JSON.stringify({ email: 'slow@example.org', password: 'x'.repeat(40) });
    const head =
      'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`;
    // One byte every 40 ms keeps the connection busy (never idle) for about 2.6 s.
    const out = await slowClient(port, head, body, 40);
    expect(out.closedByServer).toBe(true);
    expect(out.sent).toBeLessThan(body.length);
    // The login never ran: no 401/200, only the timeout answer (or nothing).
    expect(out.answer).not.toMatch(/^HTTP\/1\.1 (200|401)/);
  });

  it('a client sending its headers slowly is cut before it finishes them', async () => {
    const port = await start();
    const headers = `X-Slow: ${'a'.repeat(60)}\r\n\r\n`;
    const out = await slowClient(
      port,
      'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n',
      headers,
      40,
    );
    expect(out.closedByServer).toBe(true);
    expect(out.sent).toBeLessThan(headers.length);
  });

  it('a connection that sends nothing, and an idle keep-alive connection, are closed', async () => {
    const port = await start();
    const silent = await slowClient(port, '', '', 10);
    expect(silent.closedByServer).toBe(true);

    // One whole request with keep-alive, then silence: the server ends the connection.
    const kept = await slowClient(
      port,
      'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n',
      '',
      10,
    );
    expect(kept.answer).toMatch(/^HTTP\/1\.1 200/);
    expect(kept.closedByServer).toBe(true);
  });

  it('a normal request still gets its answer', async () => {
    await start();
    const res = await fetch(`${server!.origin}/api/health`);
    expect(res.status).toBe(200);
  });

  it('a WebSocket idle past every HTTP limit stays open while heartbeats flow', async () => {
    // Heartbeats every 600 ms: the socket is silent longer than each HTTP limit above.
    await start({
      ws: {
        helloTimeoutMs: 2_000,
        heartbeatIntervalMs: 600,
        deadAfterMs: 3_000,
        reconnectGraceMs: 300,
      },
    });
    const who = await server!.member();
    const client = await server!.connect(who);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.send({ type: 'ping', ref: 'still-there' });
    expect((await client.next('pong')).ref).toBe('still-there');
  });
});
