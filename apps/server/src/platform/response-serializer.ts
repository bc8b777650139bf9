import { isDeepStrictEqual } from 'node:util';
import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type ZodSchema = z.ZodType;

/**
 * Response serializers. The zod serializer (fastify-type-provider-zod) parses every answer
 * against its schema before `JSON.stringify`: ~3 µs of a small answer's ~15 µs of CPU. In
 * its place, fast-json-stringify compiled from the schema's JSON Schema writes the same
 * bytes: only declared properties, so a field a schema does not name (a password hash, a
 * token) never leaves, and a missing required one fails the answer (500). What it does not
 * do is check values (a number where a string belongs is written as text); the tests
 * compare both serializers on every answer (`checked`), so such a bug fails a test. A
 * schema JSON Schema cannot state (a transform, a date, a cycle) keeps the zod serializer.
 */
export function fastSerializerCompiler(opts: { checked?: boolean } = {}) {
  const compile: FastifySerializerCompiler<unknown> = (route) => {
    const viaZod = (serializerCompiler as FastifySerializerCompiler<unknown>)(route);
    const schema = zodOf(route.schema);
    const stringify = schema && compiled(schema);
    if (!stringify) {
      servedByZod.add(`${route.method} ${route.url} ${route.httpStatus}`);
      return viaZod;
    }
    const { method, url } = route;
    const fast = (data: unknown): string => {
      try {
        return stringify(data);
      } catch (err) {
        // As zod's refusal: a 500 with the generic message; the cause goes to the log.
        throw new Error(`Response of ${method} ${url} does not match its schema`, { cause: err });
      }
    };
    if (!opts.checked) return fast;
    return (data) => {
      const expected = viaZod(data);
      const written = fast(data);
      if (!isDeepStrictEqual(JSON.parse(written), JSON.parse(expected))) {
        throw new Error(`${method} ${url}: fast-json-stringify wrote ${written}, zod ${expected}`);
      }
      return written;
    };
  };
  return compile;
}

/** Answers left to the zod serializer ("METHOD url status"), for a test to keep short. */
export const servedByZod = new Set<string>();

/** The zod schema of a route's response, as fastify-type-provider-zod takes it. */
function zodOf(schema: unknown): ZodSchema | undefined {
  if (schema instanceof z.ZodType) return schema;
  const inner = (schema as { properties?: unknown } | undefined)?.properties;
  return inner instanceof z.ZodType ? inner : undefined;
}

/** A compiled stringifier, or undefined when JSON Schema cannot say what the schema says. */
function compiled(schema: ZodSchema): ((data: unknown) => string) | undefined {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, {
      io: 'output',
      target: 'draft-07',
      unrepresentable: 'throw',
      cycles: 'throw',
      reused: 'inline',
    });
  } catch {
    return undefined;
  }
  delete json.$schema;
  allowExtraFields(json);
  // Compiled at the first answer, not at start: each compilation holds an Ajv instance
  // (~25 KB), and most of the ~500 route and status pairs never answer in a process's life.
  let stringify: ((data: unknown) => string) | undefined;
  return (data) => {
    stringify ??= fastJson(json as unknown as Parameters<typeof fastJson>[0]);
    return stringify(data);
  };
}

/**
 * Drops every `additionalProperties: false`. fast-json-stringify writes only declared
 * properties either way; but to choose a branch of an `anyOf` (a nullable object, a union)
 * it validates the data against each branch, and with the flag an object carrying one
 * field more would match none and fail the answer, where zod drops the field.
 */
function allowExtraFields(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) allowExtraFields(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (schema.additionalProperties === false) delete schema.additionalProperties;
  for (const value of Object.values(schema)) allowExtraFields(value);
}
