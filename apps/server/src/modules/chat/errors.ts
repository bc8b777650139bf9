import { ErrorCode } from '@parley/protocol';
import { AppError } from '../../platform/errors.js';

export const ChatErrors = {
  // The same answer as for a room that does not exist: no standing, no information.
  roomNotFound: () => new AppError(ErrorCode.ROOM_NOT_FOUND, 404, 'No such room.'),
  notApproved: () =>
    new AppError(
      ErrorCode.NOT_APPROVED,
      403,
      'Only people admitted to the room can read its chat.',
    ),
  roomClosed: () => new AppError(ErrorCode.ROOM_CLOSED, 410, 'This meeting has ended.'),
  disabled: () =>
    new AppError(
      ErrorCode.CHAT_DISABLED,
      403,
      'The host has turned chat off in this room; only hosts and co-hosts can write.',
    ),
  rateLimited: (retryAfterMs: number) =>
    new AppError(
      ErrorCode.RATE_LIMITED,
      429,
      'You are sending messages too fast. Wait a moment.',
      { retryAfterMs },
      { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) },
    ),
  unknownBefore: () =>
    new AppError(ErrorCode.VALIDATION_FAILED, 400, 'Some fields are invalid.', {
      fields: { before: ['No such message in this room'] },
    }),
} as const;
