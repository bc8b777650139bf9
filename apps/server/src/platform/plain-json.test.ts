import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, MAX_JSON_NUMBER_LENGTH, parsePlainJson } from './plain-json.js';

describe('parsePlainJson', () => {
  it('returns ordinary messages as they are, including braces, quotes and keys inside strings', () => {
    const text =
      '{"type":"signal","to":"c_1","description":{"type":"offer","sdp":"a=x:{\\"__proto__\\":1}\\\\"}}';
    expect(parsePlainJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
    expect(parsePlainJson('{"a":"constructor","b":["__proto__"]}')).toMatchObject({ ok: true });
  });

  it.each([
    ['malformed JSON', '{"type":'],
    ['a __proto__ key', '{"__proto__":{"polluted":true}}'],
    ['an escaped __proto__ key', '{"\\u005f_proto__":{"polluted":true}}'],
    ['a constructor key', '{"a":{"constructor":{"prototype":{}}}}'],
    ['a duplicate key', '{"type":"ping","type":"room.leave"}'],
    ['a duplicate key spelled with an escape', '{"type":"ping","typ\\u0065":"x"}'],
    ['a duplicate key with whitespace before the colon', '{"a" :1,\n"a"\t:\r2}'],
    ['nesting past the limit', '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)],
    ['a number past the double range', '{"n":1e999999}'],
    ['a negative number past the double range', '[-1.5e309]'],
    ['a 10,000-digit number', `{"n":${'9'.repeat(10_000)}}`],
    ['a long number that still fits a double', `[0.${'0'.repeat(MAX_JSON_NUMBER_LENGTH)}1]`],
  ])('refuses %s', (_name, text) => {
    expect(parsePlainJson(text).ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('allows the same key in sibling objects and nesting up to the limit', () => {
    expect(parsePlainJson('[{"a":1},{"a":2}]').ok).toBe(true);
    expect(parsePlainJson('{"a":{"a":{"a":1}}}').ok).toBe(true);
    const deep = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(parsePlainJson(deep).ok).toBe(true);
  });

  it('accepts every number JSON.stringify writes, the longest and the extremes included', () => {
    const text = JSON.stringify([
      -2.2250738585072014e-308,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.MIN_VALUE,
      Number.MAX_SAFE_INTEGER,
      -1e21,
      0.1 + 0.2,
    ]);
    expect(parsePlainJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
    expect(parsePlainJson('[1E+2,-0,0.5e-3]')).toEqual({ ok: true, value: [100, -0, 0.0005] });
  });

  it('says which rule was broken', () => {
    expect(parsePlainJson('{"a":1,"a":2}')).toEqual({
      ok: false,
      reason: 'Duplicate key in a JSON object.',
    });
    expect(parsePlainJson('{"constructor":1}')).toEqual({
      ok: false,
      reason: 'The key "constructor" is not allowed.',
    });
    expect(parsePlainJson('[1e400]')).toEqual({
      ok: false,
      reason: 'A number in the JSON is too large or too long.',
    });
  });
});
