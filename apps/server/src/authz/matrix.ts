import { ClientMessageType } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../modules/signaling/test-client.js';
import { APPOINTMENT_ROWS } from './matrix-appointments.js';
import { CALL_ROWS } from './matrix-calls.js';
import { CONTACT_ROWS } from './matrix-contacts.js';
import { MODERATION_ROWS } from './matrix-moderation.js';
import { ADMIN_ROWS } from './matrix-admin.js';
import { AUDIT_ROWS } from './matrix-audit.js';
import { OPS_ROWS } from './matrix-ops.js';
import { SETTINGS_ROWS } from './matrix-settings.js';
import type { Dialect } from '../test/harness.js';
import {
  ACTORS,
  BAD_HELLO,
  NATURAL_START,
  World,
  httpCell,
  witnessIn,
  wsCell,
} from './fixtures.js';
import type {
  Actor,
  Fixture,
  HttpOutcome,
  HttpRequest,
  OkEvidence,
  WsCell,
  WsOutcome,
} from './fixtures.js';

// The authorization matrix (DESIGN §5, issue 9): every /api route and every client socket
// message, asked by every actor of fixtures.ts, against the answer the rules require.
// A route or message type without a row fails the coverage test, naming it. Rows whose
// call changes the room run on a new room per actor (`fresh`); the others share one.
// Run by authz.test.ts (SQLite, always) and authz.postgres.test.ts (when
// TEST_DATABASE_URL is set): the whole matrix on both dialects.

export type HttpRow = {
  /** One new room per actor: a success changes the room, so it would change the next answer. */
  fresh?: true;
  request(fx: Fixture, actor: Actor, w: World): HttpRequest | Promise<HttpRequest>;
  expect: Record<Actor, HttpOutcome>;
};

type WsRow = {
  fresh?: true;
  /** `socket`: a new socket, nothing sent yet; `ready`: signed in, in no call. Default: NATURAL_START. */
  start?: 'socket' | 'ready';
  /** The host has loaded a video first (play, pause, seek and rate need one). */
  video?: true;
  /** The witness sits in another room (same people, a second fixture): nothing may cross. */
  witnessElsewhere?: true;
  message: (cell: WsCell) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** What `ok` means for this row; on a refusal, the same evidence reaching anyone is a leak. */
  ok: OkEvidence;
  expect: Record<Actor, WsOutcome>;
};

const NO_TOKEN = '401 UNAUTHENTICATED';
/** DESIGN §8: a room you may not see answers exactly like one that does not exist. */
const UNSEEN = '404 ROOM_NOT_FOUND';
const NOT_HOST = '403 NOT_HOST';
/** Signed in, but not allowed: admin routes for non-admins, TURN for a guest without a room. */
const FORBIDDEN = '403 FORBIDDEN';

const room = (fx: Fixture) => `/api/rooms/${fx.roomId}`;
const decide = (fx: Fixture, target: 'pending' | 'admitted', action: string) => ({
  url: `${room(fx)}/participants/${fx.people[target].id}/${action}`,
});

