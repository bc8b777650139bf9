import { describe, expect, it } from 'vitest';
import { endedCode, joinErrorKey, outcomeOf } from './outcomes';

describe('the outcome of a refused join or an ended call', () => {
  it.each([
    ['LEFT', { kind: 'end', reason: 'left' }],
    ['KICKED_FROM_ROOM', { kind: 'end', reason: 'kicked' }],
    ['ROOM_CLOSED', { kind: 'end', reason: 'ended' }],
    ['NOT_APPROVED', { kind: 'prejoin' }],
    ['JOIN_DENIED', { kind: 'prejoin' }],
    ['ROOM_NOT_FOUND', { kind: 'prejoin' }],
    ['ACCOUNT_DISABLED', { kind: 'account-disabled' }],
    ['SESSION_REVOKED', { kind: 'signed-out' }],
    ['ROOM_FULL', { kind: 'retry', textKey: null }],
    ['SIGNALING_CLOSED', { kind: 'retry', textKey: null }],
    ['PROTOCOL_VERSION_UNSUPPORTED', { kind: 'retry', textKey: 'call.reloadApp' }],
  ])('%s → %o', (code, outcome) => {
    expect(outcomeOf(code)).toEqual(outcome);
  });

  it('an ended call stands for the code of its reason, or the server’s code when it failed', () => {
    expect(endedCode({ reason: 'left' })).toBe('LEFT');
    expect(endedCode({ reason: 'kicked' })).toBe('KICKED_FROM_ROOM');
    expect(endedCode({ reason: 'closed', detail: 'expired' })).toBe('ROOM_CLOSED');
    expect(endedCode({ reason: 'failed', detail: 'NOT_APPROVED' })).toBe('NOT_APPROVED');
    expect(endedCode({ reason: 'failed' })).toBe('INTERNAL');
  });

  it('explains a failed join by its code where the locale has one, else as a network failure', () => {
    const known = new Set(['errors.ROOM_FULL']);
    const exists = (key: string) => known.has(key);
    expect(joinErrorKey('ROOM_FULL', exists)).toBe('errors.ROOM_FULL');
    expect(joinErrorKey('SIGNALING_CLOSED', exists)).toBe('call.joinFailedText');
    expect(joinErrorKey('PROTOCOL_VERSION_UNSUPPORTED', exists)).toBe('call.reloadApp');
  });
});
