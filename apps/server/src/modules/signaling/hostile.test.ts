import { WS_LIMITS } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './test-client.js';
import { SignalingServer } from './test-server.js';
import type { Person } from './test-server.js';

// Hostile input against the real server. After every case, a call in another room must
// still work: nothing here may take the process or other rooms down.

let s: SignalingServer;
let bystanders: { x: TestClient; y: TestClient };
let victimRoom: { host: Person; roomId: string };

beforeAll(async () => {
  s = await SignalingServer.start();
  const host = await s.member('bystander');
  const roomId = await s.createRoom(host);
  const other = await s.guest('Bystander');
  await s.enter(other, roomId);
  // Opened outside the tracked set so closeClients() between tests leaves them alone.
  const x = await TestClient.connect(s.wsUrl, host.token);
  const y = await TestClient.connect(s.wsUrl, other.token);
  await x.join(roomId);
  await y.join(roomId);
  bystanders = { x, y };
  const victimHost = await s.member('target');
  victimRoom = { host: victimHost, roomId: await s.createRoom(victimHost) };
});

afterEach(async () => {
  await s.closeClients();
  // The server still serves another room's participants normally.
  const { x, y } = bystanders;
  const sdp = `v=0\r\no=- ${Math.random()}\r\n`;
  x.send({ type: 'signal', to: y.connectionId, description: { type: 'offer', sdp } });
  expect(await y.next('signal')).toMatchObject({
    from: x.connectionId,
    description: { sdp },
  });
  y.send({ type: 'media.update', audio: true, video: true, screen: false });
  await x.next('participant.updated');
});

afterAll(async () => {
  await bystanders.x.close();
  await bystanders.y.close();
  await s.close();
});

async function pong(c: TestClient): Promise<void> {
  const ref = `p-${Math.random()}`;
  c.send({ type: 'ping', ref });
  await c.next('pong', { match: (m) => m.ref === ref });
}

async function ready(): Promise<TestClient> {
  return s.connect(await s.guest());
}

