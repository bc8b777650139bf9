import {
  AppointmentDetailResponse,
  AppointmentIdParam,
  AppointmentResponse,
  AppointmentRoomResponse,
  CanJoinResponse,
  CancelAppointmentBody,
  CreateAppointmentBody,
  ListAppointmentsQuery,
  ListAppointmentsResponse,
  RescheduleAppointmentBody,
  SetPaymentBody,
} from '@parley/protocol';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bearerSecurity, callerOf, currentUser, onlyUsers } from '../../platform/auth/hook.js';
import { Errors } from '../../platform/errors.js';
import { errorResponses } from '../../platform/http-errors.js';
import type { AppointmentsService } from './service.js';

export type AppointmentRoutesDeps = {
  appointments: AppointmentsService;
  authenticate: onRequestAsyncHookHandler;
  /** Origin of the calendar file's link (PUBLIC_URL or a trusted Host); none: no link. */
  linkOrigin?: (req: FastifyRequest) => string | undefined;
};

const WHO =
  'Signed-in members, providers and admins: no token 401, a guest 403 FORBIDDEN. Someone who is ' +
  'neither a party nor an admin gets 404 APPOINTMENT_NOT_FOUND, as for no appointment.';

/** Guests have no appointments: refused before the body is parsed (403 before 400). */
const noGuests = onlyUsers(
  (u) => !u.isGuest,
  () => Errors.forbidden('Guests cannot use appointments.'),
);

