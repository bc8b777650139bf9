import { ErrorCode, REACTION_LIMITS } from '@parley/protocol';
import { AppError } from '../../platform/errors.js';

/** Recoverable socket errors (PROTOCOL.md 4.1); the HTTP status is unused on the socket. */
export const SignalingErrors = {
  notInRoom: () => new AppError(ErrorCode.NOT_IN_ROOM, 409, 'Join a room first.'),
  alreadyInRoom: () =>
    new AppError(ErrorCode.ALREADY_IN_ROOM, 409, 'This connection is already in that room.'),
  // The same answer for "no such connection", "in another room" and "yourself".
  targetNotFound: () => new AppError(ErrorCode.TARGET_NOT_FOUND, 404, 'No such peer in this room.'),
  tooManyReactions: () =>
    new AppError(
      ErrorCode.RATE_LIMITED,
      429,
      `At most ${REACTION_LIMITS.burst} reactions at once, then ${REACTION_LIMITS.perSecond} a second.`,
    ),
  helloTwice: () =>
    new AppError(ErrorCode.INVALID_MESSAGE, 400, 'This connection has already said hello.'),
} as const;
