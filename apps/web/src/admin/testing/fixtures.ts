import type {
  AdminRoom,
  AdminUserListItem,
  MetricsSample,
  SettingsResponse,
} from '@parley/protocol';

export { deferred } from '../../lib/testing/deferred';

export const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function makeUser(n: number, over: Partial<AdminUserListItem> = {}): AdminUserListItem {
  return {
    id: uuid(n),
    email: `user${n}@example.org`,
    displayName: `User ${n}`,
    role: 'member',
    isGuest: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastSeenAt: null,
    disabled: false,
    disabledAt: null,
    online: false,
    ...over,
  };
}

export function makeRoom(n: number, over: Partial<AdminRoom> = {}): AdminRoom {
  return {
    id: uuid(100 + n),
    code: 'abc-defg-hjk',
    name: `Room ${n}`,
    kind: 'meeting',
    visibility: 'private',
    entry: 'open',
    status: 'open',
    locked: false,
    maxParticipants: 10,
    host: { id: uuid(1), displayName: 'User 1' },
    createdAt: '2026-01-01T00:00:00.000Z',
    closedAt: null,
    closeReason: null,
    participantCount: 2,
    ...over,
  };
}

export function sample(minute: number, participants: number): MetricsSample {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
    participants,
    rooms: Math.ceil(participants / 2),
    sockets: participants,
  };
}

export function makeSettings(): SettingsResponse {
  return {
    settings: {
      registration: 'open',
      guestAccess: true,
      rooms: {
        defaultMaxParticipants: 10,
        maxParticipantsLimit: 50,
        emptyRoomMinutes: 60,
        chatEnabledByDefault: true,
      },
      calls: { ringTimeoutSeconds: 30 },
      appointments: { joinOpensMinutes: 15, joinClosesMinutes: 120, adminsMayJoin: false },
      quotas: { openRoomsPerUser: 20, roomsCreatedPerHour: 30, guestsPerIpPerHour: 20 },
      audit: { retentionDays: 90 },
    },
    updatedAt: null,
    updatedBy: null,
  };
}
