import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testApp } from '../test/harness.js';
import type { TestApp } from '../test/harness.js';
import { fastSerializerCompiler, servedByZod } from './response-serializer.js';

const route = (schema: unknown) => ({ schema, method: 'GET', url: '/x', httpStatus: '200' });

describe('response serializer', () => {
  const User = z.object({ id: z.string(), name: z.string(), role: z.enum(['a', 'b']).nullable() });

  it('writes what zod writes, without the fields the schema does not name', () => {
    const write = fastSerializerCompiler()(route(User));
    const data = { id: 'u1', name: 'Ann "A" \u2028', role: null, passwordHash: 'secret' };
    const out = write(data);
    expect(JSON.parse(out)).toEqual({ id: 'u1', name: 'Ann "A" \u2028', role: null });
    expect(out).not.toContain('secret');
  });

  it('an object with a field more inside a nullable or a union is written as zod writes it', () => {
    const Held = z.object({
      room: z.object({ id: z.string() }).nullable(),
      who: z.union([z.object({ kind: z.literal('a'), id: z.string() }), z.null()]),
    });
    const data = {
      room: { id: 'r', secret: 'x' },
      who: { kind: 'a', id: 'u', token: 'y' },
      extra: 1,
    };
    const out = fastSerializerCompiler({ checked: true })(route(Held))(data);
    expect(JSON.parse(out)).toEqual({ room: { id: 'r' }, who: { kind: 'a', id: 'u' } });
    expect(out).not.toMatch(/secret|token|extra/);
  });

  it('refuses an answer missing a required field (a 500, as zod refused it)', () => {
    const write = fastSerializerCompiler()(route(User));
    expect(() => write({ id: 'u1', role: 'a' })).toThrow(/does not match its schema/);
  });

  it('checked (the tests): a value of the wrong type fails, as zod would', () => {
    const data = { id: 'u1', name: 42, role: 'a' };
    // Unchecked, fast-json-stringify writes it as text; checked, zod's refusal stands.
    expect(JSON.parse(fastSerializerCompiler()(route(User))(data))).toMatchObject({ name: '42' });
    expect(() => fastSerializerCompiler({ checked: true })(route(User))(data)).toThrow();
  });

  it('a schema JSON Schema cannot state (a date) keeps the zod serializer', () => {
    const Dated = z.object({ at: z.date() });
    const write = fastSerializerCompiler()({ ...route(Dated), url: '/dated' });
    expect(JSON.parse(write({ at: new Date(0) }))).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    expect(servedByZod).toContain('GET /dated 200');
  });
});

describe("the app's answers", () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('every response schema of every route is written by fast-json-stringify', async () => {
    servedByZod.clear();
    t = await testApp();
    // Serializers compile when a route is registered: the whole app's are in by now. A 204
    // has no body to write (its schema is empty).
    expect([...servedByZod].filter((r) => !r.endsWith(' 204'))).toEqual([]);
  });
});
