import { ErrorCode } from '@parley/protocol';
import { AppError } from '../../platform/errors.js';

const SPENT = {
  expired: 'This invite link has expired.',
  'used-up': 'This invite link has been used up.',
  revoked: 'This invite link was withdrawn by the host.',
} as const;

export const RoomErrors = {
  // One answer for "does not exist" and "you may not see it", so codes cannot be probed.
  notFound: () => new AppError(ErrorCode.ROOM_NOT_FOUND, 404, 'No such room.'),
  full: () => new AppError(ErrorCode.ROOM_FULL, 409, 'The room is full.'),
  closed: () => new AppError(ErrorCode.ROOM_CLOSED, 410, 'This meeting has ended.'),
  locked: () =>
    new AppError(ErrorCode.ROOM_LOCKED, 403, 'The room is locked; nobody new can join.'),
  badPassword: () =>
    new AppError(ErrorCode.BAD_ROOM_PASSWORD, 403, 'The room password is incorrect.'),
  notHost: () => new AppError(ErrorCode.NOT_HOST, 403, 'Only the host can do that.'),
  notApproved: () =>
    new AppError(ErrorCode.NOT_APPROVED, 403, 'You have not been admitted to this room.'),
  denied: () => new AppError(ErrorCode.JOIN_DENIED, 403, 'The host did not let you in.'),
  kicked: () => new AppError(ErrorCode.KICKED_FROM_ROOM, 403, 'You were removed from this room.'),
  participantNotFound: () =>
    new AppError(
      ErrorCode.PARTICIPANT_NOT_FOUND,
      404,
      'That person is not in this room or its lobby.',
    ),
  // Moderation acts on people in the call: the same 404 family as an unknown person.
  notInCall: () =>
    new AppError(ErrorCode.PARTICIPANT_NOT_FOUND, 404, 'That person is not in the call.'),
  conflict: (message: string) => new AppError(ErrorCode.CONFLICT, 409, message),
  guestsCannotCreate: () =>
    new AppError(
      ErrorCode.GUESTS_CANNOT_CREATE_ROOMS,
      403,
      'Guests cannot create rooms. Create an account first.',
    ),
  inviteNotFound: () =>
    new AppError(ErrorCode.INVITE_NOT_FOUND, 404, 'This invite link is not valid.'),
  /** A real invite that no longer admits anyone; `details.reason` lets a client say why. */
  inviteSpent: (reason: 'expired' | 'used-up' | 'revoked') =>
    new AppError(ErrorCode.INVITE_INVALID, 410, SPENT[reason], { reason }),
} as const;
