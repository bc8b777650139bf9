import {
  AdminCallsPage,
  AdminCallsQuery,
  AdminRoomDetail,
  AdminRoomIdParam,
  AdminRoomResponse,
  AdminRoomsPage,
  AdminRoomsQuery,
} from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { adminsOnly, bearerSecurity, callerOf, currentUser } from '../../platform/auth/hook.js';
import { errorResponses } from '../../platform/http-errors.js';
import type { AdminService } from './service.js';

/**
 * The admin pages' rooms and calls. Every route: anonymous 401, anyone but an admin 403,
 * both decided before the query or body is read.
 */
export function adminRoutes(deps: {
  admin: AdminService;
  authenticate: onRequestAsyncHookHandler;
}) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const guard = [deps.authenticate, adminsOnly];

    r.get('/admin/rooms', {
      onRequest: guard,
      schema: {
        tags: ['admin'],
        summary: 'List rooms, newest first (admins only)',
        description:
          '`active` (the default): open rooms with someone in their call now; `open`: not ' +
          'ended; `closed`: ended. `participantCount` counts the people in the call now.',
        security: bearerSecurity,
        querystring: AdminRoomsQuery,
        response: { 200: AdminRoomsPage, ...errorResponses(400, 401, 403) },
      },
      handler: async (req) => deps.admin.rooms(currentUser(req), req.query),
    });

    r.get('/admin/rooms/:id', {
      onRequest: guard,
      schema: {
        tags: ['admin'],
        summary: 'A room with the connections in its call and everyone with a seat (admins only)',
        security: bearerSecurity,
        params: AdminRoomIdParam,
        response: { 200: AdminRoomDetail, ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req) => deps.admin.room(currentUser(req), req.params.id),
    });

    r.post('/admin/rooms/:id/close', {
      onRequest: guard,
      schema: {
        tags: ['admin'],
        summary: 'End a meeting for everyone (admins only)',
        description:
          'As the host\'s "end for all": everyone in the call and in the lobby gets ' +
          '`room.closed` and leaves; audited as `room.closed` with `by: "admin"`. 409 for a ' +
          "direct call's or an appointment's room, 410 ROOM_CLOSED when it had ended.",
        security: bearerSecurity,
        params: AdminRoomIdParam,
        response: { 200: AdminRoomResponse, ...errorResponses(400, 401, 403, 404, 409, 410) },
      },
      handler: async (req) => ({
        room: await deps.admin.closeRoom(currentUser(req), req.params.id, callerOf(req)),
      }),
    });

    r.get('/admin/calls', {
      onRequest: guard,
      schema: {
        tags: ['admin'],
        summary: 'List direct calls, newest first (admins only)',
        description: '`durationSeconds` is measured by the server, as in the call history.',
        security: bearerSecurity,
        querystring: AdminCallsQuery,
        response: { 200: AdminCallsPage, ...errorResponses(400, 401, 403) },
      },
      handler: async (req) => deps.admin.calls(currentUser(req), req.query),
    });
  };
}
