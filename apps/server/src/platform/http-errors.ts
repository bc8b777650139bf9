import { ErrorCode, ErrorResponse } from '@parley/protocol';
import type { FieldErrors } from '@parley/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from './errors.js';

/** A route's error responses for OpenAPI: `response: { 200: X, ...errorResponses(400, 404) }`. */
export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, ErrorResponse]));

export function errorBody(
  req: FastifyRequest,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): ErrorResponse {
  return {
    error: { code, message, details, requestId: req.id, timestamp: new Date().toISOString() },
  };
}

/** Maps Fastify's own errors (parsing, limits) to stable codes. */
function fromFastifyError(err: FastifyError): AppError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 413, 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        415,
        'Send JSON (Content-Type: application/json).',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError(ErrorCode.INVALID_JSON, 400, 'The request body is not valid JSON.');
  }
  // JSON.parse failures and prototype-poisoning rejections from the body parser.
  if (
    err.statusCode === 400 &&
    (err instanceof SyntaxError || /prototype|constructor|JSON/i.test(err.message))
  ) {
    return new AppError(ErrorCode.INVALID_JSON, 400, 'The request body is not valid JSON.');
  }
  if (err.statusCode === 429) {
    return new AppError(ErrorCode.RATE_LIMITED, 429, 'Too many requests. Slow down and try again.');
  }
  return undefined;
}

function fieldErrors(err: FastifyError): FieldErrors {
  const fields: FieldErrors = {};
  for (const v of err.validation ?? []) {
    const where = err.validationContext ?? 'body';
    const issuePath = (v.params as { issue?: { path?: PropertyKey[] } } | undefined)?.issue?.path;
    const path = issuePath?.length
      ? issuePath.map(String).join('.')
      : v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const key = path || where;
    (fields[key] ??= []).push(v.message ?? 'is invalid');
  }
  return fields;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.code(400).send(
        errorBody(req, ErrorCode.VALIDATION_FAILED, 'Some fields are invalid.', {
          fields: fieldErrors(err),
        }),
      );
    }
    const appErr = err instanceof AppError ? err : fromFastifyError(err);
    if (appErr) {
      if (appErr.status >= 500) req.log.error({ err }, appErr.message);
      return reply
        .code(appErr.status)
        .headers(appErr.headers)
        .send(errorBody(req, appErr.code, appErr.message, appErr.details));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // A client error Fastify raised that we have no code for: keep its status, hide its internals.
      req.log.info({ err }, 'client error');
      return reply
        .code(err.statusCode)
        .send(errorBody(req, 'BAD_REQUEST', 'The request could not be processed.'));
    }
    // Never leak a stack or message of an unexpected error to the client.
    req.log.error({ err }, 'unhandled error');
    return reply
      .code(500)
      .send(errorBody(req, ErrorCode.INTERNAL, 'Something went wrong on our side.'));
  });
}
