import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, MAX_JSON_NUMBER_LENGTH, parsePlainJson } from './plain-json.js';

// JSON.parse is the oracle: the guard returns exactly what JSON.parse returns, or refuses,
// and it refuses exactly when one of its rules applies to what JSON.parse saw.

const FORBIDDEN = new Set(['__proto__', 'constructor']);

/** Nesting as the guard counts it: a container is one level, a scalar none. */
function depth(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depth));
  if (v !== null && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depth));
  return 0;
}

function hasForbiddenKey(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasForbiddenKey);
  if (v !== null && typeof v === 'object') {
    return Object.keys(v).some((k) => FORBIDDEN.has(k)) || Object.values(v).some(hasForbiddenKey);
  }
  return false;
}

/** The guard on text that holds no duplicate keys and no long numbers (JSON.stringify's output). */
function expectAgreesWithJsonParse(text: string): void {
  const expected: unknown = JSON.parse(text);
  const result = parsePlainJson(text);
  const shouldRefuse = depth(expected) > MAX_JSON_DEPTH || hasForbiddenKey(expected);
  if (shouldRefuse) expect(result.ok).toBe(false);
  else expect(result).toEqual({ ok: true, value: expected });
}

/** Never throws; a refusal is the error result; an acceptance is JSON.parse's value. */
function expectCleanOutcome(text: string): void {
  let parsed: { ok: true; value: unknown } | { ok: false };
  try {
    parsed = { ok: true, value: JSON.parse(text) };
  } catch {
    parsed = { ok: false };
  }
  const result = parsePlainJson(text);
  if (result.ok) {
    expect(parsed).toEqual({ ok: true, value: result.value });
  } else {
    expect(typeof result.reason).toBe('string');
    expect(result.reason.length).toBeGreaterThan(0);
  }
  if (!parsed.ok) expect(result.ok).toBe(false);
}

const WHITESPACE = ['', '', ' ', '\n', '\t', '\r\n', '  '];

/**
 * Serializes like JSON.stringify but spells it differently: whitespace between tokens,
 * `\uXXXX` and `\/` escapes in strings and keys. JSON.parse reads the same value back.
 */
function looseStringify(v: unknown, g: fc.GeneratorValue): string {
  const ws = () => g(fc.constantFrom, ...WHITESPACE);
  const str = (s: string) => {
    let out = '"';
    for (let i = 0; i < s.length; i++) {
      const unit = s.charAt(i);
      const choice = g(fc.integer, { min: 0, max: 3 });
      if (choice === 0) {
        const hex = unit.charCodeAt(0).toString(16).padStart(4, '0');
        out += `\\u${g(fc.boolean) ? hex.toUpperCase() : hex}`;
      } else if (choice === 1 && unit === '/') {
        out += '\\/';
      } else {
        out += JSON.stringify(unit).slice(1, -1);
      }
    }
    return `${out}"`;
  };
  const walk = (x: unknown): string => {
    if (Array.isArray(x)) return `[${ws()}${x.map((e) => walk(e)).join(`${ws()},${ws()}`)}${ws()}]`;
    if (x !== null && typeof x === 'object') {
      const members = Object.entries(x).map(([k, e]) => `${str(k)}${ws()}:${ws()}${walk(e)}`);
      return `{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}`;
    }
    if (typeof x === 'string') return str(x);
    return JSON.stringify(x);
  };
  return `${ws()}${walk(v)}${ws()}`;
}

/** Wraps a JSON text in `levels` arrays or objects. */
function nest(text: string, levels: readonly ('array' | 'object')[]): string {
  return levels.reduceRight(
    (inner, kind) => (kind === 'array' ? `[${inner}]` : `{"k":${inner}}`),
    text,
  );
}

const unicodeJsonValue = fc.jsonValue({ stringUnit: 'binary' });
const container = fc.constantFrom('array' as const, 'object' as const);
/** Small values the guard accepts on their own. */
const plainValue = fc.jsonValue({ maxDepth: 2 }).filter((v) => !hasForbiddenKey(v));

