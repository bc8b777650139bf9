import type { Call, CallSignal } from '@parley/protocol';
import { CallSignalKind } from '@parley/protocol';
import type { CallSignalsTable } from '../../platform/db/schema.js';
import type { CallRow } from './repo.js';

/** A call as `viewerId` (one of its parties) sees it. */
export function toCall(r: CallRow, viewerId: string): Call {
  const incoming = r.callee_id === viewerId;
  return {
    id: r.id,
    caller: { id: r.caller_id, displayName: r.caller_name },
    callee: { id: r.callee_id, displayName: r.callee_name },
    media: r.media,
    state: r.state,
    direction: incoming ? 'incoming' : 'outgoing',
    // Only while there is a call to go to.
    room:
      r.state === 'accepted' && r.room_id && r.room_code
        ? { id: r.room_id, code: r.room_code }
        : null,
    createdAt: r.created_at,
    answeredAt: r.answered_at,
    connectedAt: r.connected_at,
    endedAt: r.ended_at,
    durationSeconds: r.duration_seconds,
    endedBy: r.ended_by,
    endReason: r.end_reason,
    missedUnseen: incoming && r.state === 'missed' && r.callee_seen_at === null,
  };
}

/** A log entry as `viewerId` sees it: the kind and the time, never a body. */
export function toSignal(s: CallSignalsTable, viewerId: string): CallSignal {
  return {
    kind: CallSignalKind.parse(s.kind),
    direction: s.from_user_id === viewerId ? 'sent' : 'received',
    at: s.at,
  };
}
