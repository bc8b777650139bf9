import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../platform/db/database.js';
import { dialects, testDatabase } from '../../test/harness.js';
import { SignalingServer } from './test-server.js';

type Query = { sql: string; parameters: readonly unknown[] };

/**
 * Every query the app runs, compiled as the database sees it. A `room.join` is the hot
 * path of a call's start: its reads are counted so that a new one cannot slip in unseen.
 */
function counting(handle: DbHandle): { handle: DbHandle; queries: Query[] } {
  const queries: Query[] = [];
  const executor = handle.db.getExecutor();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      const { sql, parameters } = executor.compileQuery(node, queryId);
      queries.push({ sql, parameters });
      return node;
    },
    transformResult: ({ result }) => Promise.resolve(result),
  };
  return { handle: { ...handle, db: handle.db.withPlugin(plugin) }, queries };
}

describe.each(dialects)('room.join queries on %s', (dialect) => {
  let s: SignalingServer;
  let queries: Query[];
  let base: DbHandle;
  beforeAll(async () => {
    base = await testDatabase(dialect);
    const c = counting(base);
    queries = c.queries;
    s = await SignalingServer.start({}, { dialect, db: c.handle });
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

    const ids = [roomId, host.id, guest.id];

    // A host also reads the lobby; the first one in starts the meeting clock (one write).
    const first = await queriesOf(ids, () => h.join(roomId));
    expect(first).toEqual(['select', 'select', 'update', 'select']);

    const second = await queriesOf(ids, () => g.join(roomId));
    expect(second).toEqual(['select', 'select']);
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
