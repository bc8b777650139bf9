import { ChatHistoryQuery, ChatHistoryResponse, RoomIdParam } from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from '../../platform/http-errors.js';
import { bearerSecurity, currentUser } from '../../platform/auth/hook.js';
import type { ChatService } from './service.js';

export type ChatRoutesDeps = {
  chat: ChatService;
  authenticate: onRequestAsyncHookHandler;
};

/** Chat history over HTTP; sending happens on the room socket (`chat.send`). */
export function chatRoutes(deps: ChatRoutesDeps) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get('/rooms/:id/messages', {
      onRequest: deps.authenticate,
      schema: {
        tags: ['chat'],
        security: bearerSecurity,
        summary: "Page back through a room's chat (people admitted to the room)",
        description:
          "Oldest first within a page. Pass the first message's id as `before` for the page before it. " +
          'No standing in the room: 404 ROOM_NOT_FOUND (as for an unknown room); pending, denied or removed: 403 NOT_APPROVED.',
        params: RoomIdParam,
        querystring: ChatHistoryQuery,
        response: { 200: ChatHistoryResponse, ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req) => deps.chat.history(req.params.id, currentUser(req), req.query),
    });
  };
}
