import type { Room } from '@parley/protocol';

/**
 * What stands between this person and the call, as the server will decide it on join
 * (rooms service `join`): `join` straight in, `password` first, `knock` and wait for a
 * host, or `waiting` — already knocking (e.g. an invite of an approval room put them in the
 * lobby before they got here).
 */
export type EntryStep = 'join' | 'password' | 'knock' | 'waiting';

export function entryStep(
  room: Pick<Room, 'entry' | 'hostId' | 'myStatus' | 'myRole'>,
  userId: string | undefined,
): EntryStep {
  // Admitted earlier, even if they left since: the admission stands, so neither a knock
  // nor the password again (the server seats them back as they were).
  if (room.myStatus === 'approved' || room.myStatus === 'left') return 'join';
  if (room.myStatus === 'pending') return 'waiting';
  // The host (and a co-host) never knock on their own room.
  if (room.myRole === 'host' || room.myRole === 'cohost') return 'join';
  if (userId !== undefined && room.hostId === userId) return 'join';
  switch (room.entry) {
    case 'open':
      return 'join';
    case 'password':
      return 'password';
    case 'approval':
      return 'knock';
  }
}
