import { describe, expect, it } from 'vitest';
import { joinTargetPath, parseJoinInput } from './join-target';

const TOKEN =
  'eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoiMGI4ZSIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

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

  it('accepts a full invite link and keeps the token exactly', () => {
    expect(parseJoinInput(`https://parley.example.com/invite/${TOKEN}`)).toEqual({
      kind: 'invite',
      token: TOKEN,
    });
    expect(parseJoinInput(`http://192.168.1.20:8080/invite/${TOKEN}/`)).toEqual({
      kind: 'invite',
      token: TOKEN,
    });
  });

  it('accepts an invite link without its scheme, or just its path', () => {
    expect(parseJoinInput(`parley.example.com/invite/${TOKEN}`)).toEqual({
      kind: 'invite',
      token: TOKEN,
    });
    expect(parseJoinInput(`/invite/${TOKEN}`)).toEqual({ kind: 'invite', token: TOKEN });
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
    ['https://parley.example.com/invite/'],
    ['https://parley.example.com/invite/bad%20token'],
    ['javascript:alert(1)//invite/abc'],
    ['ftp://parley.example.com/invite/abc'],
  ])('rejects %j', (input) => {
    expect(parseJoinInput(input)).toBeNull();
  });
});

describe('joinTargetPath', () => {
  it('leads a code to the pre-join page and a token to the invite page', () => {
    expect(joinTargetPath({ kind: 'room', code: 'abc-defg-hjkm' })).toBe('/r/abc-defg-hjkm');
    expect(joinTargetPath({ kind: 'invite', token: TOKEN })).toBe(`/invite/${TOKEN}`);
  });
});
