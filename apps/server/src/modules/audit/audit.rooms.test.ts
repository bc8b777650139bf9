import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects, newAccount, testApp } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { entries, only, request } from './test-audit.js';
import type { From } from './test-audit.js';

// Rooms write their audit entries through the real routes: created, lobby decisions,
// removals, invites, and every way a room closes (its host, an admin, the cleanup).

const HOST: From = { ip: '203.0.113.20', userAgent: 'AuditTest/1.0 (host)' };
const HOUR = 3_600_000;

describe.each(dialects)('audit of rooms on %s', (dialect) => {
  let t: TestApp;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(new Date());
    t = await testApp({ dialect, clock });
  });
  afterEach(async () => {
    await t.close();
  });

  type Who = { id: string; token: string };
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    opts: Parameters<typeof request>[3] = {},
  ) => request(t.app, method, url, opts);

  async function member(): Promise<Who> {
    const res = await call('POST', '/api/auth/register', { body: newAccount('room') });
    expect(res.status).toBe(201);
    return { id: res.body.user.id, token: res.body.tokens.accessToken };
  }
  async function room(
    host: Who,
    entry: 'open' | 'approval' = 'approval',
    extra: { instant?: boolean } = {},
  ): Promise<string> {
    const res = await call('POST', '/api/rooms', {
      token: host.token,
      body: { name: 'Audit', visibility: 'private', entry, ...extra },
      from: HOST,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.room.id;
  }
  async function ok(
    method: 'POST' | 'DELETE',
    url: string,
    who: Who,
    body?: unknown,
  ): Promise<Record<string, any>> {
    const res = await call(method, url, { token: who.token, body, from: HOST });
    expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }

  it('creating a room records room.created by its host, with its code and entry', async () => {
    const host = await member();
    const id = await room(host);
    const code = (
      await t.db.db
        .selectFrom('rooms')
        .select('code')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).code;
    expect(await only(t.db.db, 'room.created', id)).toMatchObject({
      actorId: host.id,
      targetType: 'room',
      ip: HOST.ip,
      userAgent: HOST.userAgent,
      details: { code, entry: 'approval', visibility: 'private' },
    });
  });

  it('admitting, denying and removing are recorded by the moderator, about the person', async () => {
    const host = await member();
    const [ann, bob] = [await member(), await member()];
    const id = await room(host);
    for (const p of [ann, bob]) await ok('POST', `/api/rooms/${id}/join`, p, {});
    await ok('POST', `/api/rooms/${id}/participants/${ann.id}/admit`, host);
    await ok('POST', `/api/rooms/${id}/participants/${bob.id}/deny`, host);
    await ok('POST', `/api/rooms/${id}/participants/${ann.id}/kick`, host);

    const decisions = await entries(t.db.db, {
      type: ['room.admitted', 'room.denied', 'room.kicked'],
    });
    expect(decisions.map((e) => [e.type, e.targetId])).toEqual([
      ['room.admitted', ann.id],
      ['room.denied', bob.id],
      ['room.kicked', ann.id],
    ]);
    for (const e of decisions) {
      expect(e).toMatchObject({
        actorId: host.id,
        targetType: 'user',
        ip: HOST.ip,
        userAgent: HOST.userAgent,
        details: { roomId: id },
      });
    }
  });

  it('a decision that loses (already decided) records nothing more', async () => {
    const host = await member();
    const ann = await member();
    const id = await room(host);
    await ok('POST', `/api/rooms/${id}/join`, ann, {});
    await ok('POST', `/api/rooms/${id}/participants/${ann.id}/admit`, host);
    const again = await call('POST', `/api/rooms/${id}/participants/${ann.id}/admit`, {
      token: host.token,
    });
    expect(again.status).toBe(409);
    expect(await entries(t.db.db, { type: 'room.admitted' })).toHaveLength(1);
  });

  it('a guest by invite records auth.guest and the admission the link stands for', async () => {
    const host = await member();
    const id = await room(host, 'open');
    const { code } = (await ok('POST', `/api/rooms/${id}/invites`, host, { expiresInMinutes: 60 }))
      .invite as { code: string };
    const res = await call('POST', `/api/invites/${code}/accept`, {
      body: { displayName: 'Ivy' },
      from: { ip: '192.0.2.44', userAgent: 'AuditTest/1.0 (ivy)' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const guestId = res.body.user.id as string;

    expect(await only(t.db.db, 'auth.guest', guestId)).toMatchObject({
      actorId: guestId,
      ip: '192.0.2.44',
      details: { via: 'invite', roomId: id },
    });
    const admitted = await only(t.db.db, 'room.admitted', guestId);
    expect(admitted).toMatchObject({
      actorId: host.id,
      ip: '192.0.2.44',
      userAgent: 'AuditTest/1.0 (ivy)',
      details: { roomId: id, via: 'invite' },
    });
    // The invite's code is a credential: it never reaches the log.
    expect(admitted.raw).not.toContain(code);
  });

  it('an invite into an approval room admits nobody: no room.admitted until a host does', async () => {
    const host = await member();
    const id = await room(host, 'approval');
    const { code } = (await ok('POST', `/api/rooms/${id}/invites`, host, { expiresInMinutes: 60 }))
      .invite as { code: string };
    const res = await call('POST', `/api/invites/${code}/accept`, { body: { displayName: 'Ivy' } });
    expect(res.body.status).toBe('pending');
    expect(await entries(t.db.db, { type: 'room.admitted' })).toEqual([]);
    await ok('POST', `/api/rooms/${id}/participants/${res.body.user.id as string}/admit`, host);
    expect(await only(t.db.db, 'room.admitted', res.body.user.id as string)).toMatchObject({
      actorId: host.id,
    });
  });

  it('making and revoking an invite are recorded by the moderator, naming the invite without its code', async () => {
    const host = await member();
    const id = await room(host, 'approval');
    const { code } = (
      await ok('POST', `/api/rooms/${id}/invites`, host, {
        expiresInMinutes: 60,
        maxUses: 3,
        skipLobby: true,
      })
    ).invite as { code: string };
    await ok('DELETE', `/api/rooms/${id}/invites/${code}`, host);
    // Revoking again changes nothing and records nothing.
    await ok('DELETE', `/api/rooms/${id}/invites/${code}`, host);

    const created = await only(t.db.db, 'invite.created', id);
    expect(created).toMatchObject({
      actorId: host.id,
      targetType: 'room',
      ip: HOST.ip,
      details: { maxUses: 3, skipLobby: true, invite: expect.any(String) },
    });
    const revoked = await only(t.db.db, 'invite.revoked', id);
    expect(revoked).toMatchObject({
      actorId: host.id,
      targetType: 'room',
      details: { invite: created.details.invite, turnedAway: 0 },
    });
    for (const e of [created, revoked]) expect(e.raw).not.toContain(code);
  });

  it('the host ending the room records room.closed once, reason ended', async () => {
    const host = await member();
    const id = await room(host);
    await ok('DELETE', `/api/rooms/${id}`, host);
    const again = await call('DELETE', `/api/rooms/${id}`, { token: host.token });
    expect(again.status).toBe(410);
    expect(await only(t.db.db, 'room.closed', id)).toMatchObject({
      actorId: host.id,
      targetType: 'room',
      ip: HOST.ip,
      details: { reason: 'ended' },
    });
  });

  it('an admin closing a room records room.closed by the admin', async () => {
    const host = await member();
    const root = await member();
    await t.db.db.updateTable('users').set({ role: 'admin' }).where('id', '=', root.id).execute();
    const id = await room(host);
    await ok('POST', `/api/admin/rooms/${id}/close`, root);
    expect(await only(t.db.db, 'room.closed', id)).toMatchObject({
      actorId: root.id,
      details: { reason: 'ended', by: 'admin' },
    });
  });

  it('the cleanup closing an abandoned room records room.closed by nobody, reason expired', async () => {
    const host = await member();
    // Only instant meetings close when left empty.
    const id = await room(host, 'open', { instant: true });
    clock.advance(25 * HOUR);
    await t.services.rooms.closeAbandoned();
    await t.services.rooms.closeAbandoned();
    expect(await only(t.db.db, 'room.closed', id)).toMatchObject({
      actorId: null,
      targetType: 'room',
      ip: null,
      userAgent: null,
      details: { reason: 'expired' },
    });
  });
});
