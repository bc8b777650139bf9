import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';

export type LogLine = { level: number; msg?: string; err?: { message?: string; stack?: string } };

/** pino's numeric level of `error`: what counts as a failure the process logged. */
export const ERROR_LEVEL = 50;

/**
 * Diverts an app's pino logger (built with a level, not `silent`) into memory, for a test
 * that must show the process logged no error. Child loggers made before or after share
 * their root's stream through the prototype chain, so every module's lines are caught.
 */
export function captureLog(log: FastifyBaseLogger): { lines: LogLine[]; errors(): LogLine[] } {
  const lines: LogLine[] = [];
  const stream = {
    write(s: string) {
      lines.push(JSON.parse(s) as LogLine);
    },
  };
  (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = stream;
  return { lines, errors: () => lines.filter((l) => l.level >= ERROR_LEVEL) };
}
