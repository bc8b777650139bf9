/**
 * `POST /api/invites/:code/accept` without a sign-in, Parley only: what an invite link does
 * for someone outside. Each request creates a guest account and its session (tokens),
 * seats the guest in an open room and takes one use of the invite, and answers 200
 * `approved` with the guest's tokens. One invite per room with uses to spare; the rooms
 * fill evenly to 40 of their 50 places. Absolute figures.
 */
import {
  BENCH_ROOM_QUOTAS,
  SEATS_PER_ROOM,
  call,
  openRooms,
  startHttpSubject,
} from '../http-load.js';
import { CONNECTIONS, measurePosts, postRows } from '../http-workload.js';
import type { Sample, SummaryRow, Workload } from '../types.js';

const ACCEPTS = { full: 2000, quick: 400 };
const WARM = { full: 200, quick: 100 };
/** autocannon builds one request per connection it never sends. */
const SPARE = 2 * CONNECTIONS;

const workload: Workload<'parley'> = {
  name: 'invite-accept',
  title:
    'POST /api/invites/:code/accept: new guests through invite links to open rooms, autocannon 50 connections',
  subjects: ['parley'],
  async measure(_subject, ctx): Promise<Sample> {
    const accepts = ctx.quick ? ACCEPTS.quick : ACCEPTS.full;
    const warm = ctx.quick ? WARM.quick : WARM.full;
    const guests = warm + accepts + 2 * SPARE;
    const t = await startHttpSubject('parley', { users: 1, env: BENCH_ROOM_QUOTAS });
    try {
      const host = t.tokens[0]!;
      const rooms = await openRooms(t.url, host, Math.ceil(guests / SEATS_PER_ROOM));
      const codes = await Promise.all(
        rooms.map(async (id) => {
          const r = await call<{ invite: { code: string } }>(`${t.url}/api/rooms/${id}/invites`, {
            token: host,
            body: { expiresInMinutes: 120, maxUses: 1000 },
            expect: 201,
          });
          return r.invite.code;
        }),
      );
      let next = 0;
      const setupRequest = () => {
        const k = next++;
        return {
          method: 'POST',
          path: `/api/invites/${codes[k % codes.length]}/accept`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ displayName: `Bench guest ${k}` }),
        };
      };
      return await measurePosts(t, {
        name: 'invite-accept',
        path: '/api/invites/:code/accept',
        warm,
        amount: accepts,
        next: setupRequest,
        // More requests than planned could overfill a room (409): say so rather than guess.
        overdrawn: () => (next > guests ? `${next} requests for ${guests} guests` : undefined),
      });
    } finally {
      await t.stop();
    }
  },
  summarize: (medians): SummaryRow[] => postRows(medians, 'accept'),
};
export default workload;