describe('parsePlainJson against JSON.parse', () => {
  it('agrees with JSON.parse on any JSON text, refusing only forbidden keys and deep nesting', () => {
    fc.assert(fc.property(fc.json(), expectAgreesWithJsonParse), { numRuns: 500 });
    fc.assert(fc.property(fc.json({ stringUnit: 'binary' }), expectAgreesWithJsonParse), {
      numRuns: 500,
    });
  });

  it('reads whitespace and escapes the way JSON.parse does, keys included', () => {
    fc.assert(
      fc.property(unicodeJsonValue, fc.gen(), (v, g) => {
        expectAgreesWithJsonParse(looseStringify(v, g));
      }),
      { numRuns: 300 },
    );
  });

  it('finds a forbidden key however it is spelled and wherever it sits', () => {
    const wrappers = fc
      .integer({ min: 0, max: MAX_JSON_DEPTH - 2 })
      .chain((n) => fc.array(container, { minLength: n, maxLength: n }));
    fc.assert(
      fc.property(
        fc.constantFrom(...FORBIDDEN),
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
        unicodeJsonValue,
        wrappers,
        fc.gen(),
        (key, siblings, value, levels, g) => {
          const object = JSON.parse(looseStringify(siblings, g)) as Record<string, unknown>;
          const text = looseStringify(object, g);
          const member = `${looseStringify(key, g)}:${looseStringify(value, g)}`;
          const withKey = text.replace(/}\s*$/, (end) =>
            Object.keys(object).length ? `,${member}${end}` : `${member}${end}`,
          );
          expect(parsePlainJson(nest(withKey, levels)).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a duplicate key however it is spelled, and accepts the object without it', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }),
        fc.array(plainValue, { minLength: 7, maxLength: 7 }),
        fc.nat(),
        fc.gen(),
        (keys, values, pick, g) => {
          fc.pre(!keys.some((k) => FORBIDDEN.has(k)));
          const members = keys.map(
            (k, i) => `${looseStringify(k, g)}:${JSON.stringify(values[i])}`,
          );
          const unique = `{${members.join(',')}}`;
          expect(parsePlainJson(unique).ok).toBe(true);
          const again = `${looseStringify(keys[pick % keys.length], g)}:${JSON.stringify(values[6])}`;
          const at = g(fc.integer, { min: 0, max: members.length });
          const withDuplicate = [...members.slice(0, at), again, ...members.slice(at)];
          expect(parsePlainJson(`{${withDuplicate.join(',')}}`)).toMatchObject({
            ok: false,
            reason: 'Duplicate key in a JSON object.',
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses exactly the nesting past the limit', () => {
    fc.assert(
      fc.property(
        // The count drawn first: left to fc.array, lengths near the limit would be rare.
        fc
          .integer({ min: 1, max: MAX_JSON_DEPTH + 4 })
          .chain((n) => fc.array(container, { minLength: n, maxLength: n })),
        fc.oneof(fc.constant('1'), fc.constant('[]'), fc.constant('{}'), fc.json({ maxDepth: 2 })),
        (levels, inner) => {
          expectAgreesWithJsonParse(nest(inner, levels));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts a number only when it is short and a double holds it, then as JSON.parse reads it', () => {
    const literal = fc.stringMatching(/^-?(0|[1-9]\d{0,40})(\.\d{1,40})?([eE][+-]?\d{1,4})?$/);
    fc.assert(
      fc.property(literal, (n) => {
        const result = parsePlainJson(`{"n":[${n}]}`);
        const acceptable = n.length <= MAX_JSON_NUMBER_LENGTH && Number.isFinite(Number(n));
        if (acceptable) expect(result).toEqual({ ok: true, value: { n: [JSON.parse(n)] } });
        else expect(result.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on mangled JSON, and refuses whatever JSON.parse refuses', () => {
    const significant = fc.constantFrom(...'{}[]",:\\ 0-eE.tfnu'.split(''), '\\u', '"a":', '1e999');
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 3 }),
      insert: fc.oneof(significant, fc.string({ unit: 'binary', maxLength: 3 })),
    });
    fc.assert(
      fc.property(
        fc.json({ stringUnit: 'binary' }),
        fc.array(edit, { maxLength: 4 }),
        (text, edits) => {
          let mangled = text;
          for (const { at, remove, insert } of edits) {
            const i = at % (mangled.length + 1);
            mangled = mangled.slice(0, i) + insert + mangled.slice(i + remove);
          }
          expectCleanOutcome(mangled);
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary' }), expectCleanOutcome), { numRuns: 500 });
  });
});
