import type { Actor, Fixture, World } from './fixtures.js';
import type { HttpRow } from './matrix.js';

// Authorization rows for the contacts routes (issue 11), merged into HTTP_MATRIX.
// Contacts, blocks, presence and search are for members: any signed-in account that is
// not a guest, whatever its standing in the fixture's room (rooms grant nothing here).
// Who is online is for admins. Rows that change an address book use a new target person
// per cell, so every cell starts from the same state.

const NO_TOKEN = '401 UNAUTHENTICATED';
const FORBIDDEN = '403 FORBIDDEN';

/** A member nobody has anything to do with yet. */
function target(w: World) {
  return w.s.member('target');
}

/** The actor's account, when they have one that may keep an address book. */
const memberOf = (fx: Fixture, actor: Actor) =>
  actor === 'anonymous' || actor === 'guest' ? undefined : fx.people[actor];

// prettier-ignore
export const CONTACT_ROWS: Record<string, HttpRow> = {
  'GET /api/contacts': {
    request: () => ({ url: '/api/contacts' }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'POST /api/contacts': {
    request: async (_fx, _a, w) => ({ url: '/api/contacts', body: { userId: (await target(w)).id } }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '201', otherMember: '201', admin: '201',
              pending: '201', admitted: '201', cohost: '201', host: '201' },
  },
  'POST /api/contacts · a guest as the contact': {
    request: async (_fx, _a, w) => ({ url: '/api/contacts', body: { userId: (await w.roomlessGuest()).id } }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '404 USER_NOT_FOUND', otherMember: '404 USER_NOT_FOUND',
              admin: '404 USER_NOT_FOUND', pending: '404 USER_NOT_FOUND', admitted: '404 USER_NOT_FOUND',
              cohost: '404 USER_NOT_FOUND', host: '404 USER_NOT_FOUND' },
  },
  'DELETE /api/contacts/:userId': {
    // The actor's own contact, added just before: removing it is theirs to do.
    request: async (fx, actor, w) => {
      const t = await target(w);
      const me = memberOf(fx, actor);
      if (me) await w.s.api('POST', '/api/contacts', me, { userId: t.id });
      return { url: `/api/contacts/${t.id}` };
    },
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '204', otherMember: '204', admin: '204',
              pending: '204', admitted: '204', cohost: '204', host: '204' },
  },
  'DELETE /api/contacts/:userId · a contact of someone else': {
    // The witness keeps the subject as a contact; nobody else can take it away from them.
    request: async (fx, _a, w) => {
      await w.s.api('POST', '/api/contacts', fx.witness, { userId: fx.subject.id });
      return { url: `/api/contacts/${fx.subject.id}` };
    },
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '404 USER_NOT_FOUND', otherMember: '404 USER_NOT_FOUND',
              admin: '404 USER_NOT_FOUND', pending: '404 USER_NOT_FOUND', admitted: '404 USER_NOT_FOUND',
              cohost: '404 USER_NOT_FOUND', host: '404 USER_NOT_FOUND' },
  },
  'GET /api/blocks': {
    request: () => ({ url: '/api/blocks' }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'POST /api/blocks': {
    request: async (_fx, _a, w) => ({ url: '/api/blocks', body: { userId: (await target(w)).id } }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '201', otherMember: '201', admin: '201',
              pending: '201', admitted: '201', cohost: '201', host: '201' },
  },
  'DELETE /api/blocks/:userId': {
    request: async (fx, actor, w) => {
      const t = await target(w);
      const me = memberOf(fx, actor);
      if (me) await w.s.api('POST', '/api/blocks', me, { userId: t.id });
      return { url: `/api/blocks/${t.id}` };
    },
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '204', otherMember: '204', admin: '204',
              pending: '204', admitted: '204', cohost: '204', host: '204' },
  },
  'DELETE /api/blocks/:userId · a block someone else made': {
    request: async (fx, _a, w) => {
      await w.s.api('POST', '/api/blocks', fx.witness, { userId: fx.subject.id });
      return { url: `/api/blocks/${fx.subject.id}` };
    },
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '404 USER_NOT_FOUND', otherMember: '404 USER_NOT_FOUND',
              admin: '404 USER_NOT_FOUND', pending: '404 USER_NOT_FOUND', admitted: '404 USER_NOT_FOUND',
              cohost: '404 USER_NOT_FOUND', host: '404 USER_NOT_FOUND' },
  },
  'GET /api/presence': {
    request: () => ({ url: '/api/presence' }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'PUT /api/presence': {
    request: () => ({ url: '/api/presence', body: { doNotDisturb: false } }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'GET /api/users/search': {
    request: () => ({ url: '/api/users/search?q=matrix' }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: '200', otherMember: '200', admin: '200',
              pending: '200', admitted: '200', cohost: '200', host: '200' },
  },
  'GET /api/users/online': {
    request: () => ({ url: '/api/users/online' }),
    expect: { anonymous: NO_TOKEN, guest: FORBIDDEN, member: FORBIDDEN, otherMember: FORBIDDEN, admin: '200',
              pending: FORBIDDEN, admitted: FORBIDDEN, cohost: FORBIDDEN, host: FORBIDDEN },
  },
};
