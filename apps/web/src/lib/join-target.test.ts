import { describe, expect, it } from 'vitest';
import { joinTargetPath, parseJoinInput } from './join-target';

const INVITE = 'Xk4w9-2Pqzt';

describe('parseJoinInput', () => {
  it.each([
    ['abc-defg-hjkm', 'abc-defg-hjkm'],
    ['ABC-DEFG-HJKM', 'abc-defg-hjkm'],
    ['abcdefghjkm', 'abc-defg-hjkm'],
    ['  AbCdEfGhJkM  ', 'abc-defg-hjkm'],
    ['abc defg hjkm', 'abc-defg-hjkm'],
  ])('accepts the room code %j in any case, with or without dashes', (input, code) => {
    expect(parseJoinInput(input)).toEqual({ kind: 'room', code });
  });

  it('accepts a full invite link and keeps the code exactly', () => {
    expect(parseJoinInput(`https://parley.example.com/i/${INVITE}`)).toEqual({
      kind: 'invite',
      code: INVITE,
    });
    expect(parseJoinInput(`http://192.168.1.20:8080/i/${INVITE}/`)).toEqual({
      kind: 'invite',
      code: INVITE,
    });
  });

  it('accepts an invite link without its scheme, just its path, or the bare code', () => {
    expect(parseJoinInput(`parley.example.com/i/${INVITE}`)).toEqual({
      kind: 'invite',
      code: INVITE,
    });
    expect(parseJoinInput(`/i/${INVITE}`)).toEqual({ kind: 'invite', code: INVITE });
    expect(parseJoinInput(`  ${INVITE} `)).toEqual({ kind: 'invite', code: INVITE });
  });

  it('accepts a room link, normalising its code', () => {
    expect(parseJoinInput('https://parley.example.com/r/ABCDEFGHJKM')).toEqual({
      kind: 'room',
      code: 'abc-defg-hjkm',
    });
    expect(parseJoinInput('https://parley.example.com/r/abc-defg-hjkm/call?x=1#y')).toEqual({
      kind: 'room',
      code: 'abc-defg-hjkm',
    });
  });

  it.each([
    [''],
    ['   '],
    ['hello'],
    // i, l and o are not in the code alphabet.
    ['abc-defg-hjko'],
    // Too short, too long.
    ['abc-defg-hjk'],
    ['abc-defg-hjkmn'],
    ['https://parley.example.com/'],
    ['https://parley.example.com/rooms'],
    ['https://parley.example.com/r/not-a-code'],
    ['https://parley.example.com/i/'],
    ['https://parley.example.com/i/bad%20token'],
    // Old signed links are no invites any more.
    ['https://parley.example.com/invite/eyJ.x.y'],
    // l and 1 are not in the invite alphabet; one character short.
    ['Xk4w9-2Pqzl'],
    ['Xk4w9-2Pqz'],
    ['javascript:alert(1)//i/Xk4w9-2Pqzt'],
    ['ftp://parley.example.com/i/Xk4w9-2Pqzt'],
  ])('rejects %j', (input) => {
    expect(parseJoinInput(input)).toBeNull();
  });
});

describe('joinTargetPath', () => {
  it('leads a room code to the pre-join page and an invite code to the invite page', () => {
    expect(joinTargetPath({ kind: 'room', code: 'abc-defg-hjkm' })).toBe('/r/abc-defg-hjkm');
    expect(joinTargetPath({ kind: 'invite', code: INVITE })).toBe(`/i/${INVITE}`);
  });
});
