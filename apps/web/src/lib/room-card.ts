import type { Room } from '@parley/protocol';

/**
 * The one state a room card shows (the issue: "Open" was a status chip, a button and an
 * entry choice on one card). `idle`: open, nobody in the call; `instant`: the same for an
 * ad-hoc room, which closes once it has been empty a while.
 */
export type RoomCardState =
  { kind: 'live'; people: number } | { kind: 'idle' } | { kind: 'instant' } | { kind: 'ended' };

/** What the card's button does: a host starts an empty meeting, everyone else joins. */
export type RoomCardAction = 'start' | 'join' | null;

export interface RoomCard {
  state: RoomCardState;
  action: RoomCardAction;
  /** Sort rank: meetings going on first, then rooms that can be started, ended ones last. */
  rank: number;
}

export function roomCard(
  room: Pick<Room, 'status' | 'participantCount' | 'instant' | 'myRole'>,
): RoomCard {
  if (room.status === 'closed') return { state: { kind: 'ended' }, action: null, rank: 2 };
  if (room.participantCount > 0) {
    return { state: { kind: 'live', people: room.participantCount }, action: 'join', rank: 0 };
  }
  const moderates = room.myRole === 'host' || room.myRole === 'cohost';
  return {
    state: { kind: room.instant ? 'instant' : 'idle' },
    action: moderates ? 'start' : 'join',
    rank: 1,
  };
}

/** The dashboard's order: by rank, newest first within each. */
export function sortRooms<R extends Parameters<typeof roomCard>[0] & Pick<Room, 'createdAt'>>(
  rooms: readonly R[],
): R[] {
  return [...rooms].sort(
    (a, b) => roomCard(a).rank - roomCard(b).rank || b.createdAt.localeCompare(a.createdAt),
  );
}
