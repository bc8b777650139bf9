import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import type { LogStream } from '../platform/logger.js';

// An app's log kept in memory, for tests that must show what the process logged (or
// that it logged no error, or no secret).

export type LogLine = { level: number; msg?: string; err?: { message?: string; stack?: string } };

/** pino's numeric level of `error`: what counts as a failure the process logged. */
export const ERROR_LEVEL = 50;

export type CapturedLog = {
  /** Every line as written. */
  raw: string[];
  lines: LogLine[];
  errors(): LogLine[];
  /** The whole log as text, to look for what must never be in it. */
  text(): string;
  stream: LogStream;
};

/** A log stream to build an app with (`buildApp` deps `logStream`; level not `silent`). */
export function logCapture(): CapturedLog {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  return {
    raw,
    lines,
    errors: () => lines.filter((l) => l.level >= ERROR_LEVEL),
    text: () => raw.join('\n'),
    stream: {
      write(s: string) {
        for (const line of s.split('\n').filter(Boolean)) {
          raw.push(line);
          lines.push(JSON.parse(line) as LogLine);
        }
      },
    },
  };
}

/**
 * Diverts a built app's pino logger (built with a level, not `silent`) into memory. Child
 * loggers made before or after share their root's stream through the prototype chain, so
 * every module's lines are caught.
 */
export function captureLog(log: FastifyBaseLogger): CapturedLog {
  const captured = logCapture();
  (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = captured.stream;
  return captured;
}
