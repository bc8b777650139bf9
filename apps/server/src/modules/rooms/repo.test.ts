import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../platform/db/database.js';
import type { RoomParticipantsTable, RoomsTable } from '../../platform/db/schema.js';
import { dialects, testDatabase } from '../../test/harness.js';
import { createRoomsRepo } from './repo.js';
import type { RoomsRepo } from './repo.js';

const T0 = '2026-01-01T00:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

// What start-up recovery reads after a crash; the same cases on every dialect.
describe.each(dialects)('rooms repo recovery queries on %s', (dialect) => {
  let h: DbHandle;
  let repo: RoomsRepo;
  beforeEach(async () => {
    h = await testDatabase(dialect);
    repo = createRoomsRepo(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  const user = async () => {
    const id = randomUUID();
    await h.db
      .insertInto('users')
      .values({
        id,
        email: null,
        password_hash: null,
        display_name: 'Someone',
        search_name: 'someone',
        role: 'member',
        is_guest: 1,
        disabled_at: null,
        created_at: T0,
        last_seen_at: null,
        do_not_disturb: 0,
      })
      .execute();
    return id;
  };
  const room = async (hostId: string, patch: Partial<RoomsTable> = {}) => {
    const id = randomUUID();
    await repo.insertRoom(h.db, {
      id,
      code: randomUUID(),
      name: 'Room',
      host_id: hostId,
      visibility: 'private',
      entry: 'open',
      kind: 'meeting',
      password_hash: null,
      chat_enabled: 1,
      max_participants: 8,
      locked: 0,
      status: 'open',
      created_at: T0,
      closed_at: null,
      close_reason: null,
      empty_since: T0,
      instant: 1,
      meeting_started_at: null,
      ...patch,
    });
    return id;
  };
  const participant = async (
    roomId: string,
    userId: string,
    status: RoomParticipantsTable['status'],
    updatedAt: string,
  ) =>
    repo.upsertParticipant(h.db, {
      room_id: roomId,
      user_id: userId,
      role: 'participant',
      status,
      requested_at: T0,
      updated_at: updatedAt,
      decided_by: null,
      invite_id: null,
    });

  it('heldSeats: approved seats of open rooms last changed before the cut-off, and nothing else', async () => {
    const [a, b, c, d, e] = [await user(), await user(), await user(), await user(), await user()];
    const open = await room(a);
    const closed = await room(a);
    await participant(open, a, 'approved', at(0));
    await participant(open, b, 'approved', at(9)); // just before the cut-off
    await participant(open, c, 'approved', at(10)); // taken at the cut-off: spared
    await participant(open, d, 'left', at(0));
    await participant(open, e, 'pending', at(0));
    await participant(closed, b, 'approved', at(0));
    expect(await repo.closeRoom(h.db, closed, at(1), 'ended')).toBe(true);

    const held = await repo.heldSeats(h.db, at(10));
    expect(held).toHaveLength(2);
    expect(held).toEqual(
      expect.arrayContaining([
        { roomId: open, userId: a },
        { roomId: open, userId: b },
      ]),
    );
    expect(await repo.heldSeats(h.db, at(0))).toEqual([]);
    // A released seat is not held any more.
    await repo.transition(h.db, open, a, ['approved'], { status: 'left', updated_at: at(11) });
    expect(await repo.heldSeats(h.db, at(60))).toEqual(
      expect.arrayContaining([
        { roomId: open, userId: b },
        { roomId: open, userId: c },
      ]),
    );
    expect(await repo.heldSeats(h.db, at(60))).toHaveLength(2);
  });

  it('unattendedRooms: open rooms marked occupied; not empty ones, not closed ones', async () => {
    const host = await user();
    const occupied = await room(host, { empty_since: null });
    const empty = await room(host);
    const closedWhileOccupied = await room(host, { empty_since: null });
    await repo.closeRoom(h.db, closedWhileOccupied, at(1), 'expired');
    expect(await repo.unattendedRooms(h.db)).toEqual([occupied]);

    await repo.markEmpty(h.db, occupied, at(2));
    await repo.updateRoom(h.db, empty, { empty_since: null });
    expect(await repo.unattendedRooms(h.db)).toEqual([empty]);
    // Marking a closed room empty does nothing: it stays out of the cleanup job too.
    await repo.markEmpty(h.db, closedWhileOccupied, at(3));
    expect(await repo.roomsEmptySince(h.db, at(60))).toEqual([occupied]);
  });

  it('roomsEmptySince: instant meetings and direct calls are cleaned up; persistent meetings stay, appointments are left to their upkeep', async () => {
    const host = await user();
    const meeting = await room(host);
    const persistent = await room(host, { instant: 0 });
    const direct = await room(host, { kind: 'direct', instant: 0 });
    const appointment = await room(host, { kind: 'appointment', instant: 0 });
    const found = await repo.roomsEmptySince(h.db, at(60));
    expect(found).toHaveLength(2);
    expect(found).toEqual(expect.arrayContaining([meeting, direct]));
    expect(found).not.toContain(appointment);
    expect(found).not.toContain(persistent);
  });

  it('markEmpty stops the meeting clock; closeRoom leaves no meeting going on', async () => {
    const host = await user();
    const a = await room(host, { empty_since: null, meeting_started_at: at(1) });
    const b = await room(host, { empty_since: null, meeting_started_at: at(1) });
    await repo.markEmpty(h.db, a, at(5));
    expect(await repo.findRoom(h.db, a)).toMatchObject({
      empty_since: at(5),
      meeting_started_at: null,
    });
    await repo.closeRoom(h.db, b, at(6), 'ended');
    expect(await repo.findRoom(h.db, b)).toMatchObject({
      status: 'closed',
      meeting_started_at: null,
    });
  });
});
