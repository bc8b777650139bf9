import { CONTACT_LIMITS, ErrorCode } from '@parley/protocol';
import { AppError, Errors } from '../../platform/errors.js';

export const ContactErrors = {
  // One answer for "no such account", "disabled" and "a guest": nothing to probe.
  userNotFound: () => new AppError(ErrorCode.USER_NOT_FOUND, 404, 'No such user.'),
  notAContact: () =>
    new AppError(ErrorCode.USER_NOT_FOUND, 404, 'That person is not in your contacts.'),
  notBlocked: () =>
    new AppError(ErrorCode.USER_NOT_FOUND, 404, 'You have not blocked that person.'),
  cannotTargetSelf: (what: 'add' | 'block') =>
    new AppError(ErrorCode.CANNOT_TARGET_SELF, 400, `You cannot ${what} yourself.`),
  tooManyContacts: () =>
    new AppError(
      ErrorCode.CONFLICT,
      409,
      `You already have ${CONTACT_LIMITS.maxContacts} contacts; remove one first.`,
      { max: CONTACT_LIMITS.maxContacts },
    ),
  membersOnly: () =>
    Errors.forbidden('Guests have no contacts, presence or search. Create an account first.'),
  searchThrottled: (retryAfterMs: number) =>
    new AppError(
      ErrorCode.RATE_LIMITED,
      429,
      'You are searching too fast. Wait a moment.',
      { retryAfterMs },
      { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    ),
} as const;
