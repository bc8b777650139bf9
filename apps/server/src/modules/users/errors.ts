import { ErrorCode } from '@parley/protocol';
import { AppError } from '../../platform/errors.js';

export const UserErrors = {
  notFound: () => new AppError(ErrorCode.NOT_FOUND, 404, 'No such user.'),
  // Otherwise the last admin could lock everyone (themselves included) out of the admin routes.
  cannotChangeSelf: () =>
    new AppError(
      ErrorCode.CANNOT_CHANGE_SELF,
      409,
      'You cannot disable your own account or take away your own admin role.',
    ),
  guestRole: () =>
    new AppError(ErrorCode.CONFLICT, 409, 'Guests keep the member role; they cannot be promoted.'),
} as const;
