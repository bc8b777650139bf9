import { ErrorCode } from '@parley/protocol';
import { AppError } from '../../platform/errors.js';

export const PlaybackErrors = {
  notHost: () =>
    new AppError(ErrorCode.NOT_HOST, 403, 'Only the host or a co-host can control the player.'),
  noSource: () =>
    new AppError(ErrorCode.NO_PLAYBACK_SOURCE, 409, 'Choose a video first (playback.set).'),
} as const;
