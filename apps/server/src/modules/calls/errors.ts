import { ErrorCode } from '@parley/protocol';
import { AppError } from '../../platform/errors.js';

export const CallErrors = {
  membersOnly: () =>
    new AppError(ErrorCode.FORBIDDEN, 403, 'Direct calls need an account. Guests cannot call.'),
  // Someone who is not a party learns nothing, not even that the call exists.
  notFound: () => new AppError(ErrorCode.CALL_NOT_FOUND, 404, 'No such call.'),
  notParty: (message: string) => new AppError(ErrorCode.NOT_CALL_PARTY, 403, message),
  invalidState: (state: string) =>
    new AppError(
      ErrorCode.INVALID_CALL_STATE,
      409,
      `The call is ${state}; that no longer applies.`,
      {
        state,
      },
    ),
  alreadyInCall: () =>
    new AppError(
      ErrorCode.ALREADY_IN_CALL,
      409,
      'You are already in a call. Hang up or answer it first.',
    ),
  cannotCallSelf: () => new AppError(ErrorCode.CANNOT_CALL_SELF, 400, 'You cannot call yourself.'),
  userNotFound: () => new AppError(ErrorCode.USER_NOT_FOUND, 404, 'No such user.'),
  cannotCallGuest: () => new AppError(ErrorCode.CANNOT_CALL_GUEST, 400, 'Guests cannot be called.'),
  blocked: () => new AppError(ErrorCode.CALL_BLOCKED, 403, 'This person does not take your calls.'),
} as const;
