import { ErrorResponse, IceServersResponse } from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { User } from '@parley/protocol';
import { bearerSecurity, currentUser } from '../../platform/auth/hook.js';
import type { Clock } from '../../platform/clock.js';
import type { TurnConfig } from '../../platform/config.js';
import { Errors } from '../../platform/errors.js';
import { iceServersFor } from './credentials.js';
import type { Metrics } from '../../platform/metrics.js';

export function iceRoutes(deps: {
  turn: TurnConfig;
  clock: Clock;
  authenticate: onRequestAsyncHookHandler;
  /** Whether a guest is in (or waiting for) a room: a relay is for calls, not for anyone. */
  guestHasRoom(user: User): Promise<boolean>;
  metrics?: Pick<Metrics, 'turnCredentials'>;
}) {
  return function register(app: FastifyInstance): void {
    app.withTypeProvider<ZodTypeProvider>().get('/ice-servers', {
      onRequest: deps.authenticate,
      schema: {
        tags: ['calls'],
        security: bearerSecurity,
        summary: 'STUN/TURN servers for RTCPeerConnection, with short-lived TURN credentials',
        description:
          'Signed-in members, and guests admitted to or waiting in a room (others 403). TURN credentials follow coturn’s shared-secret scheme and expire after ttlSeconds. No TURN configured: STUN only, or an empty list for a LAN.',
        response: { 200: IceServersResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
      handler: async (req, reply) => {
        const user = currentUser(req);
        // Guest accounts cost nothing to make: without a room they get no relay.
        if (user.isGuest && !(await deps.guestHasRoom(user))) {
          throw Errors.forbidden('Join a room first: guests get relay servers only for a call.');
        }
        // Credentials are per user and short-lived: never cache them in shared caches.
        reply.header('cache-control', 'private, no-store');
        const answer = iceServersFor(deps.turn, user.id, deps.clock.now());
        // Counted when a TURN credential went out (STUN alone hands out nothing).
        if (answer.iceServers.some((s) => s.credential !== undefined)) {
          deps.metrics?.turnCredentials.inc();
        }
        return answer;
      },
    });
  };
}
