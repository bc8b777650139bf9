import { z } from 'zod';
import { CanonicalRoomCode } from './room-code.js';

// Scheduled appointments with a join window (issue 12): a provider meets a client at a
// booked time. The server decides who may join and when; clients only ask.

export const APPOINTMENT_LIMITS = {
  titleMaxLength: 200,
  notesMaxLength: 5000,
  cancelReasonMaxLength: 500,
  minDurationMinutes: 5,
  maxDurationMinutes: 480,
  /** How far ahead an appointment may be booked. */
  maxAdvanceDays: 400,
  /** Defaults of the join window (APPOINTMENT_JOIN_OPENS_MINUTES / _CLOSES_MINUTES). */
  joinOpensMinutesBefore: 15,
  joinClosesMinutesAfter: 120,
  defaultPageSize: 20,
  maxPageSize: 50,
  /** The call page warns this long before the booked slot ends. */
  endWarningMinutes: 5,
} as const;

/**
 * scheduled → confirmed → in_progress → completed; scheduled | confirmed → cancelled
 * (a party, before the start); scheduled | confirmed → no_show (the server, when the
 * window closes and the two were never in the call together).
 */
export const AppointmentStatus = z.enum([
  'scheduled',
  'confirmed',
  'in_progress',
  'completed',
  'cancelled',
  'no_show',
]);
export type AppointmentStatus = z.infer<typeof AppointmentStatus>;

/** Statuses an appointment can still leave. */
export const OPEN_APPOINTMENT_STATUSES = [
  'scheduled',
  'confirmed',
  'in_progress',
] as const satisfies readonly AppointmentStatus[];

export const PaymentStatus = z.enum(['pending', 'paid', 'refunded', 'waived']);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

/**
 * Why `can-join` says no, most fundamental first: a fix the user can act on (confirm,
 * pay) comes before "wait until it opens". Stable: clients branch on them.
 */
export const JoinBlockReason = z.enum([
  'NOT_A_PARTICIPANT',
  'CANCELLED',
  /** Completed or no-show: the appointment is over. */
  'ENDED',
  'TOO_LATE',
  'NOT_CONFIRMED',
  'NOT_PAID',
  'TOO_EARLY',
]);
export type JoinBlockReason = z.infer<typeof JoinBlockReason>;

/** The requester's part in an appointment. */
export const AppointmentRole = z.enum(['provider', 'client', 'admin']);
export type AppointmentRole = z.infer<typeof AppointmentRole>;

export const AppointmentParty = z
  .object({ id: z.uuid(), displayName: z.string() })
  .meta({ id: 'AppointmentParty' });
export type AppointmentParty = z.infer<typeof AppointmentParty>;

