/**
 * `POST /api/rooms/:id/join` (REST), Parley only: signed-in members who were never in the
 * room ask to join open rooms, so every request takes a seat (room row locked, capacity
 * counted, participant written, the room view built) and answers 200 `approved`. Each
 * member joins once; the rooms fill evenly to 40 of their 50 places. Absolute figures.
 */
import { BENCH_ROOM_QUOTAS, SEATS_PER_ROOM, openRooms, startHttpSubject } from '../http-load.js';
import { CONNECTIONS, measurePosts, postRows } from '../http-workload.js';
import type { Sample, SummaryRow, Workload } from '../types.js';

/** Joins measured (and before them, unrecorded, to warm the process up). */
const JOINS = { full: 3000, quick: 600 };
const WARM = { full: 300, quick: 100 };
/** autocannon builds one request per connection it never sends. */
const SPARE = 2 * CONNECTIONS;

const workload: Workload<'parley'> = {
  name: 'rest-join',
  title: 'POST /api/rooms/:id/join: members new to open rooms, autocannon 50 connections',
  subjects: ['parley'],
  async measure(_subject, ctx): Promise<Sample> {
    const joins = ctx.quick ? JOINS.quick : JOINS.full;
    const warm = ctx.quick ? WARM.quick : WARM.full;
    const people = warm + joins + 2 * SPARE;
    // User 0 hosts every room; users 1… join.
    const t = await startHttpSubject('parley', { users: people + 1, env: BENCH_ROOM_QUOTAS });
    try {
      const rooms = await openRooms(t.url, t.tokens[0]!, Math.ceil(people / SEATS_PER_ROOM));
      let next = 0;
      const setupRequest = () => {
        const k = next++;
        return {
          method: 'POST',
          path: `/api/rooms/${rooms[k % rooms.length]}/join`,
          headers: {
            authorization: `Bearer ${t.tokens[1 + (k % people)]}`,
            'content-type': 'application/json',
          },
          body: '{}',
        };
      };
      return await measurePosts(t, {
        name: 'rest-join',
        path: '/api/rooms/:id/join',
        warm,
        amount: joins,
        next: setupRequest,
        // Past the pool a member would join again (already in: a cheaper answer).
        overdrawn: () => (next > people ? `${next} requests for ${people} members` : undefined),
      });
    } finally {
      await t.stop();
    }
  },
  summarize: (medians): SummaryRow[] => postRows(medians, 'join'),
};
export default workload;
