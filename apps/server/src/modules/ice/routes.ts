import { ErrorResponse, IceServersResponse } from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { bearerSecurity, currentUser } from '../../platform/auth/hook.js';
import type { Clock } from '../../platform/clock.js';
import type { TurnConfig } from './credentials.js';
import { iceServersFor } from './credentials.js';

export function iceRoutes(deps: {
  turn: TurnConfig;
  clock: Clock;
  authenticate: onRequestAsyncHookHandler;
}) {
  return function register(app: FastifyInstance): void {
    app.withTypeProvider<ZodTypeProvider>().get('/ice-servers', {
      onRequest: deps.authenticate,
      schema: {
        tags: ['calls'],
        security: bearerSecurity,
        summary: 'STUN/TURN servers for RTCPeerConnection, with short-lived TURN credentials',
        description:
          'Signed-in users and guests only. TURN credentials follow coturn’s shared-secret scheme and expire after ttlSeconds. No TURN configured: STUN only, or an empty list for a LAN.',
        response: { 200: IceServersResponse, 401: ErrorResponse },
      },
      handler: (req, reply) => {
        // Credentials are per user and short-lived: never cache them in shared caches.
        reply.header('cache-control', 'private, no-store');
        return iceServersFor(deps.turn, currentUser(req).id, deps.clock.now());
      },
    });
  };
}