/** An appointment as one requester sees it (`notes` only for its provider, else null). */
export const Appointment = z
  .object({
    id: z.uuid(),
    title: z.string(),
    provider: AppointmentParty,
    client: AppointmentParty,
    /** UTC instants; clients show them in the viewer's time zone. */
    startsAt: z.iso.datetime(),
    endsAt: z.iso.datetime(),
    /** The booked length. */
    durationMinutes: z.int(),
    status: AppointmentStatus,
    paymentStatus: PaymentStatus,
    notes: z.string().nullable(),
    myRole: AppointmentRole,
    /** When joining opens and closes (the server's configuration). */
    opensAt: z.iso.datetime(),
    closesAt: z.iso.datetime(),
    /** The private room, once a party asked for it; null before. */
    room: z.object({ id: z.uuid(), code: CanonicalRoomCode }).nullable(),
    cancelledAt: z.iso.datetime().nullable(),
    cancelledBy: z.uuid().nullable(),
    cancelReason: z.string().nullable(),
    /** When both parties were first in the call together (the server's clock). */
    callStartedAt: z.iso.datetime().nullable(),
    /** When the call ended: the room emptied for good, or the window closed. */
    callEndedAt: z.iso.datetime().nullable(),
    /** Server-measured length of the call, once it ended; null before. */
    callDurationSeconds: z.int().min(0).nullable(),
    callDurationMinutes: z.int().min(0).nullable(),
    /** First time each party was in the room (no-show evidence). */
    providerJoinedAt: z.iso.datetime().nullable(),
    clientJoinedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Appointment' });
export type Appointment = z.infer<typeof Appointment>;

export const AppointmentEventKind = z.enum([
  'created',
  'confirmed',
  'rescheduled',
  'cancelled',
  'payment',
  'started',
  'completed',
  'no_show',
]);
export type AppointmentEventKind = z.infer<typeof AppointmentEventKind>;

/** One line of an appointment's history; a reschedule keeps the old and new times. */
export const AppointmentEvent = z
  .object({
    kind: AppointmentEventKind,
    at: z.iso.datetime(),
    /** Who did it; null for the server (no-show, completion) and payment webhooks. */
    actor: AppointmentParty.nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AppointmentEvent' });
export type AppointmentEvent = z.infer<typeof AppointmentEvent>;

export const AppointmentResponse = z
  .object({ appointment: Appointment })
  .meta({ id: 'AppointmentResponse' });
export type AppointmentResponse = z.infer<typeof AppointmentResponse>;

export const AppointmentDetailResponse = z
  .object({ appointment: Appointment, history: z.array(AppointmentEvent) })
  .meta({ id: 'AppointmentDetailResponse' });
export type AppointmentDetailResponse = z.infer<typeof AppointmentDetailResponse>;

/** An instant with an explicit offset (`Z` or `+02:00`): never a local time without a zone. */
const Instant = z.iso.datetime({ offset: true });

export const CreateAppointmentBody = z
  .strictObject({
    clientId: z.uuid(),
    /** Admins book for a provider; a provider books for themselves (omit it, or their own id). */
    providerId: z.uuid().optional(),
    startsAt: Instant,
    durationMinutes: z
      .int()
      .min(APPOINTMENT_LIMITS.minDurationMinutes)
      .max(APPOINTMENT_LIMITS.maxDurationMinutes),
    title: z.string().trim().min(1).max(APPOINTMENT_LIMITS.titleMaxLength),
    notes: z.string().max(APPOINTMENT_LIMITS.notesMaxLength).optional(),
  })
  .meta({ id: 'CreateAppointmentBody' });
export type CreateAppointmentBody = z.infer<typeof CreateAppointmentBody>;

export const RescheduleAppointmentBody = z
  .strictObject({
    startsAt: Instant,
    durationMinutes: z
      .int()
      .min(APPOINTMENT_LIMITS.minDurationMinutes)
      .max(APPOINTMENT_LIMITS.maxDurationMinutes)
      .optional(),
  })
  .meta({ id: 'RescheduleAppointmentBody' });
export type RescheduleAppointmentBody = z.infer<typeof RescheduleAppointmentBody>;

export const CancelAppointmentBody = z
  .strictObject({
    reason: z.string().trim().min(1).max(APPOINTMENT_LIMITS.cancelReasonMaxLength),
  })
  .meta({ id: 'CancelAppointmentBody' });
export type CancelAppointmentBody = z.infer<typeof CancelAppointmentBody>;

export const SetPaymentBody = z
  .strictObject({ paymentStatus: PaymentStatus })
  .meta({ id: 'SetPaymentBody' });
export type SetPaymentBody = z.infer<typeof SetPaymentBody>;

export const AppointmentIdParam = z.object({ id: z.uuid() });
export type AppointmentIdParam = z.infer<typeof AppointmentIdParam>;

// No registry id: @fastify/swagger cannot expand a querystring given as a `$ref`.
export const ListAppointmentsQuery = z.object({
  /** `upcoming`: not over yet (soonest first); `past`: over (latest first). */
  when: z.enum(['upcoming', 'past']).default('upcoming'),
  /**
   * Only those where the requester is the provider, or the client. Default: both.
   * `all`: every appointment, whoever its parties (admins only, for payments; else 403).
   */
  as: z.enum(['provider', 'client', 'all']).optional(),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(APPOINTMENT_LIMITS.maxPageSize)
    .default(APPOINTMENT_LIMITS.defaultPageSize),
});
export type ListAppointmentsQuery = z.infer<typeof ListAppointmentsQuery>;

export const ListAppointmentsResponse = z
  .object({
    appointments: z.array(Appointment),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'ListAppointmentsResponse' });
export type ListAppointmentsResponse = z.infer<typeof ListAppointmentsResponse>;

export const CanJoinResponse = z
  .object({
    canJoin: z.boolean(),
    /** Null when `canJoin`. */
    reason: JoinBlockReason.nullable(),
    opensAt: z.iso.datetime(),
    closesAt: z.iso.datetime(),
    /** Whole minutes until the booked start, rounded up; negative once it started. */
    minutesUntilStart: z.int(),
    status: AppointmentStatus,
    paymentStatus: PaymentStatus,
    /** The server's clock (epoch ms), so a countdown does not trust the device's. */
    serverTime: z.number(),
  })
  .meta({ id: 'CanJoinResponse' });
export type CanJoinResponse = z.infer<typeof CanJoinResponse>;

export const AppointmentRoomResponse = z
  .object({ room: z.object({ id: z.uuid(), code: CanonicalRoomCode }) })
  .meta({ id: 'AppointmentRoomResponse' });
export type AppointmentRoomResponse = z.infer<typeof AppointmentRoomResponse>;

// ---- payment provider webhook ----

/** Headers of `POST /api/webhooks/payments`; see PROTOCOL.md §8 for the signature. */
export const PAYMENT_WEBHOOK = {
  timestampHeader: 'x-parley-timestamp',
  signatureHeader: 'x-parley-signature',
  /** Signed timestamps older or newer than this are refused (replay guard). */
  toleranceSeconds: 300,
} as const;

export const PaymentEventType = z.enum([
  'payment.succeeded',
  'payment.refunded',
  'payment.failed',
  'payment.waived',
]);
export type PaymentEventType = z.infer<typeof PaymentEventType>;

export const PaymentWebhookEvent = z
  .strictObject({
    /** The provider's event id; each is accepted once. */
    id: z.string().min(1).max(200),
    type: PaymentEventType,
    appointmentId: z.uuid(),
  })
  .meta({ id: 'PaymentWebhookEvent' });
export type PaymentWebhookEvent = z.infer<typeof PaymentWebhookEvent>;

export const PaymentWebhookResponse = z
  .object({ received: z.literal(true), paymentStatus: PaymentStatus })
  .meta({ id: 'PaymentWebhookResponse' });
export type PaymentWebhookResponse = z.infer<typeof PaymentWebhookResponse>;
