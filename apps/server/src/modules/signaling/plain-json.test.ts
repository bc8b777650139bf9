import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parsePlainJson } from './plain-json.js';

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
    ['nesting past the limit', '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)],
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

  it('turns absurd numbers into values the schemas refuse, without throwing', () => {
    expect(parsePlainJson('{"n":1e999999}')).toEqual({ ok: true, value: { n: Infinity } });
    expect(parsePlainJson(`{"n":${'9'.repeat(10_000)}}`)).toMatchObject({ ok: true });
  });
});
