import type { AdminCall, AdminRoom, AdminRoomSeat, RosterEntry } from '@parley/protocol';
import { CallEndReason, CallState } from '@parley/protocol';
import { toBool } from '../../platform/db/database.js';
import type { AdminCallRow, AdminRoomRow, AdminSeatRow } from './repo.js';

export function toAdminRoom(r: AdminRoomRow, participantCount: number): AdminRoom {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    kind: r.kind,
    visibility: r.visibility,
    entry: r.entry,
    status: r.status,
    locked: toBool(r.locked),
    maxParticipants: r.max_participants,
    host: { id: r.host_id, displayName: r.host_name ?? '' },
    createdAt: r.created_at,
    closedAt: r.closed_at,
    closeReason: r.close_reason,
    participantCount,
  };
}

/** A seat with how many of the person's connections are in the call now. */
export function toAdminSeat(s: AdminSeatRow, connected: RosterEntry[]): AdminRoomSeat {
  return {
    userId: s.user_id,
    displayName: s.display_name,
    isGuest: toBool(s.is_guest),
    role: s.role,
    status: s.status,
    updatedAt: s.updated_at,
    connections: connected.filter((e) => e.userId === s.user_id).length,
  };
}

export function toAdminCall(r: AdminCallRow): AdminCall {
  return {
    id: r.id,
    caller: { id: r.caller_id, displayName: r.caller_name ?? '' },
    callee: { id: r.callee_id, displayName: r.callee_name ?? '' },
    media: r.media,
    state: CallState.parse(r.state),
    createdAt: r.created_at,
    answeredAt: r.answered_at,
    connectedAt: r.connected_at,
    endedAt: r.ended_at,
    durationSeconds: r.duration_seconds,
    endReason: r.end_reason === null ? null : CallEndReason.parse(r.end_reason),
  };
}