// Keys are `METHOD /api/path` exactly as Fastify registered them; a key may add ` · variant`
// for a second look at the same route with other arguments.
// prettier-ignore
export const HTTP_MATRIX: Record<string, HttpRow> = {
  'GET /api/health': {
    request: () => ({ url: '/api/health' }),
    expect: { anonymous: '200', guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'GET /api/openapi.json': {
    request: () => ({ url: '/api/openapi.json' }),
    expect: { anonymous: '200', guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },

  // ---- auth: the credential is in the body; a bearer token changes nothing
  'POST /api/auth/register': {
    request: () => ({ url: '/api/auth/register', body: newAccountBody() }),
    expect: { anonymous: '201', guest: '201', member: '201', otherMember: '201', admin: '201',
              pending: '201', admitted: '201', cohost: '201', host: '201' },
  },
  'POST /api/auth/login': {
    request: (_fx, _a, w) => ({ url: '/api/auth/login', body: credentials(w) }),
    expect: { anonymous: '200', guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'POST /api/auth/refresh': {
    request: async (_fx, _a, w) => ({ url: '/api/auth/refresh', body: { refreshToken: await w.spareRefreshToken() } }),
    expect: { anonymous: '200', guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'POST /api/auth/logout': {
    request: async (_fx, _a, w) => ({ url: '/api/auth/logout', body: { refreshToken: await w.spareRefreshToken() } }),
    expect: { anonymous: '204', guest: '204', member: '204', otherMember: '204', admin: '204',
              pending: '204', admitted: '204', cohost: '204', host: '204' },
  },
  'POST /api/auth/guest': {
    request: () => ({ url: '/api/auth/guest', body: { displayName: 'Visitor' } }),
    expect: { anonymous: '201', guest: '201', member: '201', otherMember: '201', admin: '201',
              pending: '201', admitted: '201', cohost: '201', host: '201' },
  },
  'GET /api/auth/me': {
    request: () => ({ url: '/api/auth/me' }),
    expect: { anonymous: NO_TOKEN, guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },

  // ---- admin
  'PATCH /api/admin/users/:id': {
    request: (fx) => ({ url: `/api/admin/users/${fx.subject.id}`, body: { role: 'provider' } }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: FORBIDDEN, otherMember: FORBIDDEN, admin: '200',
              pending: FORBIDDEN, admitted: FORBIDDEN, cohost: FORBIDDEN, host: FORBIDDEN },
  },
  'PATCH /api/admin/users/:id · making oneself admin': {
    request: (fx, actor) => ({
      url: `/api/admin/users/${actor === 'anonymous' ? fx.subject.id : fx.people[actor].id}`,
      body: { role: 'admin' },
    }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: FORBIDDEN, otherMember: FORBIDDEN, admin: '200',
              pending: FORBIDDEN, admitted: FORBIDDEN, cohost: FORBIDDEN, host: FORBIDDEN },
  },

  // ---- rooms: signed-in users and guests; a room's code or id is what lets you look it up
  'GET /api/rooms': {
    request: () => ({ url: '/api/rooms' }),
    expect: { anonymous: NO_TOKEN, guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'GET /api/rooms/public': {
    request: () => ({ url: '/api/rooms/public' }),
    expect: { anonymous: NO_TOKEN, guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'POST /api/rooms': {
    request: () => ({ url: '/api/rooms', body: { name: 'Mine', visibility: 'private', entry: 'open' } }),
    expect: { anonymous: NO_TOKEN, guest: '403 GUESTS_CANNOT_CREATE_ROOMS', member: '201', otherMember: '201', admin: '201',
              pending: '201', admitted: '201', cohost: '201', host: '201' },
  },
  'GET /api/rooms/:idOrCode': {
    request: (fx) => ({ url: `/api/rooms/${fx.code}` }),
    expect: { anonymous: NO_TOKEN, guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'PATCH /api/rooms/:id': {
    request: (fx) => ({ url: room(fx), body: { name: 'Renamed' } }),
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: NOT_HOST, admitted: NOT_HOST, cohost: NOT_HOST, host: '200' },
  },
  'DELETE /api/rooms/:id': {
    fresh: true,
    request: (fx) => ({ url: room(fx) }),
    // Co-hosts may end it for all too: moderation survives the host (issue 14).
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: NOT_HOST, admitted: NOT_HOST, cohost: '204', host: '204' },
  },
  'POST /api/rooms/:idOrCode/join': {
    fresh: true,
    request: (fx) => ({ url: `/api/rooms/${fx.code}/join`, body: {} }),
    expect: { anonymous: NO_TOKEN, guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'POST /api/rooms/:id/leave': {
    fresh: true,
    request: (fx) => ({ url: `${room(fx)}/leave` }),
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: '204', admitted: '204', cohost: '204', host: '204' },
  },
  'POST /api/rooms/:id/participants/:userId/admit': {
    fresh: true,
    request: (fx) => decide(fx, 'pending', 'admit'),
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: NOT_HOST, admitted: NOT_HOST, cohost: '200', host: '200' },
  },
  'POST /api/rooms/:id/participants/:userId/deny': {
    fresh: true,
    request: (fx) => decide(fx, 'pending', 'deny'),
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: NOT_HOST, admitted: NOT_HOST, cohost: '200', host: '200' },
  },
  'POST /api/rooms/:id/participants/:userId/kick': {
    fresh: true,
    request: (fx) => decide(fx, 'admitted', 'kick'),
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: NOT_HOST, admitted: NOT_HOST, cohost: '200', host: '200' },
  },
  'POST /api/rooms/:id/participants/:userId/promote': {
    fresh: true,
    request: (fx) => decide(fx, 'admitted', 'promote'),
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: NOT_HOST, admitted: NOT_HOST, cohost: NOT_HOST, host: '200' },
  },
  'GET /api/rooms/:id/messages': {
    request: (fx) => ({ url: `${room(fx)}/messages` }),
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: '403 NOT_APPROVED', admitted: '200', cohost: '200', host: '200' },
  },

  // ---- invites: made, listed and revoked by the host or a co-host; the code itself is the
  // capability (in this approval room it leads to the lobby: 200 `pending` for newcomers)
  'POST /api/rooms/:id/invites': {
    request: (fx) => ({ url: `${room(fx)}/invites`, body: { expiresInMinutes: 10 } }),
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: NOT_HOST, admitted: NOT_HOST, cohost: '201', host: '201' },
  },
  'GET /api/rooms/:id/invites': {
    request: async (fx) => {
      await fx.invite();
      return { url: `${room(fx)}/invites` };
    },
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: NOT_HOST, admitted: NOT_HOST, cohost: '200', host: '200' },
  },
  'DELETE /api/rooms/:id/invites/:code': {
    fresh: true,
    request: async (fx) => ({ url: `${room(fx)}/invites/${await fx.invite()}` }),
    expect: { anonymous: NO_TOKEN, guest: UNSEEN, member: UNSEEN, otherMember: UNSEEN, admin: UNSEEN,
              pending: NOT_HOST, admitted: NOT_HOST, cohost: '204', host: '204' },
  },
  'GET /api/invites/:code': {
    request: async (fx) => ({ url: `/api/invites/${await fx.invite()}` }),
    expect: { anonymous: '200', guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'POST /api/invites/:code/accept': {
    fresh: true,
    // Without a token the accept creates a guest, which needs a name.
    request: async (fx, actor) => ({
      url: `/api/invites/${await fx.invite()}/accept`,
      body: actor === 'anonymous' ? { displayName: 'Invited' } : {},
    }),
    expect: { anonymous: '200', guest: '200', member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },

  // ---- calls. DESIGN §8: TURN credentials only for signed-in users or guests with a room.
  'GET /api/ice-servers': {
    // The shared guest has joined rooms in earlier rows; the rule is about a guest with none
    // (modules/ice/ice.test.ts shows a guest with a room gets credentials).
    request: async (_fx, actor, w) =>
      actor === 'guest'
        ? { url: '/api/ice-servers', as: await w.roomlessGuest() }
        : { url: '/api/ice-servers' },
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },

  // ---- direct calls, contacts, presence (issue 11): rows live beside this file
  ...CALL_ROWS,
  ...CONTACT_ROWS,
  // ---- moderation in the call (issue 14)
  ...MODERATION_ROWS,
  ...APPOINTMENT_ROWS,
  // ---- operations (issue 13)
  ...OPS_ROWS,
  ...AUDIT_ROWS,
  ...SETTINGS_ROWS,
  ...ADMIN_ROWS,
};

/**
 * Cells where the server today does not do what the rule in the table says; each one is
 * reported as a bug. The row's test expects today's answer in that cell (its name says
 * so) and fails once the code is fixed, so the entry gets deleted and the rule holds.
 */
export const KNOWN_DEVIATIONS: Record<
  string,
  Partial<Record<Actor, { today: string; why: string }>>
> = {};

/** `/api` routes that need no row, and why. Anything else Fastify registers must have one. */
const EXCLUDED_ROUTES: {
  why: string;
  match(r: { method: string; url: string }, all: Set<string>): boolean;
}[] = [
  {
    why: "Fastify's automatic HEAD twin of a GET route: same hooks and handler as the GET row (checked below for anonymous callers)",
    match: (r, all) => r.method === 'HEAD' && all.has(`GET ${r.url}`),
  },
  {
    why: 'the Swagger UI under /api/docs: static files and a copy of the public OpenAPI document, no data',
    match: (r) => r.url === '/api/docs' || r.url.startsWith('/api/docs/'),
  },
];

const userOf = (cell: WsCell) => cell.account?.id;
// prettier-ignore
const PLAYBACK_OUTCOMES: Record<Actor, WsOutcome> = {
  anonymous: 'close:4004', guest: 'error:NOT_IN_ROOM', member: 'error:NOT_IN_ROOM', otherMember: 'error:NOT_IN_ROOM',
  admin: 'error:NOT_IN_ROOM', pending: 'error:NOT_IN_ROOM', admitted: 'error:NOT_HOST', cohost: 'ok', host: 'ok',
};
const playbackHeard: OkEvidence = {
  witness: 'playback.state',
  match: (m, cell) => m.type === 'playback.state' && m.by === userOf(cell),
};

// Keys are client message types (ClientMessageType), optionally with ` · variant`.
// Anonymous = a socket that never sent a valid hello: anything but hello closes it with 4004.
// prettier-ignore
export const WS_MATRIX: Record<string, WsRow> = {
  'hello': {
    start: 'socket',
    message: (c) => (c.account ? { type: 'hello', token: c.account.token, protocolVersion: 1 } : BAD_HELLO),
    ok: { reply: 'welcome' },
    expect: { anonymous: 'close:4002', guest: 'ok', member: 'ok', otherMember: 'ok', admin: 'ok',
              pending: 'ok', admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
  'hello · a second time on a signed-in socket': {
    message: (c) => (c.account ? { type: 'hello', token: c.account.token, protocolVersion: 1 } : BAD_HELLO),
    ok: { reply: 'welcome' },
    expect: { anonymous: 'close:4002', guest: 'error:INVALID_MESSAGE', member: 'error:INVALID_MESSAGE',
              otherMember: 'error:INVALID_MESSAGE', admin: 'error:INVALID_MESSAGE', pending: 'error:INVALID_MESSAGE',
              admitted: 'error:INVALID_MESSAGE', cohost: 'error:INVALID_MESSAGE', host: 'error:INVALID_MESSAGE' },
  },
  'hello · with an invite code instead of an access token': {
    start: 'socket',
    message: async (c) => ({ type: 'hello', token: await c.fx.invite(), protocolVersion: 1 }),
    ok: { reply: 'welcome' },
    expect: { anonymous: 'close:4002', guest: 'close:4002', member: 'close:4002', otherMember: 'close:4002',
              admin: 'close:4002', pending: 'close:4002', admitted: 'close:4002', cohost: 'close:4002', host: 'close:4002' },
  },
  'auth.refresh': {
    // Anonymous presents a perfectly valid token: auth.refresh is no way around hello.
    message: async (c) => ({ type: 'auth.refresh', token: await c.w.freshToken(c.account ?? c.w.loginAccount) }),
    ok: { reply: 'auth.refreshed' },
    expect: { anonymous: 'close:4004', guest: 'ok', member: 'ok', otherMember: 'ok', admin: 'ok',
              pending: 'ok', admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
  "auth.refresh · another user's token": {
    message: (c) => ({ type: 'auth.refresh', token: someoneElse(c).token }),
    ok: { reply: 'auth.refreshed' },
    expect: { anonymous: 'close:4004', guest: 'close:4002', member: 'close:4002', otherMember: 'close:4002',
              admin: 'close:4002', pending: 'close:4002', admitted: 'close:4002', cohost: 'close:4002', host: 'close:4002' },
  },
  'auth.refresh · a token that is not one': {
    // Refused, but the socket stays: it lives on until the token from hello expires.
    message: () => ({ type: 'auth.refresh', token: 'not-a-valid-token' }),
    ok: { reply: 'auth.refreshed' },
    expect: { anonymous: 'close:4004', guest: 'error:INVALID_TOKEN', member: 'error:INVALID_TOKEN',
              otherMember: 'error:INVALID_TOKEN', admin: 'error:INVALID_TOKEN', pending: 'error:INVALID_TOKEN',
              admitted: 'error:INVALID_TOKEN', cohost: 'error:INVALID_TOKEN', host: 'error:INVALID_TOKEN' },
  },
  'ping': {
    message: () => ({ type: 'ping' }),
    ok: { reply: 'pong' },
    expect: { anonymous: 'close:4004', guest: 'ok', member: 'ok', otherMember: 'ok', admin: 'ok',
              pending: 'ok', admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
  'room.join': {
    start: 'ready',
    message: (c) => ({ type: 'room.join', roomId: c.fx.roomId }),
    ok: { reply: 'room.joined' },
    expect: { anonymous: 'close:4004', guest: 'error:ROOM_NOT_FOUND', member: 'error:ROOM_NOT_FOUND',
              otherMember: 'error:ROOM_NOT_FOUND', admin: 'error:ROOM_NOT_FOUND', pending: 'error:NOT_APPROVED',
              admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
  'room.leave': {
    fresh: true,
    message: () => ({ type: 'room.leave' }),
    ok: {
      witness: 'participant.left',
      match: (m, c) => m.type === 'participant.left' && m.connectionId === c.client.connectionId && m.reason === 'left',
    },
    expect: { anonymous: 'close:4004', guest: 'error:NOT_IN_ROOM', member: 'error:NOT_IN_ROOM', otherMember: 'error:NOT_IN_ROOM',
              admin: 'error:NOT_IN_ROOM', pending: 'error:NOT_IN_ROOM', admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
  'signal': {
    // Addressed to the witness's real connection id: knowing it is not enough.
    message: (c) => ({ type: 'signal', to: c.witness.connectionId, description: { type: 'offer', sdp: `v=0\r\no=- matrix-${c.actor}\r\n` } }),
    ok: {
      witness: 'signal',
      match: (m, c) => m.type === 'signal' && m.description?.sdp.includes(`matrix-${c.actor}\r\n`) === true,
    },
    expect: { anonymous: 'close:4004', guest: 'error:NOT_IN_ROOM', member: 'error:NOT_IN_ROOM', otherMember: 'error:NOT_IN_ROOM',
              admin: 'error:NOT_IN_ROOM', pending: 'error:NOT_IN_ROOM', admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
  'signal · to a connection in another room': {
    witnessElsewhere: true,
    message: (c) => ({ type: 'signal', to: c.witness.connectionId, description: { type: 'offer', sdp: `v=0\r\no=- matrix-${c.actor}\r\n` } }),
    ok: {
      witness: 'signal',
      match: (m, c) => m.type === 'signal' && m.description?.sdp.includes(`matrix-${c.actor}\r\n`) === true,
    },
    expect: { anonymous: 'close:4004', guest: 'error:NOT_IN_ROOM', member: 'error:NOT_IN_ROOM', otherMember: 'error:NOT_IN_ROOM',
              admin: 'error:NOT_IN_ROOM', pending: 'error:NOT_IN_ROOM', admitted: 'error:TARGET_NOT_FOUND',
              cohost: 'error:TARGET_NOT_FOUND', host: 'error:TARGET_NOT_FOUND' },
  },
  'media.update': {
    message: () => ({ type: 'media.update', audio: true, video: false, screen: false, handRaised: true }),
    ok: {
      witness: 'participant.updated',
      match: (m, c) => m.type === 'participant.updated' && m.participant.connectionId === c.client.connectionId,
    },
    expect: { anonymous: 'close:4004', guest: 'error:NOT_IN_ROOM', member: 'error:NOT_IN_ROOM', otherMember: 'error:NOT_IN_ROOM',
              admin: 'error:NOT_IN_ROOM', pending: 'error:NOT_IN_ROOM', admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
  'chat.send': {
    message: (c) => ({ type: 'chat.send', text: `matrix ${c.actor}` }),
    ok: { witness: 'chat.message', match: (m, c) => m.type === 'chat.message' && m.text === `matrix ${c.actor}` },
    expect: { anonymous: 'close:4004', guest: 'error:NOT_IN_ROOM', member: 'error:NOT_IN_ROOM', otherMember: 'error:NOT_IN_ROOM',
              admin: 'error:NOT_IN_ROOM', pending: 'error:NOT_IN_ROOM', admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
  'chat.typing': {
    message: () => ({ type: 'chat.typing' }),
    ok: { witness: 'chat.typing', match: (m, c) => m.type === 'chat.typing' && m.userId === userOf(c) },
    expect: { anonymous: 'close:4004', guest: 'error:NOT_IN_ROOM', member: 'error:NOT_IN_ROOM', otherMember: 'error:NOT_IN_ROOM',
              admin: 'error:NOT_IN_ROOM', pending: 'error:NOT_IN_ROOM', admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
  'playback.set': {
    message: (c) => ({ type: 'playback.set', source: { kind: 'url', url: `https://media.example.org/${c.actor}.webm` } }),
    ok: playbackHeard,
    expect: PLAYBACK_OUTCOMES,
  },
  'playback.play': { video: true, message: () => ({ type: 'playback.play' }), ok: playbackHeard, expect: PLAYBACK_OUTCOMES },
  'playback.pause': { video: true, message: () => ({ type: 'playback.pause' }), ok: playbackHeard, expect: PLAYBACK_OUTCOMES },
  'playback.seek': { video: true, message: () => ({ type: 'playback.seek', time: 42 }), ok: playbackHeard, expect: PLAYBACK_OUTCOMES },
  'playback.rate': { video: true, message: () => ({ type: 'playback.rate', rate: 1.5 }), ok: playbackHeard, expect: PLAYBACK_OUTCOMES },
  'reaction.send': {
    message: () => ({ type: 'reaction.send', emoji: '👏' }),
    ok: {
      witness: 'reaction',
      match: (m, c) => m.type === 'reaction' && m.connectionId === c.client.connectionId,
    },
    expect: { anonymous: 'close:4004', guest: 'error:NOT_IN_ROOM', member: 'error:NOT_IN_ROOM', otherMember: 'error:NOT_IN_ROOM',
              admin: 'error:NOT_IN_ROOM', pending: 'error:NOT_IN_ROOM', admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
  'quality.report': {
    // Only from a call: a link exists only there. The count itself is checked in ops/metrics.test.ts.
    message: () => ({ type: 'quality.report', outcome: 'direct', firstFrameMs: 900 }),
    ok: { reply: 'quality.recorded' },
    expect: { anonymous: 'close:4004', guest: 'error:NOT_IN_ROOM', member: 'error:NOT_IN_ROOM', otherMember: 'error:NOT_IN_ROOM',
              admin: 'error:NOT_IN_ROOM', pending: 'error:NOT_IN_ROOM', admitted: 'ok', cohost: 'ok', host: 'ok' },
  },
};

/** Another signed-in person's account (for "someone else's token"). */
function someoneElse(c: WsCell) {
  const people = c.fx.people;
  return c.actor === 'otherMember' ? people.member : people.otherMember;
}

let accounts = 0;
function newAccountBody() {
  accounts++;
  return {
    email: `matrix${accounts}.${Math.random().toString(36).slice(2, 8)}@example.org`,
    password: 'correct horse 42',
    displayName: `Matrix ${accounts}`,
  };
}
function credentials(w: World) {
  return { email: w.loginAccount.email, password: w.loginAccount.password };
}

/** The key without its ` · variant`: `METHOD /api/path` or a message type. */
const base = (key: string) => key.split(' · ')[0]!;

function expected(key: string, row: { expect: Record<Actor, string> }): Record<Actor, string> {
  const now = { ...row.expect };
  for (const [actor, d] of Object.entries(KNOWN_DEVIATIONS[key] ?? {}))
    now[actor as Actor] = d.today;
  return now;
}

function title(key: string): string {
  const deviations = Object.keys(KNOWN_DEVIATIONS[key] ?? {});
  return deviations.length
    ? `${key} (KNOWN DEVIATION for ${deviations.join(', ')}: see KNOWN_DEVIATIONS)`
    : key;
}

/** The whole matrix against one database dialect (one test file per dialect, so they run in parallel). */
export function describeMatrix(dialect: Dialect): void {
  describe(`authorization matrix on ${dialect}`, () => {
    let w: World;
    let shared: Fixture;
    beforeAll(async () => {
      w = await World.start(dialect);
      shared = await w.fixture();
    });
    afterEach(async () => {
      await w.s.closeClients();
    });
    afterAll(async () => {
      await w?.close();
    });

    describe('coverage', () => {
      it('has a row for every /api route and every client message type, naming every actor', () => {
        // `/metrics` sits outside /api (where Prometheus looks) but is just as guarded.
        const routes = w.s.t.routes.filter(
          (r) => r.url === '/api' || r.url.startsWith('/api/') || r.url === '/metrics',
        );
        const all = new Set(routes.map((r) => `${r.method} ${r.url}`));
        const needed = [
          ...new Set(
            routes
              .filter((r) => !EXCLUDED_ROUTES.some((e) => e.match(r, all)))
              .map((r) => `${r.method} ${r.url}`),
          ),
        ];
        const httpRows = new Set(Object.keys(HTTP_MATRIX).map(base));
        const wsRows = new Set(Object.keys(WS_MATRIX).map(base));
        const types: readonly string[] = ClientMessageType;
        // One assertion, so a failure names every gap at once.
        expect({
          routesWithoutRow: needed.filter((k) => !httpRows.has(k)),
          rowsForMissingRoutes: [...httpRows].filter((k) => !needed.includes(k)),
          messageTypesWithoutRow: types.filter((t) => !wsRows.has(t)),
          rowsForUnknownTypes: [...wsRows].filter((t) => !types.includes(t)),
          rowsNotNamingEveryActorOnce: Object.entries({ ...HTTP_MATRIX, ...WS_MATRIX })
            .filter(
              ([, row]) => [...ACTORS].sort().join() !== Object.keys(row.expect).sort().join(),
            )
            .map(([key]) => key),
          deviationsWithoutRow: Object.keys(KNOWN_DEVIATIONS).filter(
            (k) => !(k in HTTP_MATRIX) && !(k in WS_MATRIX),
          ),
        }).toEqual({
          routesWithoutRow: [],
          rowsForMissingRoutes: [],
          messageTypesWithoutRow: [],
          rowsForUnknownTypes: [],
          rowsNotNamingEveryActorOnce: [],
          deviationsWithoutRow: [],
        });
      });
    });

    describe('HTTP', () => {
      for (const [key, row] of Object.entries(HTTP_MATRIX)) {
        it(title(key), async () => {
          const method = base(key).split(' ')[0]!;
          const observed = {} as Record<Actor, string>;
          const fresh = row.fresh ? await Promise.all(ACTORS.map(() => w.fixture())) : [];
          for (const [i, actor] of ACTORS.entries()) {
            const fx = fresh[i] ?? shared;
            observed[actor] = await httpCell(w, fx, method, actor, await row.request(fx, actor, w));
          }
          expect(observed).toEqual(expected(key, row));
        });
      }

      it('HEAD twins of GET routes refuse anonymous callers like their GET', async () => {
        const heads = w.s.t.routes.filter(
          (r) => r.method === 'HEAD' && r.url.startsWith('/api/') && `GET ${r.url}` in HTTP_MATRIX,
        );
        const observed: Record<string, string> = {};
        const wanted: Record<string, string> = {};
        for (const r of heads) {
          const row = HTTP_MATRIX[`GET ${r.url}`]!;
          wanted[r.url] = row.expect.anonymous.split(' ')[0]!;
          observed[r.url] = await httpCell(
            w,
            shared,
            'HEAD',
            'anonymous',
            await row.request(shared, 'anonymous', w),
          );
        }
        expect(observed).toEqual(wanted);
      });
    });

    describe('WebSocket', () => {
      for (const [key, row] of Object.entries(WS_MATRIX)) {
        it(title(key), async () => {
          const observed = {} as Record<Actor, string>;
          const fresh = row.fresh ? await Promise.all(ACTORS.map(() => w.fixture())) : [];
          const elsewhere = row.witnessElsewhere ? await w.fixture() : undefined;
          let sharedWitness: TestClient | undefined;
          for (const [i, actor] of ACTORS.entries()) {
            const fx = fresh[i] ?? shared;
            if (row.video) await fx.loadVideo();
            const witness = fresh[i]
              ? await witnessIn(w, elsewhere ?? fx)
              : (sharedWitness ??= await witnessIn(w, elsewhere ?? fx));
            const natural = NATURAL_START[actor];
            const start =
              row.start === 'socket'
                ? 'socket'
                : row.start === 'ready' && natural === 'in-room'
                  ? 'ready'
                  : natural;
            observed[actor] = await wsCell(w, fx, actor, start, witness, row.message, row.ok);
            if (fresh[i]) await witness.terminate();
          }
          expect(observed).toEqual(expected(key, row));
        });
      }
    });
  });
}
