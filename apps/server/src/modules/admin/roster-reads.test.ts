import type { RosterEntry, User } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Roster } from '../../platform/live/index.js';
import { systemClock } from '../../platform/clock.js';
import { PRESENCE_KEY } from '../../platform/live/presence.js';
import { SignalingServer } from '../signaling/test-server.js';
import { createUserDirectory } from '../users/index.js';
import { createAdminService } from './service.js';

// The admin lists show who is connected now, from the shared roster (Redis when there are
// several processes): one roster read per page, however many rooms or accounts it lists,
// never one per row.

const admin: User = {
  id: '00000000-0000-4000-8000-00000000ad01',
  email: null,
  displayName: 'Admin',
  role: 'admin',
  isGuest: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastSeenAt: null,
};

const entry = (connectionId: string, userId: string): RosterEntry => ({
  connectionId,
  userId,
  displayName: userId,
  isGuest: false,
  role: 'participant',
  media: { audio: true, video: true, screen: false, handRaised: false },
  joinedAt: '2026-01-01T00:00:00.000Z',
  handRaisedAt: null,
});

/** The roster, recording each read the lists make. */
function counting(roster: Roster) {
  const reads: string[] = [];
  return {
    reads,
    roster: {
      countUsersOfRooms: (ids: readonly string[]) => {
        reads.push(`rooms ×${ids.length}`);
        return roster.countUsersOfRooms(ids);
      },
      countConnectionsOfUsers: (roomId: string, ids: readonly string[]) => {
        reads.push(`users ×${ids.length}`);
        return roster.countConnectionsOfUsers(roomId, ids);
      },
      list: (roomId: string) => {
        reads.push('list');
        return roster.list(roomId);
      },
    },
  };
}

let s: SignalingServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('admin lists and the roster', () => {
  it('a page of rooms is counted with one roster read, and so is a page of accounts', async () => {
    s = await SignalingServer.start();
    const host = await s.member('host');
    const other = await s.member('other');
    const rooms: string[] = [];
    for (let i = 0; i < 4; i++) rooms.push(await s.createRoom(host));
    const { roster: live } = s.t.live;
    await live.add(rooms[0]!, entry('c1', host.id), 'p');
    await live.add(rooms[0]!, entry('c2', other.id), 'p');
    await live.add(rooms[2]!, entry('c3', other.id), 'p');
    await live.add(PRESENCE_KEY, entry('c4', other.id), 'p');

    const { reads, roster } = counting(live);
    const service = createAdminService({
      db: s.t.db.db,
      roster,
      closeRoom: () => Promise.resolve(false),
    });
    const open = await service.rooms(admin, { status: 'open', limit: 10 });
    const people = Object.fromEntries(open.rooms.map((r) => [r.id, r.participantCount]));
    expect(people).toEqual({ [rooms[0]!]: 2, [rooms[1]!]: 0, [rooms[2]!]: 1, [rooms[3]!]: 0 });
    expect(reads).toEqual(['rooms ×4']);

    reads.length = 0;
    // Occupied in the database: only the roster knows whether anyone is still there.
    await s.t.db.db.updateTable('rooms').set({ empty_since: null }).execute();
    const active = await service.rooms(admin, { status: 'active', limit: 10 });
    expect(active.rooms.map((r) => r.id).sort()).toEqual([rooms[0]!, rooms[2]!].sort());
    expect(reads).toEqual(['rooms ×4']);

    reads.length = 0;
    const directory = createUserDirectory({ db: s.t.db.db, roster, clock: systemClock });
    const accounts = await directory.list(admin, { status: 'all', guests: 'include', limit: 10 });
    const online = Object.fromEntries(accounts.users.map((u) => [u.id, u.online]));
    expect(online).toEqual({ [host.id]: false, [other.id]: true });
    expect(reads).toEqual(['users ×2']);
  });
});
