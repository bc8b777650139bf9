import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { backoffDelay } from './backoff';
import { SignalingClient, isSignedOut } from './signaling';
import type { SignalingOptions, SignalingState, SignalingStateInfo } from './signaling';
import { FakeServer, ROOM_ID } from './testing/fake-server';
import { settle } from './testing/settle';

let server: FakeServer;

beforeEach(() => {
  vi.useFakeTimers();
  server = new FakeServer();
});
afterEach(() => {
  vi.useRealTimers();
});

function client(extra: Partial<SignalingOptions> = {}) {
  let n = 0;
  const getToken = vi.fn(() => Promise.resolve(`ada#${++n}`));
  const c = new SignalingClient({
    url: 'ws://test/ws',
    getToken,
    WebSocketImpl: server.WebSocket,
    ...extra,
  });
  const states: { state: SignalingState; info?: SignalingStateInfo }[] = [];
  c.onState((state, info) => states.push({ state, info }));
  return { c, getToken, states };
}

const reconnectDelays = (states: { state: SignalingState; info?: SignalingStateInfo }[]) =>
  states.filter((s) => s.state === 'reconnecting').map((s) => s.info?.delayMs);

describe('SignalingClient', () => {
  it('sends hello with a fresh token and the protocol version first, and connect() resolves on welcome', async () => {
    const { c, states } = client();
    const connected = c.connect();
    await settle();
    await connected;
    expect(server.lastSocket!.messages()[0]).toEqual({
      type: 'hello',
      token: 'ada#1',
      protocolVersion: PROTOCOL_VERSION,
    });
    expect(c.state).toBe('open');
    expect(c.connectionId).toBe('c1');
    expect(c.userId).toBe(server.connOf('ada')!.userId);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open']);
  });

  it('sends a ping every heartbeat interval (20 s)', async () => {
    const { c } = client();
    await Promise.all([c.connect(), settle()]);
    const pings = () => server.lastSocket!.messages().filter((m) => m.type === 'ping').length;
    await vi.advanceTimersByTimeAsync(19_999);
    expect(pings()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(pings()).toBe(1);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(pings()).toBe(3);
    expect(c.state).toBe('open');
  });

  it('treats 45 s without any server frame as a dead connection and reconnects', async () => {
    server.autoPong = false;
    const { c, getToken } = client({ random: () => 0 });
    await Promise.all([c.connect(), settle()]);
    const first = server.lastSocket!;
    await vi.advanceTimersByTimeAsync(44_999);
    expect(c.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1);
    expect(first.closedByClient?.code).toBe(4000);
    await vi.advanceTimersByTimeAsync(10);
    expect(server.sockets).toHaveLength(2);
    expect(c.state).toBe('open');
    expect(c.connectionId).toBe('c2');
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  it('any server frame (a pong) keeps the connection alive past 45 s', async () => {
    const { c } = client();
    await Promise.all([c.connect(), settle()]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.sockets).toHaveLength(1);
    expect(c.state).toBe('open');
  });

  it('reconnects after an unexpected close with growing delays capped at maxMs', async () => {
    const { c, states } = client({ backoff: { initialMs: 1000, maxMs: 8000 }, random: () => 0.5 });
    await Promise.all([c.connect(), settle()]);
    server.refuse = true;
    server.drop(server.connOf('ada')!);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reconnectDelays(states).slice(0, 6)).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect(c.state).toBe('reconnecting');
  });

  it('uses full jitter: each delay is random() times the current cap', async () => {
    const rolls = [0.1, 0.9, 0.25, 0.75];
    const { c, states } = client({
      backoff: { initialMs: 1000, maxMs: 60_000 },
      random: () => rolls.shift() ?? 0.5,
    });
    server.refuse = true;
    void c.connect().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reconnectDelays(states).slice(0, 4)).toEqual([100, 1800, 1000, 6000]);
  });

  it('fetches a new token from getToken() on every reconnect', async () => {
    const { c, getToken } = client({ random: () => 0 });
    await Promise.all([c.connect(), settle()]);
    server.drop(server.connOf('ada')!);
    await vi.advanceTimersByTimeAsync(10);
    server.drop(server.connOf('ada')!);
    await vi.advanceTimersByTimeAsync(10);
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(server.tokens).toEqual(['ada#1', 'ada#2', 'ada#3']);
    expect(c.state).toBe('open');
  });

  it('resets the backoff after a successful welcome', async () => {
    const { c, states } = client({ backoff: { initialMs: 1000, maxMs: 8000 }, random: () => 0.5 });
    await Promise.all([c.connect(), settle()]);
    server.refuse = true;
    server.drop(server.connOf('ada')!);
    await vi.advanceTimersByTimeAsync(1_600); // attempts 1 and 2 fail
    server.refuse = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(c.state).toBe('open');
    server.drop(server.connOf('ada')!);
    await settle();
    expect(reconnectDelays(states)).toEqual([500, 1000, 2000, 500]);
  });

  it.each([
    [4010, 'KICKED_FROM_ROOM'],
    [4011, 'ROOM_CLOSED'],
    [4003, 'PROTOCOL_VERSION_UNSUPPORTED'],
  ])('does not reconnect after the final close code %i', async (code, reason) => {
    const { c, states } = client();
    await Promise.all([c.connect(), settle()]);
    server.drop(server.connOf('ada')!, code, reason);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.sockets).toHaveLength(1);
    expect(c.state).toBe('closed');
    expect(states.at(-1)).toEqual({ state: 'closed', info: { code, reason } });
  });

  it('after 4002 it gets a new token and tries once more, then gives up', async () => {
    server.isTokenValid = () => false;
    const { c, getToken } = client({ random: () => 0 });
    const outcome = c.connect().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(String(await outcome)).toMatch(/INVALID_TOKEN/);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(server.sockets).toHaveLength(2);
    expect(c.state).toBe('closed');
  });

  it('after 4002 a refreshed token that works brings the connection back', async () => {
    let calls = 0;
    server.isTokenValid = () => ++calls > 1;
    const { c } = client({ random: () => 0 });
    const connected = c.connect();
    await vi.advanceTimersByTimeAsync(10);
    await connected;
    expect(c.state).toBe('open');
    expect(server.tokens).toEqual(['ada#1', 'ada#2']);
  });

  it('retries with backoff when getToken itself fails (e.g. offline refresh)', async () => {
    let n = 0;
    const getToken = vi.fn(() =>
      ++n === 1 ? Promise.reject(new Error('offline')) : Promise.resolve('ada'),
    );
    const { c } = client({ getToken, random: () => 0 });
    const connected = c.connect();
    await vi.advanceTimersByTimeAsync(10);
    await connected;
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(c.state).toBe('open');
  });

  it('ignores and counts inbound messages that fail the protocol schema', async () => {
    const { c } = client();
    await Promise.all([c.connect(), settle()]);
    const seen = vi.fn();
    c.on('participant.joined', seen);
    const socket = server.lastSocket!;
    socket.receive('not json');
    socket.receive({ type: 'participant.joined', roomId: 'nope' });
    socket.receive({ type: 'no.such.type' });
    expect(seen).not.toHaveBeenCalled();
    expect(c.invalidMessages).toBe(3);
    expect(c.state).toBe('open');
  });

  it('delivers valid messages to the listeners of their type only', async () => {
    const { c } = client();
    await Promise.all([c.connect(), settle()]);
    const pong = vi.fn();
    const left = vi.fn();
    const off = c.on('pong', pong);
    c.on('participant.left', left);
    server.lastSocket!.receive({ type: 'pong', serverTime: 5 });
    off();
    server.lastSocket!.receive({ type: 'pong', serverTime: 6 });
    expect(pong).toHaveBeenCalledTimes(1);
    expect(pong).toHaveBeenCalledWith({ type: 'pong', serverTime: 5 });
    expect(left).not.toHaveBeenCalled();
  });

  it('send() returns false and drops the message while not open', async () => {
    const { c } = client({ random: () => 0.5 });
    expect(c.send({ type: 'ping' })).toBe(false);
    await Promise.all([c.connect(), settle()]);
    expect(c.send({ type: 'ping' })).toBe(true);
    server.refuse = true;
    server.drop(server.connOf('ada')!);
    expect(c.state).toBe('reconnecting');
    expect(c.send({ type: 'ping' })).toBe(false);
  });

  it('close() is final: the socket closes, no reconnect, connect() rejects', async () => {
    const { c } = client();
    await Promise.all([c.connect(), settle()]);
    c.close();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.sockets).toHaveLength(1);
    expect(server.lastSocket!.closedByClient?.code).toBe(1000);
    expect(c.state).toBe('closed');
    await expect(c.connect()).rejects.toThrow();
  });

  it('a close that the client did not ask for, even 1000, reconnects', async () => {
    const { c } = client({ random: () => 0 });
    await Promise.all([c.connect(), settle()]);
    server.drop(server.connOf('ada')!, 1000);
    await vi.advanceTimersByTimeAsync(10);
    expect(server.sockets).toHaveLength(2);
    expect(c.state).toBe('open');
  });

  it('gives up on a socket that brings no welcome within 15 s and tries again', async () => {
    server.autoAccept = false;
    const { c, states } = client({ random: () => 0 });
    void c.connect();
    await vi.advanceTimersByTimeAsync(14_999);
    expect(server.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.sockets[0]!.closedByClient).toBeDefined();
    expect(states.at(-1)?.info?.reason).toBe('no welcome in time');
    await vi.advanceTimersByTimeAsync(1);
    server.sockets[1]!.accept();
    await settle();
    expect(c.state).toBe('open');
  });

  it('a throwing listener does not stop the others or the connection', async () => {
    const { c } = client();
    await Promise.all([c.connect(), settle()]);
    const rethrown: (() => void)[] = [];
    vi.stubGlobal('queueMicrotask', (fn: () => void) => rethrown.push(fn));
    const second = vi.fn();
    c.on('pong', () => {
      throw new Error('broken page handler');
    });
    c.on('pong', second);
    server.lastSocket!.receive({ type: 'pong', serverTime: 1 });
    vi.unstubAllGlobals();
    expect(second).toHaveBeenCalledTimes(1);
    expect(c.state).toBe('open');
    // The error is not swallowed: it is rethrown on a microtask.
    expect(rethrown).toHaveLength(1);
    expect(() => rethrown[0]!()).toThrow('broken page handler');
  });

  it('retryNow() skips the remaining backoff wait', async () => {
    const { c } = client({ backoff: { initialMs: 10_000, maxMs: 10_000 }, random: () => 0.99 });
    await Promise.all([c.connect(), settle()]);
    server.drop(server.connOf('ada')!);
    await settle();
    expect(server.sockets).toHaveLength(1);
    c.retryNow();
    await settle();
    expect(server.sockets).toHaveLength(2);
    expect(c.state).toBe('open');
  });
});

