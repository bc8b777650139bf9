import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventType } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects, newAccount, testApp } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { request } from './test-audit.js';

// GET /api/admin/audit: admins only, filters that combine, newest first, keyset pages that
// neither skip nor repeat, and a 400 for any query it does not understand. No route
// changes or deletes an entry.

const START = new Date('2030-05-01T12:00:00.000Z');
const MINUTE = 60_000;

describe.each(dialects)('GET /api/admin/audit on %s', (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let admin: { id: string; token: string; name: string };

  beforeEach(async () => {
    clock = new ManualClock(START);
    t = await testApp({ dialect, clock });
    const acct = newAccount('root');
    const res = await request(t.app, 'POST', '/api/auth/register', { body: acct });
    admin = { id: res.body.user.id, token: res.body.tokens.accessToken, name: acct.displayName };
    await t.db.db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.id).execute();
    // Only the entries each test writes.
    await t.db.db.deleteFrom('audit_events').execute();
  });
  afterEach(async () => {
    await t.close();
  });

  const get = (query: string, token: string | undefined = admin.token) =>
    request(t.app, 'GET', `/api/admin/audit${query}`, token ? { token } : {});
  async function page(query: string): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
    const res = await get(query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { items: AuditEvent[]; nextCursor: string | null };
  }

  /** One entry at the fake now, then a minute passes. */
  async function write(
    type: AuditEventType,
    e: { actorId?: string | null; targetId?: string; ip?: string } = {},
  ): Promise<void> {
    await t.services.audit.record({
      type,
      actorId: e.actorId ?? null,
      ...(e.targetId ? { targetType: 'user', targetId: e.targetId } : {}),
      origin: { ip: e.ip ?? '192.0.2.1', userAgent: 'seed' },
      details: { n: (await t.db.db.selectFrom('audit_events').select('id').execute()).length },
    });
    clock.advance(MINUTE);
  }

  describe('who may read it', () => {
    it('anonymous gets 401, a member or a guest 403, an admin 200', async () => {
      const member = await request(t.app, 'POST', '/api/auth/register', { body: newAccount() });
      const guest = await request(t.app, 'POST', '/api/auth/guest', { body: { displayName: 'G' } });
      const noToken = await get('', '');
      expect([noToken.status, noToken.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
      for (const who of [member, guest]) {
        const res = await get('', who.body.tokens.accessToken as string);
        expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
      }
      expect((await get('')).status).toBe(200);
    });

    it('a non-admin with a bad query still gets 403, never a hint about the query', async () => {
      const member = await request(t.app, 'POST', '/api/auth/register', { body: newAccount() });
      const res = await get('?limit=999', member.body.tokens.accessToken as string);
      expect(res.status).toBe(403);
    });

    it('no route writes, changes or deletes entries: the log is append-only', async () => {
      await write('auth.login', { actorId: admin.id });
      const onAudit = t.routes.filter((r) => r.url.startsWith('/api/admin/audit'));
      expect(onAudit.map((r) => r.method).filter((m) => m !== 'HEAD')).toEqual(['GET']);
      const { items } = await page('');
      for (const method of ['DELETE', 'PATCH', 'PUT', 'POST'] as const) {
        for (const url of ['/api/admin/audit', `/api/admin/audit/${items[0]!.id}`]) {
          const res = await request(t.app, method, url, { token: admin.token });
          expect(res.status, `${method} ${url}`).toBe(404);
        }
      }
      expect((await page('')).items).toHaveLength(1);
    });
  });

  it('is documented in the OpenAPI document with its filters and answers', async () => {
    const doc = (await request(t.app, 'GET', '/api/openapi.json')).body;
    const op = doc.paths['/api/admin/audit']?.get;
    expect(op.security).toEqual([{ bearerAuth: [] }]);
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'actorId',
      'cursor',
      'from',
      'ip',
      'limit',
      'targetId',
      'to',
      'type',
    ]);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '403']);
    expect(doc.components.schemas.AuditPage).toBeDefined();
  });

  describe('what it answers', () => {
    it('lists newest first with the actor’s current name, null for the system or a deleted account', async () => {
      // A guest (its own sign-up writes `auth.guest`) whose account is later deleted.
      const guest = await request(t.app, 'POST', '/api/auth/guest', { body: { displayName: 'G' } });
      const gone = guest.body.user.id as string;
      clock.advance(MINUTE);
      await write('room.closed');
      await write('auth.login', { actorId: admin.id });
      await t.db.db.deleteFrom('users').where('id', '=', gone).execute();

      const { items, nextCursor } = await page('');
      expect(nextCursor).toBeNull();
      expect(items.map((e) => [e.type, e.actorId, e.actorName])).toEqual([
        ['auth.login', admin.id, admin.name],
        ['room.closed', null, null],
        ['auth.guest', gone, null],
      ]);
      expect(items[0]).toMatchObject({
        at: new Date(START.getTime() + 2 * MINUTE).toISOString(),
        ip: '192.0.2.1',
        userAgent: 'seed',
        details: { n: 2 },
      });
      expect(items[2]).toMatchObject({ targetId: gone, details: { via: 'guest' } });
    });

    it('filters by type list, actor, target, address and time, and they combine', async () => {
      const [u1, u2] = [randomUUID(), randomUUID()];
      await write('auth.login', { actorId: admin.id, ip: '10.0.0.1' }); // +0
      await write('user.disabled', { actorId: admin.id, targetId: u1 }); // +1
      await write('auth.login_failed', { ip: '10.0.0.2' }); // +2
      await write('user.enabled', { actorId: admin.id, targetId: u1 }); // +3
      await write('user.disabled', { actorId: admin.id, targetId: u2, ip: '10.0.0.1' }); // +4
      const at = (m: number) =>
        encodeURIComponent(new Date(START.getTime() + m * MINUTE).toISOString());
      const ns = async (q: string) => (await page(q)).items.map((e) => e.details.n);

      expect(await ns('?type=user.disabled')).toEqual([4, 1]);
      expect(await ns('?type=user.disabled,user.enabled')).toEqual([4, 3, 1]);
      expect(await ns(`?actorId=${admin.id}`)).toEqual([4, 3, 1, 0]);
      expect(await ns(`?targetId=${u1}`)).toEqual([3, 1]);
      expect(await ns('?ip=10.0.0.1')).toEqual([4, 0]);
      // `from` at or after, `to` before.
      expect(await ns(`?from=${at(1)}&to=${at(3)}`)).toEqual([2, 1]);
      // An offset other than Z means the same instant.
      expect(await ns(`?from=${encodeURIComponent('2030-05-01T14:03:00+02:00')}`)).toEqual([4, 3]);
      expect(await ns(`?type=user.disabled&ip=10.0.0.1&actorId=${admin.id}`)).toEqual([4]);
      expect(await ns(`?targetId=${randomUUID()}`)).toEqual([]);
    });

    it('pages newest first without skipping or repeating, and a cursor past the end is an empty last page', async () => {
      for (let i = 0; i < 7; i++) await write('auth.login', { actorId: admin.id });
      const seen: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = `?type=auth.login&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const p = await page(q);
        seen.push(...p.items.map((e) => e.details.n));
        cursor = p.nextCursor;
        pages++;
        // An entry written between pages never shifts the pages that follow.
        if (pages === 1) await write('auth.login', { actorId: admin.id });
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);

      const oldest = (await page('?type=auth.login&limit=200')).items.at(-1)!.id;
      expect(await page(`?cursor=${oldest}`)).toEqual({ items: [], nextCursor: null });
      // Exactly a full last page: no cursor to a page that would be empty.
      expect((await page('?type=auth.login&limit=8')).nextCursor).toBeNull();
    });

    it('refuses a query it does not understand with 400 VALIDATION_FAILED', async () => {
      for (const q of [
        '?limit=0',
        '?limit=201',
        '?limit=ten',
        '?type=auth.nonsense',
        '?type=auth.login&type=auth.logout',
        '?actorId=not-a-uuid',
        '?from=yesterday',
        '?to=2030-05-01',
        '?cursor=bm9wZQ',
        '?cursor=01ARZ3NDEKTSV4RRFFQ69G5FAVX',
        '?sort=asc',
      ]) {
        const res = await get(q);
        expect([q, res.status, res.body.error?.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
      }
    });
  });
});
