/**
 * The JSON bodies the HTTP peers answer with: the shape and size of Parley's own
 * (`GET /api/auth/me` 208 bytes, `GET /api/health` 119 bytes), built and serialized per
 * request as a real handler would.
 */
import { randomUUID } from 'node:crypto';

const userId = randomUUID();
const createdAt = new Date().toISOString();

export function meBody() {
  return {
    user: {
      id: userId,
      email: 'bench0-1a2f2b@example.org',
      displayName: 'Bench user 0',
      role: 'member',
      isGuest: false,
      createdAt,
      lastSeenAt: null,
    },
  };
}

export function healthBody() {
  return {
    status: 'ok',
    version: '0.1.0',
    checks: { db: { status: 'ok', latencyMs: 0.8 }, bus: { status: 'ok', latencyMs: 0.2 } },
  };
}
