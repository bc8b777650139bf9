import type { Account, Actor, Fixture, HttpOutcome, World } from './fixtures.js';
import type { HttpRow } from './matrix.js';
import { NO_TOKEN } from './matrix-common.js';

// Authorization rows for moderation in the call (issue 14), merged into HTTP_MATRIX: the
// host and co-hosts mute, ask everyone to mute, lower hands and set the spotlight; a
// co-host never acts on the host. Like kick: no standing in the room is the same 404 as
// no room; a participant or someone in the lobby gets NOT_HOST. These act on people in
// the call, so each row first puts its target there (the witness, an admitted
// participant who is no actor). None of them changes who may do what: the shared room.

const UNSEEN = '404 ROOM_NOT_FOUND';
const NOT_HOST = '403 NOT_HOST';
const NOT_IN_CALL = '404 PARTICIPANT_NOT_FOUND';

/** `who`'s connection in the fixture's call, joining it first if they are not in it. */
async function inCall(w: World, fx: Fixture, who: Account): Promise<string> {
  const here = (await w.s.t.live.roster.list(fx.roomId)).find((e) => e.userId === who.id);
  if (here) return here.connectionId;
  const c = await w.s.connect(who);
  await c.join(fx.roomId);
  return c.connectionId;
}

/** Moderators get `cohost` / `host`; a participant or a knocker NOT_HOST; strangers 404. */
const moderators = (cohost: HttpOutcome, host: HttpOutcome): Record<Actor, HttpOutcome> => ({
  anonymous: NO_TOKEN,
  guest: UNSEEN,
  member: UNSEEN,
  otherMember: UNSEEN,
  admin: UNSEEN,
  pending: NOT_HOST,
  admitted: NOT_HOST,
  cohost,
  host,
});

const person =
  (action: 'mute' | 'lower-hand', target: (fx: Fixture) => Account, joinFirst = true) =>
  async (fx: Fixture, _a: Actor, w: World) => {
    if (joinFirst) await inCall(w, fx, target(fx));
    return { url: `/api/rooms/${fx.roomId}/participants/${target(fx).id}/${action}` };
  };

// prettier-ignore
export const MODERATION_ROWS: Record<string, HttpRow> = {
  'POST /api/rooms/:id/participants/:userId/mute': {
    request: person('mute', (fx) => fx.witness),
    expect: moderators('200', '200'),
  },
  'POST /api/rooms/:id/participants/:userId/mute · the host': {
    request: person('mute', (fx) => fx.people.host),
    expect: moderators(NOT_HOST, '200'),
  },
  'POST /api/rooms/:id/participants/:userId/mute · someone admitted but not in the call': {
    request: person('mute', (fx) => fx.people.admitted, false),
    expect: moderators(NOT_IN_CALL, NOT_IN_CALL),
  },
  'POST /api/rooms/:id/participants/:userId/lower-hand': {
    request: person('lower-hand', (fx) => fx.witness),
    expect: moderators('200', '200'),
  },
  'POST /api/rooms/:id/participants/:userId/lower-hand · the host': {
    request: person('lower-hand', (fx) => fx.people.host),
    expect: moderators(NOT_HOST, '200'),
  },
  'POST /api/rooms/:id/mute-all': {
    request: async (fx, _a, w) => {
      await inCall(w, fx, fx.witness);
      return { url: `/api/rooms/${fx.roomId}/mute-all` };
    },
    expect: moderators('200', '200'),
  },
  'POST /api/rooms/:id/spotlight': {
    request: async (fx, _a, w) => ({
      url: `/api/rooms/${fx.roomId}/spotlight`,
      body: { connectionId: await inCall(w, fx, fx.witness) },
    }),
    expect: moderators('204', '204'),
  },
  'POST /api/rooms/:id/spotlight · a connection not in this call': {
    request: (fx) => ({ url: `/api/rooms/${fx.roomId}/spotlight`, body: { connectionId: 'not-in-this-call' } }),
    expect: moderators(NOT_IN_CALL, NOT_IN_CALL),
  },
  'POST /api/rooms/:id/spotlight · nobody': {
    request: (fx) => ({ url: `/api/rooms/${fx.roomId}/spotlight`, body: { connectionId: null } }),
    expect: moderators('204', '204'),
  },
};
