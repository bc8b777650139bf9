import { randomUUID } from 'node:crypto';
import { INITIAL_PLAYBACK_STATE } from '@parley/protocol';
import type { RoomSummary } from '@parley/protocol';
import type { TimerId, Timers } from '../../platform/clock.js';
import { AppError } from '../../platform/errors.js';
import type { RoomCalls, RoomChat, RoomPlayback, UserPresence } from './features.js';

// Stand-ins for the other modules in socket-layer tests that are about membership and
// timing: chat refuses, the player stays empty, rooms look alike.

export const noChat: RoomChat = {
  send: () => Promise.reject(new AppError('CHAT_DISABLED', 403, 'off')),
  typing: () => Promise.resolve(false),
  recent: () => Promise.resolve([]),
};

export const noPlayback: RoomPlayback = {
  apply: () => Promise.reject(new AppError('NOT_HOST', 403, 'no')),
  current: () => Promise.resolve(INITIAL_PLAYBACK_STATE),
};

export function roomSummary(id: string): RoomSummary {
  return {
    id,
    code: 'abc-defg-hjk',
    name: 'Test',
    visibility: 'private',
    entry: 'open',
    chatEnabled: true,
    maxParticipants: 12,
    locked: false,
    kind: 'meeting',
    status: 'open',
    hostId: randomUUID(),
    hostDisplayName: 'Host',
    createdAt: new Date().toISOString(),
    closedAt: null,
    participantCount: 0,
    instant: false,
    meetingStartedAt: null,
  };
}

/** No direct calls and nobody watching presence. */
export const noCalls: RoomCalls = {
  entered: () => Promise.resolve(),
  signalled: () => Promise.resolve(),
};
export const noPresence: UserPresence = {
  online: () => Promise.resolve(),
  offline: () => Promise.resolve(),
};

/** The timers of a process that died: nothing it scheduled ever runs again. */
export const frozenTimers: Timers = {
  monotonic: () => 0,
  setTimeout: () => Symbol('never') as unknown as TimerId,
  setInterval: () => Symbol('never') as unknown as TimerId,
  clear: () => undefined,
};
