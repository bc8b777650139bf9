import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalingServer, serverSockets } from './test-server.js';

// Each open socket must not keep its upgrade's HTTP request and response alive (~4 KB a
// socket, measured): only the fields the hub copied out of them stay.
describe('an accepted socket lets its upgrade request go', () => {
  let s: SignalingServer;
  let open: Set<WebSocket>;
  beforeAll(async () => {
    s = await SignalingServer.start();
    open = serverSockets(s.t.app);
  });
  afterAll(async () => {
    await s.close();
  });

  it('no listener closes over the request, and the TCP socket holds no response or spent timer', async () => {
    const who = await s.guest('G');
    await s.connect(who);
    const server = [...open] as (WebSocket & { _socket: Socket })[];
    expect(server).toHaveLength(1);
    const [ws] = server;
    // Ours only: the plugin's closes over the Fastify request and reply.
    expect(ws!.listenerCount('error')).toBe(1);
    expect(ws!.listeners('error')[0]!.toString()).not.toMatch(/request|reply/);
    expect((ws!._socket as Socket & { _httpMessage?: unknown })._httpMessage ?? null).toBeNull();
    // The HTTP idle timer ws turned off is not kept either (~170 bytes a socket).
    const tcp = ws!._socket as unknown as Record<symbol, unknown>;
    const timers = Object.getOwnPropertySymbols(tcp).filter((k) => k.description === 'timeout');
    expect(timers.length).toBeGreaterThan(0);
    expect(timers.map((k) => tcp[k] ?? null)).toEqual(timers.map(() => null));
  });
});
