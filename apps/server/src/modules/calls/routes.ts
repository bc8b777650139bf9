import {
  CallIdParam,
  CallResponse,
  CallSignalsResponse,
  CreateCallBody,
  ListCallsQuery,
  ListCallsResponse,
} from '@parley/protocol';
import type { Call, User } from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorResponses } from '../../platform/http-errors.js';
import { bearerSecurity, callerOf, currentUser } from '../../platform/auth/hook.js';
import type { CallsService } from './service.js';
import type { RequestContext } from '../../platform/request-context.js';

export type CallRoutesDeps = {
  calls: CallsService;
  authenticate: onRequestAsyncHookHandler;
};

const WHO =
  'Members only: no token 401, a guest 403 FORBIDDEN. Someone who is not a party gets 404 CALL_NOT_FOUND, as for no call.';

/** Direct calls over HTTP; the parties hear every change on their sockets (`call.*`). */
export function callRoutes(deps: CallRoutesDeps) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();
    // onRequest: who you are is settled before your body is even parsed (401 before 400).
    const auth = { onRequest: deps.authenticate };
    const tags = ['calls'];
    const security = bearerSecurity;

    r.post('/calls', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Call someone: rings every device of theirs',
        description:
          'Answers 201 with the call `ringing`, or already `busy` when the callee is in another call or does ' +
          'not want to be disturbed (the caller also gets `call.busy`). Errors: 400 CANNOT_CALL_SELF, ' +
          '400 CANNOT_CALL_GUEST, 404 USER_NOT_FOUND (unknown or disabled), 403 CALL_BLOCKED, ' +
          '409 ALREADY_IN_CALL (the caller is in a ringing or accepted call). ' +
          'Members only: no token 401, a guest 403 FORBIDDEN.',
        body: CreateCallBody,
        response: { 201: CallResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
      handler: async (req, reply) =>
        reply
          .code(201)
          .send({ call: await deps.calls.create(currentUser(req), req.body, callerOf(req)) }),
    });

    r.get('/calls', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'My call history, newest first, with the missed-calls badge',
        description:
          '`filter`: all, missed (missed calls to me), active (ringing or accepted). Pass `nextCursor` as ' +
          '`cursor` for the next page; a cursor not from this list is 400. Members only.',
        querystring: ListCallsQuery,
        response: { 200: ListCallsResponse, ...errorResponses(400, 401, 403) },
      },
      handler: async (req) => deps.calls.list(currentUser(req), req.query),
    });

    r.get('/calls/:id', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'One call, as one of its parties sees it',
        description: WHO,
        params: CallIdParam,
        response: { 200: CallResponse, ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req) => ({ call: await deps.calls.get(currentUser(req), req.params.id) }),
    });

    r.get('/calls/:id/signals', {
      ...auth,
      schema: {
        tags,
        security,
        summary: "The call's negotiation log: kinds and times, never SDP or candidates",
        description: `Direction is relative to the requester (sent or received). ${WHO}`,
        params: CallIdParam,
        response: { 200: CallSignalsResponse, ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req) => deps.calls.signals(currentUser(req), req.params.id),
    });

    const transitions = [
      [
        'accept',
        'Answer a ringing call (the callee): opens the call’s private room',
        'The caller gets `call.accepted` with `call.room`; every device of the callee gets ' +
          '`call.answered-elsewhere`. The caller: 403 NOT_CALL_PARTY; not ringing any more (cancelled, ' +
          'missed, accepted on another device): 409 INVALID_CALL_STATE.',
        (user: User, id: string) => deps.calls.accept(user, id),
      ],
      [
        'reject',
        'Decline a ringing call (the callee)',
        'Both parties get `call.rejected`. The caller: 403 NOT_CALL_PARTY; not ringing: 409 INVALID_CALL_STATE.',
        (user: User, id: string, origin: RequestContext) => deps.calls.reject(user, id, origin),
      ],
      [
        'cancel',
        'Hang up before an answer (the caller)',
        'Both parties get `call.cancelled`. The callee: 403 NOT_CALL_PARTY; not ringing: 409 INVALID_CALL_STATE.',
        (user: User, id: string, origin: RequestContext) => deps.calls.cancel(user, id, origin),
      ],
      [
        'end',
        'Hang up an accepted call (either party)',
        'Both parties get `call.ended` with the server-measured `durationSeconds`, and the call’s room ' +
          'closes. Not accepted: 409 INVALID_CALL_STATE.',
        (user: User, id: string, origin: RequestContext) => deps.calls.end(user, id, origin),
      ],
      [
        'seen',
        'Mark a missed call seen (the callee): it leaves the badge',
        'Answers 200 with the call (`missedUnseen: false`); repeating it is harmless and keeps the first ' +
          'time. The caller: 403 NOT_CALL_PARTY; a call that was not missed: 409 INVALID_CALL_STATE.',
        (user: User, id: string) => deps.calls.seen(user, id),
      ],
    ] as const satisfies readonly (readonly [
      string,
      string,
      string,
      (user: User, id: string, origin: RequestContext) => Promise<Call>,
    ])[];
    for (const [action, summary, description, fn] of transitions) {
      r.post(`/calls/:id/${action}`, {
        ...auth,
        schema: {
          tags,
          security,
          summary,
          description: `${description} ${WHO}`,
          params: CallIdParam,
          response: { 200: CallResponse, ...errorResponses(400, 401, 403, 404, 409) },
        },
        handler: async (req) => ({
          call: await fn(currentUser(req), req.params.id, callerOf(req)),
        }),
      });
    }
  };
}