describe('after hello: an error answer, and the connection stays', () => {
  it('malformed JSON is INVALID_JSON', async () => {
    const c = await ready();
    c.sendRaw('{"type":"ping",');
    expect(await c.next('error')).toMatchObject({ code: 'INVALID_JSON' });
    await pong(c);
  });

  it('an unknown type is UNKNOWN_MESSAGE_TYPE, echoing the ref', async () => {
    const c = await ready();
    c.send({ type: 'room.destroy', ref: 'u1' });
    expect(await c.next('error')).toMatchObject({ code: 'UNKNOWN_MESSAGE_TYPE', ref: 'u1' });
    await pong(c);
  });

  it('missing fields are INVALID_MESSAGE naming the field', async () => {
    const c = await ready();
    c.send({ type: 'room.join', ref: 'm1' });
    expect(await c.next('error')).toMatchObject({
      code: 'INVALID_MESSAGE',
      ref: 'm1',
      details: { fields: { roomId: [expect.any(String)] } },
    });
    c.send({ type: 'signal', to: 'c_x' });
    expect(await c.next('error')).toMatchObject({ code: 'INVALID_MESSAGE' });
    await pong(c);
  });

  it('a second hello is INVALID_MESSAGE', async () => {
    const guest = await s.guest();
    const c = await s.connect(guest);
    c.send({ type: 'hello', token: guest.token, protocolVersion: 1, ref: 'h2' });
    expect(await c.next('error')).toMatchObject({ code: 'INVALID_MESSAGE', ref: 'h2' });
    await pong(c);
  });

  it.each([
    ['a __proto__ key', '{"type":"ping","__proto__":{"polluted":true}}'],
    ['a constructor key', '{"type":"ping","constructor":{"prototype":{"polluted":true}}}'],
    [
      'a nested __proto__ key',
      '{"type":"media.update","audio":true,"video":true,"screen":true,"x":{"__proto__":{"polluted":true}}}',
    ],
    ['duplicate keys', '{"type":"ping","type":"room.leave"}'],
    ['deep nesting', `{"type":"ping","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`],
  ])('%s is INVALID_JSON and pollutes nothing', async (_name, frame) => {
    const c = await ready();
    c.sendRaw(frame);
    expect(await c.next('error')).toMatchObject({ code: 'INVALID_JSON' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    await pong(c);
  });

  it('huge numbers are INVALID_JSON, not a crash', async () => {
    const c = await ready();
    c.sendRaw('{"type":"room.join","roomId":1e999999}');
    expect(await c.next('error')).toMatchObject({ code: 'INVALID_JSON' });
    c.sendRaw(`{"type":"hello","token":"t","protocolVersion":${'9'.repeat(5000)}}`);
    expect(await c.next('error')).toMatchObject({ code: 'INVALID_JSON' });
    await pong(c);
  });

  it('a signal to a stranger (another room, a made-up id, oneself) is TARGET_NOT_FOUND and reaches no one', async () => {
    const guest = await s.guest();
    await s.enter(guest, victimRoom.roomId);
    const c = await s.inRoom(guest, victimRoom.roomId);
    const targets = [bystanders.x.connectionId, 'c_madeUpButPlausible', c.connectionId];
    for (const [i, to] of targets.entries()) {
      c.send({ type: 'signal', ref: `t${i}`, to, candidate: null });
      expect(await c.next('error', { match: (m) => m.ref === `t${i}` })).toEqual({
        type: 'error',
        ref: `t${i}`,
        code: 'TARGET_NOT_FOUND',
        message: 'No such peer in this room.',
      });
    }
    await pong(bystanders.x);
    expect(bystanders.x.peekAll('signal')).toEqual([]);
    expect(c.peekAll('signal')).toEqual([]);
  });
});

describe('before hello and past the limits: closed with the documented code', () => {
  it('anything but hello first closes with 4004 after an error', async () => {
    const c = await s.open();
    c.send({ type: 'ping', ref: 'early' });
    expect(await c.next('error')).toMatchObject({ code: 'HELLO_REQUIRED', ref: 'early' });
    expect(await c.whenClosed()).toEqual({ code: 4004, reason: 'HELLO_REQUIRED' });
  });

  it('room.join before hello closes with 4004', async () => {
    const c = await s.open();
    c.send({ type: 'room.join', roomId: victimRoom.roomId });
    expect(await c.whenClosed()).toEqual({ code: 4004, reason: 'HELLO_REQUIRED' });
  });

  it('malformed JSON or a bad hello first closes with 4004', async () => {
    const a = await s.open();
    a.sendRaw('hello?');
    expect(await a.whenClosed()).toEqual({ code: 4004, reason: 'INVALID_JSON' });
    const b = await s.open();
    b.send({ type: 'hello', protocolVersion: 1 });
    expect(await b.next('error')).toMatchObject({
      code: 'INVALID_MESSAGE',
      details: { fields: { token: [expect.any(String)] } },
    });
    expect(await b.whenClosed()).toEqual({ code: 4004, reason: 'INVALID_MESSAGE' });
  });

  it('no hello in time closes with 4001', async () => {
    const c = await s.open();
    // Not before the timeout: checked on fake time in hub.test.ts.
    expect(await c.whenClosed()).toEqual({ code: 4001, reason: 'HELLO_REQUIRED' });
  });

  it('a bad token closes with 4002 after an error naming it', async () => {
    const c = await s.open();
    c.send({ type: 'hello', token: 'not-a-jwt', protocolVersion: 1 });
    expect(await c.next('error')).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(await c.whenClosed()).toEqual({ code: 4002, reason: 'INVALID_TOKEN' });
  });

  it('an unsupported protocol version closes with 4003', async () => {
    const guest = await s.guest();
    const c = await s.open();
    c.send({ type: 'hello', token: guest.token, protocolVersion: 2 });
    expect(await c.next('error')).toMatchObject({ code: 'PROTOCOL_VERSION_UNSUPPORTED' });
    expect(await c.whenClosed()).toEqual({ code: 4003, reason: 'PROTOCOL_VERSION_UNSUPPORTED' });
  });

  it('a frame over maxPayloadBytes closes with 1009, while one just under it is read', async () => {
    const c = await ready();
    // Exactly at the limit is still a message (an invalid one); one byte more is not.
    const pad = WS_LIMITS.maxPayloadBytes - '{"type":"ping","x":""}'.length;
    c.sendRaw(`{"type":"ping","x":"${'a'.repeat(pad)}"}`);
    expect(await c.next('error')).toMatchObject({ code: 'INVALID_MESSAGE' });
    c.sendRaw('a'.repeat(WS_LIMITS.maxPayloadBytes + 1));
    expect((await c.whenClosed()).code).toBe(1009);
  });

  it('a burst up to WS_LIMITS.burst is served; a flood past it is RATE_LIMITED and closed with 4008', async () => {
    const c = await ready();
    const burst = WS_LIMITS.burst - 1; // the hello took one token
    for (let i = 0; i < burst; i++) c.send({ type: 'ping', ref: `b${i}` });
    await c.next('pong', { match: (m) => m.ref === `b${burst - 1}` });
    expect(c.received.filter((m) => m.type === 'pong')).toHaveLength(burst);
    for (let i = 0; i < 100; i++) c.send({ type: 'ping' });
    expect(await c.next('error')).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await c.whenClosed()).toEqual({ code: 4008, reason: 'RATE_LIMITED' });
  });

  it('a binary frame closes with 1003', async () => {
    const c = await ready();
    c.sendRaw(Buffer.from('{"type":"ping"}'), { binary: true });
    expect(await c.whenClosed()).toEqual({ code: 1003, reason: 'INVALID_MESSAGE' });
  });

  it('a participant closed for a violation leaves the room like any disconnect', async () => {
    const h = await s.inRoom(victimRoom.host, victimRoom.roomId);
    const guest = await s.guest();
    await s.enter(guest, victimRoom.roomId);
    const c = await s.inRoom(guest, victimRoom.roomId);
    c.sendRaw(Buffer.from([1, 2, 3]), { binary: true });
    expect((await c.whenClosed()).code).toBe(1003);
    expect(
      await h.next('participant.left', { match: (m) => m.connectionId === c.connectionId }),
    ).toMatchObject({
      reason: 'disconnected',
    });
  });
});