describe('SignalingClient resume after 1012 (a draining server)', () => {
  const hellos = () =>
    server.sockets.flatMap((sock) => sock.messages().filter((m) => m.type === 'hello'));
  const resumesSent = () => hellos().map((h) => h.resume);

  /** Connected and in the room: the fake server, like the real one, hands over only those. */
  async function inCall(extra: Partial<SignalingOptions> = {}) {
    const made = client({ random: () => 0, ...extra });
    await Promise.all([made.c.connect(), settle()]);
    made.c.send({ type: 'room.join', ref: 'j1', roomId: ROOM_ID });
    await settle();
    const conn = server.connOf('ada')!;
    expect(conn.entry).toBeDefined();
    return { ...made, conn, token: conn.resumeToken! };
  }

  it('presents the closed connection’s resumeToken in the next hello, and a resumed welcome keeps the connection id', async () => {
    const { c, token, states } = await inCall();
    expect(token).toMatch(/.{16,}/);
    expect(c.resumed).toBe(false);
    expect(c.resumePending).toBe(false);

    server.drain();
    expect(c.state).toBe('reconnecting');
    expect(states.at(-1)?.info).toMatchObject({ code: 1012, reason: 'SERVICE_UNAVAILABLE' });
    expect(c.resumePending).toBe(true);
    await vi.advanceTimersByTimeAsync(10);

    expect(server.sockets).toHaveLength(2);
    expect(server.sockets[1]!.messages()[0]).toEqual({
      type: 'hello',
      token: 'ada#2',
      protocolVersion: PROTOCOL_VERSION,
      resume: token,
    });
    expect(c.state).toBe('open');
    expect(c.connectionId).toBe('c1');
    expect(c.resumed).toBe(true);
    expect(c.resumePending).toBe(false);
    // Still in the call on the server: nobody saw it leave.
    expect(server.inRoom().map((x) => x.id)).toEqual(['c1']);
  });

  it('a resumed connection that drains again presents its new token, not the old one', async () => {
    const { c, token } = await inCall();
    server.drain();
    await vi.advanceTimersByTimeAsync(10);
    const second = server.connOf('ada')!.resumeToken!;
    expect(second).not.toBe(token);
    server.drain();
    await vi.advanceTimersByTimeAsync(10);
    expect(resumesSent()).toEqual([undefined, token, second]);
    expect(c.connectionId).toBe('c1');
    expect(c.resumed).toBe(true);
  });

  it.each([
    [1006, ''],
    [1000, ''],
    [1011, 'INTERNAL'],
    [4002, 'TOKEN_EXPIRED'],
    [4008, 'RATE_LIMITED'],
  ])('sends no resume after a %i close', async (code, reason) => {
    const { c, conn } = await inCall();
    server.drop(conn, code, reason);
    await vi.advanceTimersByTimeAsync(10);
    expect(c.state).toBe('open');
    expect(resumesSent()).toEqual([undefined, undefined]);
    expect(c.connectionId).toBe('c2');
    expect(c.resumed).toBe(false);
    expect(c.resumePending).toBe(false);
  });

  it('sends no resume after giving up on a silent connection (heartbeat timeout)', async () => {
    server.autoPong = false;
    const { c } = await inCall();
    await vi.advanceTimersByTimeAsync(45_010);
    expect(server.sockets).toHaveLength(2);
    expect(resumesSent()).toEqual([undefined, undefined]);
    expect(c.connectionId).toBe('c2');
  });

  it('after another close and a new connection, a 1012 resumes the new one with its own token', async () => {
    const { c, conn, token } = await inCall();
    server.drop(conn, 1006);
    await vi.advanceTimersByTimeAsync(10);
    c.send({ type: 'room.join', ref: 'j2', roomId: ROOM_ID });
    await settle();
    const second = server.connOf('ada')!.resumeToken!;
    expect(second).not.toBe(token);
    server.drain();
    await vi.advanceTimersByTimeAsync(10);
    expect(resumesSent()).toEqual([undefined, undefined, second]);
    expect(c.connectionId).toBe('c2');
    expect(c.resumed).toBe(true);
  });

  it('never presents a token twice: a resume hello that got no welcome is not repeated', async () => {
    const { c, token } = await inCall();
    server.autoAccept = false;
    server.drain();
    await vi.advanceTimersByTimeAsync(10);
    // The hello with the token goes out, then the network drops before any answer.
    const second = server.sockets[1]!;
    second.accept();
    expect(second.messages()[0]).toMatchObject({ type: 'hello', resume: token });
    second.drop(1006);
    await vi.advanceTimersByTimeAsync(10);
    server.sockets[2]!.accept();
    await settle();
    expect(hellos().map((h) => h.resume)).toEqual([undefined, token, undefined]);
    expect(c.state).toBe('open');
    expect(c.connectionId).not.toBe('c1');
    expect(c.resumed).toBe(false);
  });

  it('passes the token on past sockets that never opened or that a draining process closed unread', async () => {
    const { c, token, states } = await inCall({
      backoff: { initialMs: 1_000, maxMs: 15_000 },
      random: () => 0.5,
    });
    server.drain();
    // The load balancer first sends us back to the stopping process (accept, 1012 at once)...
    server.draining = true;
    await vi.advanceTimersByTimeAsync(1_600);
    // ...then nothing answers for a moment...
    server.draining = false;
    server.refuse = true;
    await vi.advanceTimersByTimeAsync(2_000);
    // ...then another process does.
    server.refuse = false;
    await vi.advanceTimersByTimeAsync(1_000);

    expect(c.state).toBe('open');
    expect(c.connectionId).toBe('c1');
    expect(c.resumed).toBe(true);
    // Every hello after the drain carried the token until the one that was answered.
    expect(resumesSent().slice(1)).toEqual(
      resumesSent()
        .slice(1)
        .map(() => token),
    );
    expect(resumesSent().length).toBeGreaterThanOrEqual(4);
    // While a resume is pending the waits stay short (≤ 2 s), inside the handover window.
    const delays = states.filter((x) => x.state === 'reconnecting').map((x) => x.info?.delayMs);
    expect(delays.slice(0, 2)).toEqual([500, 1_000]);
    expect(delays.length).toBeGreaterThanOrEqual(4);
    expect(delays.every((d) => d !== undefined && d <= 1_000)).toBe(true);
  });

  it('a server that offers no resumeToken gets no resume after a 1012', async () => {
    server.resumable = false;
    const { c } = await inCall();
    server.drain();
    await vi.advanceTimersByTimeAsync(10);
    expect(resumesSent()).toEqual([undefined, undefined]);
    expect(c.connectionId).toBe('c2');
    expect(c.resumed).toBe(false);
  });

  it('too late for the handover: the token is presented once and the welcome brings a new id', async () => {
    const { c, token } = await inCall();
    server.refuse = true;
    server.drain();
    await vi.advanceTimersByTimeAsync(16_000);
    expect(server.handedOver()).toEqual([]);
    server.refuse = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(c.state).toBe('open');
    expect(resumesSent()).toEqual([undefined, token]);
    expect(c.connectionId).toBe('c2');
    expect(c.resumed).toBe(false);
    expect(c.resumePending).toBe(false);
  });
});

