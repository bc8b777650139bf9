import { ErrorCode } from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.js';
import { parsePlainJson } from './plain-json.js';

/**
 * Parses application/json bodies with the socket's guard (platform/plain-json.ts), so
 * both edges refuse the same things: duplicate and `__proto__`/`constructor` keys, deep
 * nesting, huge numbers. Fastify's default parser lets duplicates and depth through.
 * A refused body is 400 INVALID_JSON in the documented error shape.
 */
export function registerJsonBody(app: FastifyInstance): void {
  // Replaces Fastify's default parser for this type; the instance's bodyLimit still applies.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      return done(invalidJson('The request body is empty; send a JSON value.'), undefined);
    }
    const result = parsePlainJson(text);
    if (!result.ok) {
      return done(invalidJson(`The request body was refused. ${result.reason}`), undefined);
    }
    done(null, result.value);
  });
}

function invalidJson(message: string): AppError {
  return new AppError(ErrorCode.INVALID_JSON, 400, message);
}
