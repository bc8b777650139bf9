import type {
  ParticipantRole,
  ParticipantStatus,
  Room,
  RoomParticipant,
  RoomSummary,
} from '@parley/protocol';
import { toBool } from '../../platform/db/database.js';
import type { RoomParticipantsTable, RoomsTable } from '../../platform/db/schema.js';
import type { ParticipantRow } from './repo.js';

/** The room as everyone in it sees it: never the password hash. */
export function toSummary(
  r: RoomsTable,
  hostDisplayName: string,
  participantCount: number,
): RoomSummary {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    visibility: r.visibility,
    entry: r.entry,
    chatEnabled: toBool(r.chat_enabled),
    maxParticipants: r.max_participants,
    locked: toBool(r.locked),
    status: r.status,
    hostId: r.host_id,
    hostDisplayName,
    createdAt: r.created_at,
    closedAt: r.closed_at,
    participantCount,
    kind: r.kind,
    instant: toBool(r.instant),
    meetingStartedAt: r.meeting_started_at,
  };
}

export function toRoom(
  summary: RoomSummary,
  mine: Pick<RoomParticipantsTable, 'status' | 'role'> | undefined,
): Room {
  const myStatus: ParticipantStatus | null = mine?.status ?? null;
  const myRole: ParticipantRole | null =
    mine && (mine.status === 'approved' || mine.status === 'left') ? mine.role : null;
  return { ...summary, myStatus, myRole };
}

export function toParticipant(p: ParticipantRow): RoomParticipant {
  return {
    userId: p.user_id,
    displayName: p.display_name,
    isGuest: toBool(p.is_guest),
    status: p.status,
    role: p.role,
    updatedAt: p.updated_at,
  };
}
