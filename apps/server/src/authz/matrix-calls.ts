import type { Account, Actor, HttpOutcome, World } from './fixtures.js';
import type { HttpRow } from './matrix.js';

// Authorization rows for the calls routes (issue 11), merged into HTTP_MATRIX.
// Direct calls are for members: no token 401, a guest 403 FORBIDDEN. Each row's call is
// between `member` (the caller) and `otherMember` (the callee); every other signed-in
// actor is a stranger to it and gets CALL_NOT_FOUND, exactly as for no call at all.
// A row makes a new call per actor, after hanging up whatever the two were in, since a
// person holds one call at a time.

type State = 'ringing' | 'accepted' | 'missed';

/** Hangs up every ringing or accepted call of these people, through the API. */
async function freeLines(w: World, ...who: Account[]): Promise<void> {
  for (const person of who) {
    const res = await w.s.api('GET', '/api/calls?filter=active', person);
    const calls = (res.body.calls ?? []) as { id: string; state: string; direction: string }[];
    for (const call of calls) {
      const action =
        call.state === 'accepted' ? 'end' : call.direction === 'outgoing' ? 'cancel' : 'reject';
      await w.s.api('POST', `/api/calls/${call.id}/${action}`, person);
    }
  }
}

/** A new call from `member` to `otherMember`, brought to `state`; its id. */
async function callIn(w: World, state: State): Promise<string> {
  const { member: caller, otherMember: callee } = w.people;
  await freeLines(w, caller, callee);
  const res = await w.s.api('POST', '/api/calls', caller, { calleeId: callee.id });
  const call = res.body.call as { id: string; state: string } | undefined;
  if (res.status !== 201 || call?.state !== 'ringing')
    throw new Error(`fixture: POST /api/calls answered ${res.status} ${JSON.stringify(res.body)}`);
  if (state === 'accepted') {
    const accepted = await w.s.api('POST', `/api/calls/${call.id}/accept`, callee);
    if (accepted.status !== 200) throw new Error(`fixture: accept answered ${accepted.status}`);
  }
  if (state === 'missed') {
    // Its ring deadline made due now, and the upkeep run once: missed as at the timeout.
    await w.s.t.live.deadlines('call-ring').set(call.id, 0);
    await w.s.t.services.calls.tick();
  }
  return call.id;
}

const NO_TOKEN = '401 UNAUTHENTICATED';
const GUEST = '403 FORBIDDEN';
const STRANGER = '404 CALL_NOT_FOUND';
const WRONG_PARTY = '403 NOT_CALL_PARTY';

/** A row about one call: caller and callee answers given, strangers 404. */
function partiesOnly(caller: HttpOutcome, callee: HttpOutcome): Record<Actor, HttpOutcome> {
  return {
    anonymous: NO_TOKEN,
    guest: GUEST,
    member: caller,
    otherMember: callee,
    admin: STRANGER,
    pending: STRANGER,
    admitted: STRANGER,
    cohost: STRANGER,
    host: STRANGER,
  };
}

const action = (state: State, path: string) => async (_fx: unknown, _a: Actor, w: World) => ({
  url: `/api/calls/${await callIn(w, state)}${path}`,
});

// prettier-ignore
export const CALL_ROWS: Record<string, HttpRow> = {
  'POST /api/calls': {
    // Each actor calls a new member, after hanging up what they were in.
    request: async (fx, actor, w) => {
      if (actor !== 'anonymous') await freeLines(w, fx.people[actor]);
      const callee = await w.s.member('callee');
      return { url: '/api/calls', body: { calleeId: callee.id, media: 'audio' } };
    },
    expect: { anonymous: NO_TOKEN, guest: GUEST, member: '201', otherMember: '201', admin: '201',
              pending: '201', admitted: '201', cohost: '201', host: '201' },
  },
  'GET /api/calls': {
    request: () => ({ url: '/api/calls?filter=all&limit=5' }),
    expect: { anonymous: NO_TOKEN, guest: GUEST, member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'GET /api/calls/:id': {
    request: action('ringing', ''),
    expect: partiesOnly('200', '200'),
  },
  'GET /api/calls/:id/signals': {
    request: action('accepted', '/signals'),
    expect: partiesOnly('200', '200'),
  },
  'POST /api/calls/:id/accept': {
    request: action('ringing', '/accept'),
    expect: partiesOnly(WRONG_PARTY, '200'),
  },
  'POST /api/calls/:id/reject': {
    request: action('ringing', '/reject'),
    expect: partiesOnly(WRONG_PARTY, '200'),
  },
  'POST /api/calls/:id/cancel': {
    request: action('ringing', '/cancel'),
    expect: partiesOnly('200', WRONG_PARTY),
  },
  'POST /api/calls/:id/end': {
    request: action('accepted', '/end'),
    expect: partiesOnly('200', '200'),
  },
  'POST /api/calls/:id/seen': {
    request: action('missed', '/seen'),
    expect: partiesOnly(WRONG_PARTY, '200'),
  },
};
