// Placeholder until the signaling module lands: registers nothing.
import type { FastifyInstance } from 'fastify';
import type { SignalingDeps } from './deps.js';

export function registerSignaling(
  _app: FastifyInstance,
  _deps: SignalingDeps,
): Promise<{ close(): Promise<void> }> {
  return Promise.resolve({ close: () => Promise.resolve() });
}
