import { ErrorCode } from '@parley/protocol';
import { AppError } from '../../platform/errors.js';

export const AppointmentErrors = {
  // A stranger learns nothing, not even that the appointment exists.
  notFound: () => new AppError(ErrorCode.APPOINTMENT_NOT_FOUND, 404, 'No such appointment.'),
  providersOnly: () =>
    new AppError(ErrorCode.FORBIDDEN, 403, 'Only providers and admins can book appointments.'),
  invalidState: (
    status: string,
    message = `The appointment is ${status}; that no longer applies.`,
  ) => new AppError(ErrorCode.INVALID_APPOINTMENT_STATE, 409, message, { status }),
  conflict: (who: 'provider' | 'client', appointmentId: string) =>
    new AppError(
      ErrorCode.APPOINTMENT_CONFLICT,
      409,
      who === 'provider'
        ? 'The provider already has an appointment at that time.'
        : 'The client already has an appointment at that time.',
      { who, appointmentId },
    ),
  invalidClient: (message: string) =>
    new AppError(ErrorCode.INVALID_CLIENT, 400, message, { fields: { clientId: [message] } }),
  userNotFound: (field: 'clientId' | 'providerId') =>
    new AppError(ErrorCode.USER_NOT_FOUND, 404, 'No such user.', { field }),
  badCursor: () =>
    new AppError(ErrorCode.VALIDATION_FAILED, 400, 'Some fields are invalid.', {
      fields: { cursor: ['Not a cursor this list gave out'] },
    }),
  inPast: (field: string) =>
    new AppError(ErrorCode.VALIDATION_FAILED, 400, 'Some fields are invalid.', {
      fields: { [field]: ['Must be in the future'] },
    }),
  tooFarAhead: (field: string, days: number) =>
    new AppError(ErrorCode.VALIDATION_FAILED, 400, 'Some fields are invalid.', {
      fields: { [field]: [`Must be within ${days} days`] },
    }),
} as const;

export const WebhookErrors = {
  notConfigured: () =>
    new AppError(
      ErrorCode.WEBHOOK_NOT_CONFIGURED,
      503,
      'Payment webhooks are not configured on this server.',
    ),
  badSignature: () =>
    new AppError(
      ErrorCode.WEBHOOK_SIGNATURE_INVALID,
      401,
      'The webhook signature or timestamp header is missing or wrong.',
    ),
  stale: (toleranceSeconds: number) =>
    new AppError(
      ErrorCode.WEBHOOK_TIMESTAMP_STALE,
      401,
      `The webhook timestamp is more than ${toleranceSeconds} s away from the server's clock.`,
    ),
  replayed: (eventId: string) =>
    new AppError(ErrorCode.WEBHOOK_REPLAYED, 409, 'This event was already received.', {
      eventId,
    }),
} as const;
