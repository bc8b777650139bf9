import { createHash } from 'node:crypto';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { SignalingServer } from '../modules/signaling/test-server.js';
import type { Person } from '../modules/signaling/test-server.js';
import { dialects, newAccount } from '../test/harness.js';
import { decodeJwt, forgedInvite, headerWithout, signJwt, unsignedJwt, without } from './forge.js';
import type { JwtParts } from './forge.js';

// Token attacks, each at both edges: the HTTP API (a protected route) and the socket's
// `hello`. Every forgery starts from a genuine token and changes one property, re-signed
// with the test app's own secret unless the attack is about the key: the control case
// (re-signed, nothing changed) is accepted, so each refusal is that one change's doing.
//
// Already proven elsewhere, not repeated here: a tampered payload with the old signature
// and garbage tokens (auth.routes.test.ts "access tokens"); a token without `sid`
// (sessions.test.ts); expiry of an open socket's token (revocation.test.ts). Invites are
// no tokens any more but short codes looked up on every use (invites.routes.test.ts);
// made-up codes count against the IP (bruteforce.test.ts).

const OTHER_SECRET = 'another-secret-that-is-long-enough-9876543210';
const kidOf = (secret: string) =>
  createHash('sha256').update(secret).digest('base64url').slice(0, 12);

type Forge = (
  genuine: JwtParts,
  ctx: { now: number; token: string; other: Person },
) => string | Promise<string>;

/** A claim change on the genuine token, re-signed with the right key. */
const claims =
  (change: (c: JwtParts['claims'], now: number, other: Person) => JwtParts['claims']): Forge =>
  (g, { now, other }) =>
    signJwt({ header: g.header, claims: change(g.claims, now, other) });
/** A header change on the genuine token, re-signed with the right key. */
const header =
  (change: (h: JwtParts['header']) => JwtParts['header']): Forge =>
  (g) =>
    signJwt({ header: change(g.header), claims: g.claims });

// The 15-minute lifetime and 5 s leeway of platform/auth/tokens.ts.
const TTL_S = 15 * 60;

const ATTACKS: [string, Forge, string][] = [
  ['alg none without a signature', (g) => unsignedJwt(g), 'INVALID_TOKEN'],
  [
    'alg none keeping the genuine signature',
    (g, { token }) => unsignedJwt(g, token.split('.')[2]),
    'INVALID_TOKEN',
  ],
  ['HS512 with the right key', header((h) => ({ ...h, alg: 'HS512' })), 'INVALID_TOKEN'],
  ['another key under the genuine kid', (g) => signJwt(g, OTHER_SECRET), 'INVALID_TOKEN'],
  [
    'another key under its own kid',
    (g) =>
      signJwt(
        { header: { ...g.header, kid: kidOf(OTHER_SECRET) }, claims: g.claims },
        OTHER_SECRET,
      ),
    'INVALID_TOKEN',
  ],
  [
    'the right key under a wrong kid',
    header((h) => ({ ...h, kid: 'not-our-key1' })),
    'INVALID_TOKEN',
  ],
  ['the right key without a kid', header((h) => headerWithout(h, 'kid')), 'INVALID_TOKEN'],
  [
    'expired 6 s ago (past the 5 s leeway)',
    claims((c, now) => ({ ...c, iat: now - TTL_S - 6, nbf: now - TTL_S - 6, exp: now - 6 })),
    'TOKEN_EXPIRED',
  ],
  [
    'not valid for another minute (nbf in the future)',
    claims((c, now) => ({ ...c, nbf: now + 60 })),
    'INVALID_TOKEN',
  ],
  [
    'issued a minute in the future (iat)',
    claims((c, now) => ({ ...c, iat: now + 60, nbf: now })),
    'INVALID_TOKEN',
  ],
  ['for the invite audience', claims((c) => ({ ...c, aud: 'parley:invite' })), 'INVALID_TOKEN'],
  ['for another audience', claims((c) => ({ ...c, aud: 'someone-else' })), 'INVALID_TOKEN'],
  ['without an audience', claims((c) => without(c, 'aud')), 'INVALID_TOKEN'],
  ['from another issuer', claims((c) => ({ ...c, iss: 'evil' })), 'INVALID_TOKEN'],
  [
    'typed as an invite (typ invite+jwt)',
    header((h) => ({ ...h, typ: 'invite+jwt' })),
    'INVALID_TOKEN',
  ],
  ['typed as a plain JWT', header((h) => ({ ...h, typ: 'JWT' })), 'INVALID_TOKEN'],
  ['without a typ', header((h) => headerWithout(h, 'typ')), 'INVALID_TOKEN'],
  [
    "naming another user on one's own session",
    claims((c, _now, other) => ({ ...c, sub: other.id })),
    'SESSION_REVOKED',
  ],
];