describe('SignalingClient token refresh', () => {
  const MIN = 60_000;
  const refreshes = (socket = server.lastSocket!) =>
    socket.messages().filter((m) => m.type === 'auth.refresh');

  /** A getFreshToken that hands out ada#f1, ada#f2, ... (or fails while `fail` says so). */
  function freshTokens(fail: (call: number) => boolean = () => false) {
    let n = 0;
    return vi.fn((_stale: string) => {
      const call = ++n;
      return fail(call) ? Promise.reject(new Error('offline')) : Promise.resolve(`ada#f${call}`);
    });
  }

  it('sends auth.refresh with a fresh token at 80 % of the lifetime and reschedules on auth.refreshed', async () => {
    const getFreshToken = freshTokens();
    const { c, states } = client({ getFreshToken });
    await Promise.all([c.connect(), settle()]);
    // Errors that answer other messages (or none) do not disturb the plan.
    server.lastSocket!.receive({ type: 'error', code: 'RATE_LIMITED', message: 'Slow down' });
    server.lastSocket!.receive({ type: 'error', ref: 'x', code: 'NOT_IN_ROOM', message: 'No' });

    await vi.advanceTimersByTimeAsync(12 * MIN - 1);
    expect(getFreshToken).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(getFreshToken).toHaveBeenCalledWith('ada#1');
    expect(refreshes()).toEqual([
      { type: 'auth.refresh', ref: expect.any(String), token: 'ada#f1' },
    ]);

    // auth.refreshed gave the socket 15 more minutes: the next refresh is 12 minutes later.
    await vi.advanceTimersByTimeAsync(12 * MIN - 1);
    expect(getFreshToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(getFreshToken).toHaveBeenLastCalledWith('ada#f1');
    expect(server.refreshTokens).toEqual(['ada#f1', 'ada#f2']);

    // An hour in: still the first socket, never a reconnect, never a 4002.
    await vi.advanceTimersByTimeAsync(40 * MIN);
    expect(server.sockets).toHaveLength(1);
    expect(server.connOf('ada')!.token).toBe('ada#f5');
    expect(c.state).toBe('open');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open']);
  });

  it('refreshes at least 30 s before the expiry of a short-lived token', async () => {
    server.tokenLifetimeMs = 60_000;
    const getFreshToken = freshTokens();
    const { c } = client({ getFreshToken });
    await Promise.all([c.connect(), settle()]);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(getFreshToken).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(server.refreshTokens).toEqual(['ada#f1']);
  });

  it('reads tokenExpiresAt on the server clock, whatever the skew of the local one', async () => {
    server.clockSkewMs = 10 * MIN;
    const getFreshToken = freshTokens();
    const { c } = client({ getFreshToken });
    await Promise.all([c.connect(), settle()]);
    await vi.advanceTimersByTimeAsync(12 * MIN - 1);
    expect(getFreshToken).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(getFreshToken).toHaveBeenCalledTimes(1);
  });

  it('retries a failed refresh before the expiry and keeps the socket when one succeeds', async () => {
    const getFreshToken = freshTokens((call) => call <= 2);
    const { c } = client({ getFreshToken });
    await Promise.all([c.connect(), settle()]);
    await vi.advanceTimersByTimeAsync(12 * MIN); // 180 s left: fails
    await vi.advanceTimersByTimeAsync(90_000); // 90 s left: fails
    expect(getFreshToken).toHaveBeenCalledTimes(2);
    expect(refreshes()).toEqual([]);
    await vi.advanceTimersByTimeAsync(45_000); // 45 s left: works
    expect(server.refreshTokens).toEqual(['ada#f3']);
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(server.sockets).toHaveLength(1);
    expect(c.state).toBe('open');
  });

  it('retries with another token when the server refuses one with an error', async () => {
    server.refreshError = (token) => (token === 'ada#f1' ? 'TOKEN_EXPIRED' : undefined);
    const getFreshToken = freshTokens();
    const { c } = client({ getFreshToken });
    await Promise.all([c.connect(), settle()]);
    await vi.advanceTimersByTimeAsync(16 * MIN);
    expect(server.refreshTokens).toEqual(['ada#f1', 'ada#f2']);
    expect(getFreshToken).toHaveBeenLastCalledWith('ada#1');
    expect(server.sockets).toHaveLength(1);
    expect(c.state).toBe('open');
  });

  it('after a few failed tries leaves it to 4002 TOKEN_EXPIRED, which reconnects with a new token', async () => {
    const getFreshToken = freshTokens(() => true);
    const { c, getToken, states } = client({ getFreshToken, random: () => 0 });
    await Promise.all([c.connect(), settle()]);
    await vi.advanceTimersByTimeAsync(15 * MIN - 1);
    expect(getFreshToken).toHaveBeenCalledTimes(6);
    expect(c.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1);
    expect(server.sockets[0]!.readyState).toBe(3);
    expect(states.at(-1)).toMatchObject({
      state: 'reconnecting',
      info: { code: 4002, reason: 'TOKEN_EXPIRED' },
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(c.state).toBe('open');
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(server.tokens).toEqual(['ada#1', 'ada#2']);
  });

  it('without getFreshToken asks getToken, again closer to the expiry while it returns the old token', async () => {
    // Like the auth store's getToken: a new token only when the old one has < 30 s left.
    let expiresAt = 0;
    let n = 0;
    const getToken = vi.fn(() =>
      Promise.resolve(n === 0 || expiresAt - Date.now() <= 30_000 ? `ada#${++n}` : `ada#${n}`),
    );
    const { c } = client({ getToken });
    await Promise.all([c.connect(), settle()]);
    expiresAt = Date.now() + 15 * MIN;
    await vi.advanceTimersByTimeAsync(15 * MIN - 1);
    expect(server.refreshTokens).toEqual(['ada#2']);
    await vi.advanceTimersByTimeAsync(MIN);
    expect(server.sockets).toHaveLength(1);
    expect(c.state).toBe('open');
  });

  it('sends no refresh after close(), nor from a socket that dropped', async () => {
    const getFreshToken = freshTokens();
    const { c } = client({ getFreshToken, random: () => 0 });
    await Promise.all([c.connect(), settle()]);
    await vi.advanceTimersByTimeAsync(5 * MIN);
    server.drop(server.connOf('ada')!);
    await vi.advanceTimersByTimeAsync(10);
    expect(server.sockets).toHaveLength(2);
    // The first socket's timer (12 min) is gone; the second one's runs from its welcome.
    await vi.advanceTimersByTimeAsync(7 * MIN);
    expect(getFreshToken).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(getFreshToken).toHaveBeenCalledTimes(1);
    expect(getFreshToken).toHaveBeenCalledWith('ada#2');

    c.close();
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(getFreshToken).toHaveBeenCalledTimes(1);
    expect(server.sockets).toHaveLength(2);
  });

  it('a fresh token that arrives after the socket closed is not sent', async () => {
    let release: (token: string) => void = () => undefined;
    const getFreshToken = vi.fn(() => new Promise<string>((r) => (release = r)));
    const { c } = client({ getFreshToken });
    await Promise.all([c.connect(), settle()]);
    await vi.advanceTimersByTimeAsync(12 * MIN);
    expect(getFreshToken).toHaveBeenCalledTimes(1);
    c.close();
    release('ada#f1');
    await settle();
    expect(server.refreshTokens).toEqual([]);
  });

  it.each(['SESSION_REVOKED', 'ACCOUNT_DISABLED'])(
    'treats 4002 %s as final: closed, no reconnect, no new token',
    async (reason) => {
      const { c, getToken, states } = client({ random: () => 0 });
      await Promise.all([c.connect(), settle()]);
      server.closeUnauthenticated(server.connOf('ada')!, reason);
      await vi.advanceTimersByTimeAsync(120_000);
      expect(server.sockets).toHaveLength(1);
      expect(getToken).toHaveBeenCalledTimes(1);
      expect(c.state).toBe('closed');
      expect(states.at(-1)).toEqual({ state: 'closed', info: { code: 4002, reason } });
      expect(isSignedOut(states.at(-1)!.info)).toBe(true);
    },
  );

  it('4002 TOKEN_EXPIRED still reconnects once with a new token', async () => {
    const { c, getToken, states } = client({ random: () => 0 });
    await Promise.all([c.connect(), settle()]);
    server.closeUnauthenticated(server.connOf('ada')!, 'TOKEN_EXPIRED');
    expect(isSignedOut(states.at(-1)!.info)).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    expect(c.state).toBe('open');
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(server.tokens).toEqual(['ada#1', 'ada#2']);
  });

  it('passes session.updated to onSessionUpdated listeners', async () => {
    const { c } = client();
    await Promise.all([c.connect(), settle()]);
    const seen = vi.fn();
    const off = c.onSessionUpdated(seen);
    const user = {
      id: server.connOf('ada')!.userId,
      email: 'ada@parley.test',
      displayName: 'Ada',
      role: 'admin' as const,
      isGuest: false,
      createdAt: '2025-01-01T09:00:00.000Z',
      lastSeenAt: null,
    };
    server.updateSession(user);
    off();
    server.updateSession({ ...user, displayName: 'Ada L.' });
    expect(seen).toHaveBeenCalledTimes(1);
    expect(seen).toHaveBeenCalledWith(user);
  });
});

describe('backoffDelay', () => {
  it('doubles the cap per attempt up to maxMs and scales it by random()', () => {
    const b = { initialMs: 100, maxMs: 1000 };
    const half = () => 0.5;
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, b, half))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect(backoffDelay(3, b, () => 0)).toBe(0);
    expect(backoffDelay(3, b, () => 0.999999)).toBeLessThan(400);
    expect(backoffDelay(50, b, () => 0.999999)).toBeLessThan(1000);
  });
});
