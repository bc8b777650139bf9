import { ErrorCode } from '@parley/protocol';
import type { FieldErrors, JoinBlockReason } from '@parley/protocol';

/** What a person is told when an appointment's call cannot be joined now. */
const NOT_JOINABLE: Record<JoinBlockReason, string> = {
  NOT_A_PARTICIPANT: 'Only the people in this appointment can join it.',
  CANCELLED: 'This appointment was cancelled.',
  ENDED: 'This appointment is over.',
  TOO_LATE: 'The time to join this appointment has passed.',
  NOT_CONFIRMED: 'This appointment is not confirmed yet.',
  NOT_PAID: 'This appointment has not been paid yet.',
  TOO_EARLY: 'It is too early to join this appointment.',
};

/**
 * The one error type services throw. Routes never build error bodies themselves:
 * the HTTP error handler (platform/http-errors.ts) and the socket mapping turn an
 * AppError into the documented shape.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode | (string & {}),
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Extra response headers, e.g. Retry-After for 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const Errors = {
  validation: (fields: FieldErrors, message = 'Some fields are invalid.') =>
    new AppError(ErrorCode.VALIDATION_FAILED, 400, message, { fields }),
  unauthenticated: (message = 'Sign in to continue.') =>
    new AppError(ErrorCode.UNAUTHENTICATED, 401, message),
  invalidToken: () => new AppError(ErrorCode.INVALID_TOKEN, 401, 'The access token is not valid.'),
  tokenExpired: () => new AppError(ErrorCode.TOKEN_EXPIRED, 401, 'The access token has expired.'),
  forbidden: (message = 'You are not allowed to do that.') =>
    new AppError(ErrorCode.FORBIDDEN, 403, message),
  notFound: (message = 'Not found.') => new AppError(ErrorCode.NOT_FOUND, 404, message),
  tooManyAttempts: (retryAfterSeconds: number) =>
    new AppError(
      ErrorCode.TOO_MANY_ATTEMPTS,
      429,
      'Too many failed attempts. Try again later.',
      { retryAfterSeconds },
      { 'retry-after': String(retryAfterSeconds) },
    ),
  internal: () => new AppError(ErrorCode.INTERNAL, 500, 'Something went wrong on our side.'),
  /** An appointment's call refused by its join rules (HTTP and socket alike). */
  notJoinable: (reason: JoinBlockReason) =>
    new AppError(ErrorCode.APPOINTMENT_NOT_JOINABLE, 403, NOT_JOINABLE[reason], { reason }),
} as const;

export const AuthErrors = {
  emailTaken: () =>
    new AppError(ErrorCode.EMAIL_TAKEN, 409, 'An account with this email already exists.', {
      fields: { email: ['This email is already registered'] },
    }),
  invalidCredentials: () =>
    new AppError(ErrorCode.INVALID_CREDENTIALS, 401, 'The email or password is incorrect.'),
  accountDisabled: () =>
    new AppError(ErrorCode.ACCOUNT_DISABLED, 403, 'This account has been disabled.'),
  /** The access token's sign-in session ended (logout, refresh-token reuse, account disabled). */
  sessionRevoked: () =>
    new AppError(ErrorCode.SESSION_REVOKED, 401, 'This session has ended. Sign in again.'),
  invalidRefreshToken: () =>
    new AppError(ErrorCode.INVALID_REFRESH_TOKEN, 401, 'The refresh token is not valid.'),
  refreshTokenReused: () =>
    new AppError(
      ErrorCode.REFRESH_TOKEN_REUSED,
      401,
      'This refresh token was already used; the session has been signed out everywhere it was shared.',
    ),
} as const;

/** Doors the live system settings close (registration mode, guest access). */
export const AccessErrors = {
  registrationClosed: () =>
    new AppError(
      ErrorCode.REGISTRATION_CLOSED,
      403,
      'Registration is closed on this server. Ask an administrator for an account.',
    ),
  inviteRequired: () =>
    new AppError(
      ErrorCode.INVITE_REQUIRED,
      403,
      'Registration needs a valid invitation on this server. Open your invite link first.',
    ),
  guestsDisabled: () =>
    new AppError(ErrorCode.GUESTS_DISABLED, 403, 'Guest access is switched off on this server.'),
} as const;