describe.each(dialects)(
  'token attacks at the HTTP edge and at the socket hello (%s)',
  (dialect) => {
    let s: SignalingServer;
    let clock: ManualClock;
    beforeAll(async () => {
      clock = new ManualClock(new Date());
      s = await SignalingServer.start({}, { dialect, clock });
    });
    afterAll(async () => s.close());
    afterEach(async () => s.closeClients());

    const protectedRoute = (token: string) =>
      s.t.app.inject({
        method: 'GET',
        url: '/api/rooms',
        headers: { authorization: `Bearer ${token}` },
      });

    async function hello(token: string) {
      const c = await s.open();
      c.send({ type: 'hello', token, protocolVersion: PROTOCOL_VERSION });
      return c;
    }

    /** 401 with `code` from the API, and `error code` then close 4002 `code` from the socket. */
    async function refusedAtBothEdges(token: string, code: string) {
      const res = await protectedRoute(token);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe(code);
      expect(res.headers['www-authenticate']).toContain('Bearer');
      const c = await hello(token);
      expect(await c.next('error')).toMatchObject({ code });
      expect(await c.whenClosed()).toEqual({ code: 4002, reason: code });
    }

    async function acceptedAtBothEdges(token: string, userId: string) {
      expect((await protectedRoute(token)).statusCode).toBe(200);
      const c = await hello(token);
      expect((await c.next('welcome')).userId).toBe(userId);
    }

    async function invite(host: Person, roomId: string): Promise<string> {
      const res = await s.api('POST', `/api/rooms/${roomId}/invites`, host, {
        expiresInMinutes: 30,
      });
      expect(res.status).toBe(201);
      return (res.body.invite as { code: string }).code;
    }

    it('the control: a genuine token re-signed unchanged with the test secret is accepted', async () => {
      const me = await s.member();
      await acceptedAtBothEdges(await signJwt(decodeJwt(me.token)), me.id);
    });

    it.each(ATTACKS)('refuses an access token %s', async (_name, forge, code) => {
      const me = await s.member();
      const other = await s.member('other');
      const now = Math.floor(clock.now().getTime() / 1000);
      const forged = await forge(decodeJwt(me.token), { now, token: me.token, other });
      await refusedAtBothEdges(forged, code);
      // The genuine token still works: nothing above revoked anything.
      await acceptedAtBothEdges(me.token, me.id);
    });

    it('an invite code is no access token', async () => {
      const host = await s.member('host');
      const code = await invite(host, await s.createRoom(host));
      await refusedAtBothEdges(code, 'INVALID_TOKEN');
    });

    it('an access token is no invite: looking it up or accepting it is refused, a made-up code is 404 INVITE_NOT_FOUND', async () => {
      const me = await s.member();
      // Not even shaped like a code: refused before any lookup.
      const lookup = await s.api('GET', `/api/invites/${me.token}`);
      expect(lookup.status).toBe(400);
      const accept = await s.api('POST', `/api/invites/${me.token}/accept`, undefined, {
        displayName: 'Intruder',
      });
      expect(accept.status).toBe(400);
      const madeUp = forgedInvite();
      const guess = await s.api('GET', `/api/invites/${madeUp}`);
      expect(guess.status).toBe(404);
      expect(guess.body.error).toMatchObject({ code: 'INVITE_NOT_FOUND' });
    });

    it("an invite of room A never opens room B: B's host cannot revoke it either, and A's guest is a stranger to B", async () => {
      const host = await s.member('host');
      const roomA = await s.createRoom(host, { entry: 'open' });
      const roomB = await s.createRoom(host, { entry: 'approval' });
      const forA = await invite(host, roomA);
      // Through room B's URL the code is no match: 404, and it still works for A.
      const revoke = await s.api('DELETE', `/api/rooms/${roomB}/invites/${forA}`, host);
      expect(revoke.status).toBe(404);
      expect(revoke.body.error).toMatchObject({ code: 'INVITE_NOT_FOUND' });

      // The genuine invite admits to A, and to A only.
      const accepted = await s.api('POST', `/api/invites/${forA}/accept`, undefined, {
        displayName: 'Guest of A',
      });
      expect(accepted.status).toBe(200);
      expect((accepted.body.room as { id: string }).id).toBe(roomA);
      const guest = (accepted.body.tokens as { accessToken: string }).accessToken;
      const c1 = await s.connect({ id: '', token: guest, displayName: '' });
      await expect(c1.join(roomB)).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
      expect((await c1.join(roomA)).roomId).toBe(roomA);
      const intoB = await s.api(
        'POST',
        `/api/rooms/${roomB}/join`,
        { id: '', token: guest, displayName: '' },
        {},
      );
      expect(intoB.body.status).toBe('pending');
    });

    // auth.routes.test.ts ("reuse of a rotated token revokes the whole family") replays a
    // token the owner already rotated; sessions.test.ts and revocation.test.ts show the
    // family's access tokens and open sockets die with it. Here the thief is first.
    it('a stolen refresh token used first by the thief: when the owner presents it, the whole family dies at both edges', async () => {
      const account = newAccount('owner');
      const reg = await s.api('POST', '/api/auth/register', undefined, account);
      const owner = reg.body.tokens as { accessToken: string; refreshToken: string };
      const ownerId = (reg.body.user as { id: string }).id;
      const ownerSocket = await s.connect({
        id: ownerId,
        token: owner.accessToken,
        displayName: '',
      });

      const stolen = await s.api('POST', '/api/auth/refresh', undefined, {
        refreshToken: owner.refreshToken,
      });
      expect(stolen.status).toBe(200);
      const thief = stolen.body.tokens as { accessToken: string; refreshToken: string };
      await acceptedAtBothEdges(thief.accessToken, ownerId);

      const replay = await s.api('POST', '/api/auth/refresh', undefined, {
        refreshToken: owner.refreshToken,
      });
      expect(replay.status).toBe(401);
      expect(replay.body.error).toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });

      expect(await ownerSocket.whenClosed()).toEqual({ code: 4002, reason: 'SESSION_REVOKED' });
      await refusedAtBothEdges(thief.accessToken, 'SESSION_REVOKED');
      await refusedAtBothEdges(owner.accessToken, 'SESSION_REVOKED');
      for (const refreshToken of [thief.refreshToken, owner.refreshToken]) {
        const again = await s.api('POST', '/api/auth/refresh', undefined, { refreshToken });
        expect(again.status).toBe(401);
      }
      // The owner signs in again: a new family, untouched by the dead one.
      const fresh = await s.api('POST', '/api/auth/login', undefined, {
        email: account.email,
        password: account.password,
      });
      expect(fresh.status).toBe(200);
      await acceptedAtBothEdges(
        (fresh.body.tokens as { accessToken: string }).accessToken,
        ownerId,
      );
    });
  },
);
