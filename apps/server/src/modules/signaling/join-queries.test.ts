import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DbHandle } from '../../platform/db/database.js';
import { dialects, testDatabase } from '../../test/harness.js';
import { SignalingServer } from './test-server.js';

type Query = { sql: string; parameters: readonly unknown[] };

describe.each(dialects)('room.join queries on %s', (dialect) => {
  let s: SignalingServer;
  // Every query the app runs, as the database got it (prepared ones too). A `room.join` is
  // the hot path of a call's start: its reads are counted so a new one cannot slip in unseen.
  const queries: Query[] = [];
  let base: DbHandle;
  beforeAll(async () => {
    base = await testDatabase(dialect, { onQuery: (q) => queries.push(q) });
    s = await SignalingServer.start({}, { dialect, db: base });
  });
  afterAll(async () => {
    await s.close();
    await base.close();
  });

  /**
   * The queries run while `join` ran that concern the room or its people (the app's
   * timers query too, about other things).
   */
  async function queriesOf(ids: string[], join: () => Promise<unknown>): Promise<string[]> {
    const from = queries.length;
    await join();
    return queries
      .slice(from)
      .filter((q) => q.parameters.some((p) => ids.includes(p as string)))
      .map((q) => q.sql.split(/\s+/)[0]!.toLowerCase());
  }

  it('a participant joining an occupied room: two reads (room with seat and host; chat)', async () => {
    const host = await s.member('host');
    const roomId = await s.createRoom(host);
    const guest = await s.guest('G');
    await s.enter(guest, roomId);
    const h = await s.connect(host);
    const g = await s.connect(guest);
    // The host's hello announces them online in the same socket task, after the welcome (a
    // read of the contacts audience): the count starts once that is done, or a busy
    // machine puts its reads inside the join's window.
    await vi.waitFor(
      () =>
        expect(
          queries.some((q) => q.sql.includes('"contacts"') && q.parameters.includes(host.id)),
        ).toBe(true),
      { timeout: 10_000 },
    );

    const ids = [roomId, host.id, guest.id];

    // A host also reads the lobby; the first one in starts the meeting clock (one write).
    const first = await queriesOf(ids, () => h.join(roomId));
    expect(first).toEqual(['select', 'select', 'update', 'select']);

    const second = await queriesOf(ids, () => g.join(roomId));
    expect(second).toEqual(['select', 'select']);
  });

  it("a member's hello: the session read and the audience, no write (last seen is kept when they go offline); nobody to tell, so no read of the person", async () => {
    const loner = await s.member('loner');
    const from = queries.length;
    await s.connect(loner);
    const mine = () => queries.slice(from).filter((q) => q.parameters.includes(loner.id));
    await vi.waitFor(() => expect(mine().some((q) => q.sql.includes('"contacts"'))).toBe(true), {
      timeout: 10_000,
    });
    expect(mine().map((q) => q.sql.split(/\s+/)[0]!.toLowerCase())).toEqual(['select', 'select']);
  });

  it('every refusal still holds: no seat, a closed room', async () => {
    const host = await s.member('host');
    const roomId = await s.createRoom(host);
    const stranger = await s.guest('S');
    const c = await s.connect(stranger);
    await expect(c.join(roomId)).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
    await s.end(host, roomId);
    const h = await s.connect(host);
    await expect(h.join(roomId)).rejects.toMatchObject({ code: 'ROOM_CLOSED' });
  });
});
