import { ErrorCode } from '@parley/protocol';
import { AppError } from '../../platform/errors.js';

export const AdminErrors = {
  roomNotFound: () => new AppError(ErrorCode.ROOM_NOT_FOUND, 404, 'No such room.'),
  roomClosed: () => new AppError(ErrorCode.ROOM_CLOSED, 410, 'This meeting has already ended.'),
  // A direct call ends when a party hangs up, an appointment with its window: closing
  // their rooms under them would leave the call or the appointment in a state of its own.
  notAMeeting: () =>
    new AppError(
      ErrorCode.CONFLICT,
      409,
      'Only meeting rooms can be closed here; direct calls and appointments end on their own.',
    ),
} as const;