/** Scheduled appointments over HTTP; both parties hear every change (`appointment.updated`). */
export function appointmentRoutes(deps: AppointmentRoutesDeps) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { appointments } = deps;
    // onRequest: who you are is settled before your body is even parsed (401 before 400).
    const auth = { onRequest: [deps.authenticate, noGuests] };
    const tags = ['appointments'];
    const security = bearerSecurity;

    r.post('/appointments', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Book an appointment (a provider, or an admin for a provider)',
        description:
          'Answers 201 with the appointment `scheduled`, payment `pending`. A provider books for ' +
          'themselves; an admin may name `providerId` (a provider or an admin). Errors: 403 FORBIDDEN ' +
          '(not a provider or admin; a provider naming another provider), 400 VALIDATION_FAILED (start ' +
          'not in the future or too far ahead; `providerId` not a provider), 400 INVALID_CLIENT (the ' +
          'provider themselves, a guest), 404 USER_NOT_FOUND (unknown or disabled), 409 ' +
          'APPOINTMENT_CONFLICT (the provider or the client has an open appointment overlapping it). ' +
          'No token 401, a guest 403 FORBIDDEN.',
        body: CreateAppointmentBody,
        response: { 201: AppointmentResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
      handler: async (req, reply) =>
        reply.code(201).send({
          appointment: await appointments.create(currentUser(req), req.body, callerOf(req)),
        }),
    });

    r.get('/appointments', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'My appointments, as provider or client (admins: all of them, with as=all)',
        description:
          '`when=upcoming`: scheduled, confirmed or in progress, soonest first; `when=past`: completed, ' +
          'cancelled or no-show, latest first. `as=provider|client` keeps one side; without `as`, both. ' +
          '`as=all`: every appointment, whoever its parties (admins only; anyone else 403 FORBIDDEN). ' +
          'Pass `nextCursor` as `cursor` for the next page; a cursor not from this list is 400 ' +
          'VALIDATION_FAILED. No token 401, a guest 403 FORBIDDEN.',
        querystring: ListAppointmentsQuery,
        response: { 200: ListAppointmentsResponse, ...errorResponses(400, 401, 403) },
      },
      handler: async (req) => appointments.list(currentUser(req), req.query),
    });

    r.get('/appointments/:id', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'One appointment with its history',
        description: `Notes only for its provider (others see null). ${WHO}`,
        params: AppointmentIdParam,
        response: { 200: AppointmentDetailResponse, ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req) => appointments.get(currentUser(req), req.params.id),
    });

    r.post('/appointments/:id/confirm', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Confirm a scheduled appointment (its provider or an admin)',
        description: `The client: 403 FORBIDDEN; not scheduled: 409 INVALID_APPOINTMENT_STATE. ${WHO}`,
        params: AppointmentIdParam,
        response: { 200: AppointmentResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
      handler: async (req) => ({
        appointment: await appointments.confirm(currentUser(req), req.params.id, callerOf(req)),
      }),
    });

    r.post('/appointments/:id/reschedule', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Move an appointment to a new time (its provider or an admin)',
        description:
          'Keeps the status; the history keeps the old and the new time; a room opened early closes ' +
          '(a new one is made in the new window). The client: 403 FORBIDDEN; ' +
          'not scheduled or confirmed, or already started: 409 INVALID_APPOINTMENT_STATE; the new time ' +
          'in the past: 400 VALIDATION_FAILED; overlapping another open appointment of either party: ' +
          `409 APPOINTMENT_CONFLICT. ${WHO}`,
        params: AppointmentIdParam,
        body: RescheduleAppointmentBody,
        response: { 200: AppointmentResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
      handler: async (req) => ({
        appointment: await appointments.reschedule(
          currentUser(req),
          req.params.id,
          req.body,
          callerOf(req),
        ),
      }),
    });

    r.post('/appointments/:id/cancel', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Cancel an appointment, with a reason (either party or an admin)',
        description:
          'Only before the booked start, while scheduled or confirmed; otherwise 409 ' +
          `INVALID_APPOINTMENT_STATE. A room opened early closes. ${WHO}`,
        params: AppointmentIdParam,
        body: CancelAppointmentBody,
        response: { 200: AppointmentResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
      handler: async (req) => ({
        appointment: await appointments.cancel(
          currentUser(req),
          req.params.id,
          req.body,
          callerOf(req),
        ),
      }),
    });

    r.put('/appointments/:id/payment', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Set the payment status (admins)',
        description: `The parties: 403 FORBIDDEN. Setting the status it has changes nothing. ${WHO}`,
        params: AppointmentIdParam,
        body: SetPaymentBody,
        response: { 200: AppointmentResponse, ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req) => ({
        appointment: await appointments.setPayment(
          currentUser(req),
          req.params.id,
          req.body,
          callerOf(req),
        ),
      }),
    });

    r.get('/appointments/:id/can-join', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'Whether I may join the call now, and if not why',
        description:
          'Reasons, first failing wins: NOT_A_PARTICIPANT (an admin, unless the practice lets admins ' +
          'join), CANCELLED, ENDED, TOO_LATE, NOT_CONFIRMED, NOT_PAID, TOO_EARLY. `serverTime` lets a ' +
          `countdown run on the server's clock. ${WHO}`,
        params: AppointmentIdParam,
        response: { 200: CanJoinResponse, ...errorResponses(400, 401, 403, 404) },
      },
      handler: async (req) => appointments.canJoin(currentUser(req), req.params.id),
    });

    r.post('/appointments/:id/room', {
      ...auth,
      schema: {
        tags,
        security,
        summary: "The appointment's private room (made on first ask; the same one after)",
        description:
          'Only when `can-join` says yes; otherwise 403 APPOINTMENT_NOT_JOINABLE with `details.reason`. ' +
          'A session in progress whose room has closed has ended: 409 INVALID_APPOINTMENT_STATE (no ' +
          `new room). Join it with POST /api/rooms/:id/join and the socket's room.join. ${WHO}`,
        params: AppointmentIdParam,
        response: { 200: AppointmentRoomResponse, ...errorResponses(400, 401, 403, 404, 409) },
      },
      handler: async (req) => appointments.openRoom(currentUser(req), req.params.id),
    });

    r.get('/appointments/:id/calendar.ics', {
      ...auth,
      schema: {
        tags,
        security,
        summary: 'The appointment as an iCalendar file (text/calendar)',
        description:
          'One VEVENT in UTC with the join link; STATUS:CANCELLED once cancelled; SEQUENCE counts ' +
          `the reschedules. Never the provider's notes. ${WHO}`,
        params: AppointmentIdParam,
        // The file on success, a JSON error body otherwise (OpenAPI lists both for each).
        produces: ['text/calendar', 'application/json'],
        response: {
          200: z.string().meta({ description: 'text/calendar; charset=utf-8' }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
      handler: async (req, reply) => {
        const file = await appointments.calendar(
          currentUser(req),
          req.params.id,
          deps.linkOrigin?.(req),
        );
        return reply
          .type('text/calendar; charset=utf-8')
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .send(file.body);
      },
    });
  };
}
