import { describe, expect, it } from 'vitest';
import { SIO_CONNECT, SIO_PONG, decodeFrame, encodeEvent } from './sio-frames.js';

describe('Socket.IO frames over raw ws', () => {
  it('encodes an event as 42["name",payload]', () => {
    expect(encodeEvent('room.join', { roomId: 'r1', ref: 'j1' })).toBe(
      '42["room.join",{"roomId":"r1","ref":"j1"}]',
    );
    expect(SIO_CONNECT).toBe('40');
    expect(SIO_PONG).toBe('3');
  });

  it('decodes the Engine.IO open packet, ping and close', () => {
    const open =
      '0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';
    expect(decodeFrame(open)).toEqual({
      kind: 'open',
      data: {
        sid: 'abc',
        upgrades: [],
        pingInterval: 25000,
        pingTimeout: 20000,
        maxPayload: 1000000,
      },
    });
    expect(decodeFrame('2')).toEqual({ kind: 'ping' });
    expect(decodeFrame('3')).toEqual({ kind: 'pong' });
    expect(decodeFrame('1')).toEqual({ kind: 'close' });
  });

  it('decodes connect, events (with a namespace or an ack id), errors and disconnect', () => {
    expect(decodeFrame('40{"sid":"s1"}')).toEqual({ kind: 'connect', data: { sid: 's1' } });
    expect(decodeFrame('42["welcome",{"connectionId":"c_1"}]')).toEqual({
      kind: 'event',
      name: 'welcome',
      data: { connectionId: 'c_1' },
    });
    expect(decodeFrame('42/admin,7["x",1]')).toEqual({ kind: 'event', name: 'x', data: 1 });
    expect(decodeFrame('44{"message":"nope"}')).toEqual({
      kind: 'connect_error',
      data: { message: 'nope' },
    });
    expect(decodeFrame('41')).toEqual({ kind: 'disconnect' });
  });

  it('round-trips what it encodes', () => {
    const payload = { roomId: 'r', participant: { connectionId: 'c', media: { audio: true } } };
    expect(decodeFrame(encodeEvent('participant.updated', payload))).toEqual({
      kind: 'event',
      name: 'participant.updated',
      data: payload,
    });
  });

  it('leaves what it does not know as unknown', () => {
    expect(decodeFrame('6')).toEqual({ kind: 'unknown', text: '6' });
    expect(decodeFrame('49')).toEqual({ kind: 'unknown', text: '49' });
    expect(decodeFrame('42{"not":"an array"}')).toEqual({
      kind: 'unknown',
      text: '42{"not":"an array"}',
    });
  });
});
