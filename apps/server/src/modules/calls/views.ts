import type { Call, CallSignal } from '@parley/protocol';
import { CallSignalKind } from '@parley/protocol';
import { z } from 'zod';
import type { CallSignalsTable } from '../../platform/db/schema.js';
import { CallErrors } from './errors.js';
import type { CallCursor, CallRow } from './repo.js';

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

// Opaque to clients: base64url of [createdAt, id], checked on the way back in.
const CursorShape = z.tuple([z.iso.datetime(), z.uuid()]);

export function encodeCursor(c: CallCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

export function decodeCursor(raw: string): CallCursor {
  try {
    const [createdAt, id] = CursorShape.parse(
      JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')),
    );
    return { createdAt, id };
  } catch {
    throw CallErrors.badCursor();
  }
}
