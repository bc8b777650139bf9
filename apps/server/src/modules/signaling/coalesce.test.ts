import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { WriteCoalescer } from './coalesce.js';

/** A real TCP pair: `server` is the side Parley writes to, `received` what the client read. */
async function pair(): Promise<{ server: Socket; received: () => string; close: () => void }> {
  const listener: Server = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const accepted = once(listener, 'connection');
  const client = connect((listener.address() as AddressInfo).port, '127.0.0.1');
  let text = '';
  client.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const [server] = (await accepted) as [Socket];
  return {
    server,
    received: () => text,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

const wsOver = (tcp: Socket | undefined) => ({ _socket: tcp }) as unknown as WebSocket;

/** Counts the stream's hand-overs to the kernel side (one `_write` or `_writev` each). */
function handOvers(tcp: Socket): () => number {
  let n = 0;
  const s = tcp as unknown as Record<'_write' | '_writev', (...a: unknown[]) => unknown>;
  for (const k of ['_write', '_writev'] as const) {
    const real = s[k].bind(tcp);
    s[k] = (...a: unknown[]) => (n++, real(...a));
  }
  return () => n;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await nextTurn();
}

/**
 * The coalescer's clock for tests that are not about its time bound: stopped, so a busy
 * machine taking more than a millisecond between two writes cannot flush them early.
 */
const frozen = () => 0;

describe('WriteCoalescer', () => {
  let done: (() => void) | undefined;
  afterEach(() => done?.());

  it("holds one turn's writes to a socket and lets them go together when the turn ends", async () => {
    const p = await pair();
    done = p.close;
    const c = new WriteCoalescer(frozen);
    const ws = wsOver(p.server);
    const writes = handOvers(p.server);

    c.hold(ws);
    p.server.write('one,');
    c.hold(ws);
    p.server.write('two');
    // Still in the turn: nothing has left, and the socket is corked once, not twice.
    expect(p.server.writableCorked).toBe(1);
    expect(p.server.writableLength).toBe('one,two'.length);
    expect(c.size()).toBe(1);
    expect(writes()).toBe(0);

    await nextTurn();
    expect(writes()).toBe(1); // both in one writev
    expect(p.server.writableCorked).toBe(0);
    expect(c.size()).toBe(0);
    await until(() => p.received() === 'one,two');
  });

  it('lets a socket holding more than the flush size go at once, then holds the rest', async () => {
    const p = await pair();
    done = p.close;
    const c = new WriteCoalescer(() => 0, 8);
    const ws = wsOver(p.server);
    const writes = handOvers(p.server);

    c.hold(ws);
    p.server.write('0123456789'); // past 8 bytes
    expect(writes()).toBe(0);
    c.hold(ws); // uncorks: the 10 bytes are handed over now
    expect(writes()).toBe(1);
    expect(p.server.writableCorked).toBe(1); // corked again for what follows
    p.server.write('tail');
    expect(writes()).toBe(1);

    await nextTurn();
    expect(writes()).toBe(2);
    await until(() => p.received() === '0123456789tail');
  });

  it('leaves alone a socket with no TCP stream under it, or a destroyed one', async () => {
    const p = await pair();
    done = p.close;
    const c = new WriteCoalescer(frozen);
    c.hold(wsOver(undefined));
    p.server.destroy();
    c.hold(wsOver(p.server));
    expect(c.size()).toBe(0);
  });

  it('a socket destroyed while held is uncorked harmlessly at the turn end', async () => {
    const p = await pair();
    done = p.close;
    const c = new WriteCoalescer(frozen);
    c.hold(wsOver(p.server));
    p.server.write('lost');
    p.server.destroy();
    await nextTurn();
    expect(c.size()).toBe(0);
  });

  it("finds the TCP stream under a real ws socket (ws's `_socket`): a ws upgrade that moves it fails here", async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    const accepted = once(wss, 'connection');
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const [serverSide] = (await accepted) as [WebSocket];
    done = () => {
      client.terminate();
      wss.close();
    };
    const got = once(client, 'message');
    const c = new WriteCoalescer(frozen);
    c.hold(serverSide);
    serverSide.send('held');
    expect(c.size()).toBe(1);
    const [data] = (await got) as [Buffer];
    expect(data.toString()).toBe('held');
  });

  it('lets go of what it held longer than the longest hold, even while the turn goes on', async () => {
    const a = await pair();
    const b = await pair();
    done = () => (a.close(), b.close());
    let now = 100;
    const c = new WriteCoalescer(() => now, 64 * 1024, 1);
    const writesA = handOvers(a.server);

    c.hold(wsOver(a.server));
    a.server.write('early');
    now += 0.5;
    c.hold(wsOver(b.server)); // within the hold: a stays held
    expect(writesA()).toBe(0);
    now += 1; // 1.5 ms since a's write
    c.hold(wsOver(b.server));
    expect(writesA()).toBe(1);
    expect(c.size()).toBe(1); // b, held afresh
    await until(() => a.received() === 'early');
  });
});
