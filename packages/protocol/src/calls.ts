import { z } from 'zod';
import { CanonicalRoomCode } from './room-code.js';

// Direct calls between two registered users, like a phone (issue 11). The call is a
// state machine kept by the server; clients only ask for transitions.

export const CALL_LIMITS = {
  /** Default ring time before an unanswered call becomes `missed` (CALL_RING_TIMEOUT_SECONDS). */
  ringTimeoutSeconds: 30,
  defaultPageSize: 20,
  maxPageSize: 50,
  /** Signal-log rows kept per call: enough for any negotiation, bounded against a flood. */
  maxSignalsPerCall: 500,
} as const;

export const CallMedia = z.enum(['audio', 'video']);
export type CallMedia = z.infer<typeof CallMedia>;

/**
 * ringing → accepted → ended; ringing → rejected | cancelled | missed; `busy` is decided
 * at once (the callee is in another call or does not want to be disturbed).
 */
export const CallState = z.enum([
  'ringing',
  'accepted',
  'rejected',
  'cancelled',
  'missed',
  'busy',
  'ended',
]);
export type CallState = z.infer<typeof CallState>;

/** States a call can still leave; a user has at most one call in them. */
export const ACTIVE_CALL_STATES = ['ringing', 'accepted'] as const satisfies readonly CallState[];

/** How an accepted call ended: a party hung up, or the reaper found nobody left in it. */
export const CallEndReason = z.enum(['hangup', 'abandoned']);
export type CallEndReason = z.infer<typeof CallEndReason>;

export const CallParty = z
  .object({ id: z.uuid(), displayName: z.string() })
  .meta({ id: 'CallParty' });
export type CallParty = z.infer<typeof CallParty>;

/** A call as one of its two parties sees it (`direction` and `missedUnseen` are theirs). */
export const Call = z
  .object({
    id: z.uuid(),
    caller: CallParty,
    callee: CallParty,
    media: CallMedia,
    state: CallState,
    direction: z.enum(['outgoing', 'incoming']),
    /** The two-person room of an accepted call; null before the accept and after the end. */
    room: z.object({ id: z.uuid(), code: CanonicalRoomCode }).nullable(),
    createdAt: z.iso.datetime(),
    /** When the callee accepted. */
    answeredAt: z.iso.datetime().nullable(),
    /** When both parties were first connected to the call's room. */
    connectedAt: z.iso.datetime().nullable(),
    endedAt: z.iso.datetime().nullable(),
    /** Server-measured: from `connectedAt` to the end; 0 when they never were both connected. Null until ended. */
    durationSeconds: z.int().min(0).nullable(),
    endedBy: z.uuid().nullable(),
    endReason: CallEndReason.nullable(),
    /** A missed incoming call the callee has not marked seen yet. */
    missedUnseen: z.boolean(),
  })
  .meta({ id: 'Call' });
export type Call = z.infer<typeof Call>;

export const CreateCallBody = z
  .strictObject({
    calleeId: z.uuid(),
    media: CallMedia.default('video'),
  })
  .meta({ id: 'CreateCallBody' });
export type CreateCallBody = z.infer<typeof CreateCallBody>;

export const CallResponse = z.object({ call: Call }).meta({ id: 'CallResponse' });
export type CallResponse = z.infer<typeof CallResponse>;

export const CallIdParam = z.object({ id: z.uuid() });
export type CallIdParam = z.infer<typeof CallIdParam>;

export const CallFilter = z.enum(['all', 'missed', 'active']);
export type CallFilter = z.infer<typeof CallFilter>;

// No registry id: @fastify/swagger cannot expand a querystring given as a `$ref`.
export const ListCallsQuery = z.object({
  filter: CallFilter.default('all'),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(CALL_LIMITS.maxPageSize)
    .default(CALL_LIMITS.defaultPageSize),
});
export type ListCallsQuery = z.infer<typeof ListCallsQuery>;

export const ListCallsResponse = z
  .object({
    calls: z.array(Call),
    /** Pass as `cursor` for the next (older) page; null on the last page. */
    nextCursor: z.string().nullable(),
    /** Missed incoming calls not marked seen: the badge. */
    unseenMissed: z.int().min(0),
  })
  .meta({ id: 'ListCallsResponse' });
export type ListCallsResponse = z.infer<typeof ListCallsResponse>;

/** A negotiation message's kind; never its SDP or candidate body. */
export const CallSignalKind = z.enum([
  'offer',
  'answer',
  'pranswer',
  'rollback',
  'candidate',
  'end-of-candidates',
]);
export type CallSignalKind = z.infer<typeof CallSignalKind>;

export const CallSignal = z
  .object({
    kind: CallSignalKind,
    /** As the requester sees it: `sent` by them, or `received` from the other party. */
    direction: z.enum(['sent', 'received']),
    at: z.iso.datetime(),
  })
  .meta({ id: 'CallSignal' });
export type CallSignal = z.infer<typeof CallSignal>;

export const CallSignalsResponse = z
  .object({ signals: z.array(CallSignal) })
  .meta({ id: 'CallSignalsResponse' });
export type CallSignalsResponse = z.infer<typeof CallSignalsResponse>;
