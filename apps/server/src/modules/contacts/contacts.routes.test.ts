import { randomUUID } from 'node:crypto';
import { CONTACT_LIMITS } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects, testApp } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { people } from './test-people.js';

// Contacts, blocks, "do not disturb" and the admins' list of who is online, over HTTP
// on a real app (SQLite always, PostgreSQL with TEST_DATABASE_URL).

const HIDDEN = { online: false, lastSeenAt: null, doNotDisturb: false };

describe.each(dialects)('contacts REST on %s', (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let p: ReturnType<typeof people>;
  beforeEach(async () => {
    clock = new ManualClock(new Date());
    t = await testApp({ dialect, clock });
    p = people(t);
  });
  afterEach(async () => {
    await t.close();
  });

  describe('who may call the routes', () => {
    it('anonymous callers get 401 and guests 403 FORBIDDEN on every route; admins only see who is online', async () => {
      const someone = await p.member('Someone');
      const guest = await p.guest();
      const member = await p.member('Member');
      const routes: [method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown][] = [
        ['GET', '/api/contacts'],
        ['POST', '/api/contacts', { userId: someone.id }],
        ['DELETE', `/api/contacts/${someone.id}`],
        ['GET', '/api/blocks'],
        ['POST', '/api/blocks', { userId: someone.id }],
        ['DELETE', `/api/blocks/${someone.id}`],
        ['GET', '/api/presence'],
        ['PUT', '/api/presence', { doNotDisturb: true }],
        ['GET', '/api/users/search?q=so'],
        ['GET', '/api/users/online'],
      ];
      const seen: Record<string, string[]> = {};
      for (const [method, url, body] of routes) {
        seen[`${method} ${url}`] = [
          await p.refusal(method, url, undefined, body),
          await p.refusal(method, url, guest, body),
        ];
      }
      for (const [key, answers] of Object.entries(seen)) {
        expect([key, ...answers]).toEqual([key, '401 UNAUTHENTICATED', '403 FORBIDDEN']);
      }
      expect(await p.refusal('GET', '/api/users/online', member)).toBe('403 FORBIDDEN');
    });
  });

  describe('contacts', () => {
    it('adding a member answers 201 with the contact and their presence, then 200 with the same contact', async () => {
      const me = await p.member('Me');
      const ada = await p.member('Ada');
      const first = await p.call('POST', '/api/contacts', me, { userId: ada.id });
      expect(first.status).toBe(201);
      expect(first.body.contact).toEqual({
        user: { id: ada.id, displayName: 'Ada' },
        presence: { online: false, lastSeenAt: null, doNotDisturb: false },
        addedAt: clock.now().toISOString(),
      });
      expect(first.body.contact.user).not.toHaveProperty('email');
      clock.advance(60_000);
      const again = await p.call('POST', '/api/contacts', me, { userId: ada.id });
      expect(again.status).toBe(200);
      expect(again.body.contact.addedAt).toBe(first.body.contact.addedAt);
      const list = await p.call('GET', '/api/contacts', me);
      expect(list.body.contacts.map((c: { user: { id: string } }) => c.user.id)).toEqual([ada.id]);
    });

    it('contacts are one-way: adding someone puts nothing in their list', async () => {
      const me = await p.member('Me');
      const ada = await p.member('Ada');
      await p.call('POST', '/api/contacts', me, { userId: ada.id });
      expect((await p.call('GET', '/api/contacts', ada)).body.contacts).toEqual([]);
    });

    it('yourself is 400 CANNOT_TARGET_SELF; nobody, a guest or a disabled account is 404 USER_NOT_FOUND; not a uuid is 400', async () => {
      const me = await p.member('Me');
      const guest = await p.guest();
      const gone = await p.member('Gone');
      await p.disable(gone);
      const add = (userId: string) => p.refusal('POST', '/api/contacts', me, { userId });
      expect(await add(me.id)).toBe('400 CANNOT_TARGET_SELF');
      expect(await add(randomUUID())).toBe('404 USER_NOT_FOUND');
      expect(await add(guest.id)).toBe('404 USER_NOT_FOUND');
      expect(await add(gone.id)).toBe('404 USER_NOT_FOUND');
      expect(await add('not-a-uuid')).toBe('400 VALIDATION_FAILED');
      expect(await p.refusal('POST', '/api/contacts', me, { userId: me.id, extra: 1 })).toBe(
        '400 VALIDATION_FAILED',
      );
      expect((await p.call('GET', '/api/contacts', me)).body.contacts).toEqual([]);
    });

    it(`past ${CONTACT_LIMITS.maxContacts} contacts a new one is 409 CONFLICT; re-adding a contact still answers 200`, async () => {
      const me = await p.member('Me');
      const at = clock.now().toISOString();
      const ids = Array.from({ length: CONTACT_LIMITS.maxContacts }, () => randomUUID());
      const users = ids.map((id, i) => ({
        id,
        email: `bulk${i}.${id.slice(0, 8)}@example.org`,
        password_hash: null,
        display_name: `Bulk ${i}`,
        search_name: `bulk ${i}`,
        role: 'member' as const,
        is_guest: 0,
        disabled_at: null,
        created_at: at,
        last_seen_at: null,
        do_not_disturb: 0,
      }));
      for (let i = 0; i < users.length; i += 200) {
        await t.db.db
          .insertInto('users')
          .values(users.slice(i, i + 200))
          .execute();
        await t.db.db
          .insertInto('contacts')
          .values(
            ids
              .slice(i, i + 200)
              .map((id) => ({ owner_id: me.id, contact_id: id, created_at: at })),
          )
          .execute();
      }
      const one = await p.member('One too many');
      expect(await p.refusal('POST', '/api/contacts', me, { userId: one.id })).toBe('409 CONFLICT');
      expect((await p.call('POST', '/api/contacts', me, { userId: ids[0] })).status).toBe(200);
    });

    it('removing answers 204, then 404 USER_NOT_FOUND; other people keep theirs', async () => {
      const me = await p.member('Me');
      const other = await p.member('Other');
      const ada = await p.member('Ada');
      await p.call('POST', '/api/contacts', me, { userId: ada.id });
      await p.call('POST', '/api/contacts', other, { userId: ada.id });
      expect((await p.call('DELETE', `/api/contacts/${ada.id}`, me)).status).toBe(204);
      expect(await p.refusal('DELETE', `/api/contacts/${ada.id}`, me)).toBe('404 USER_NOT_FOUND');
      expect(await p.refusal('DELETE', `/api/contacts/${randomUUID()}`, me)).toBe(
        '404 USER_NOT_FOUND',
      );
      expect(await p.refusal('DELETE', '/api/contacts/nope', me)).toBe('400 VALIDATION_FAILED');
      expect((await p.call('GET', '/api/contacts', me)).body.contacts).toEqual([]);
      expect((await p.call('GET', '/api/contacts', other)).body.contacts).toHaveLength(1);
    });

    it('the list puts online people first, then sorts by name; whoever blocked me shows offline with nothing else', async () => {
      const me = await p.member('Me');
      const zoe = await p.member('zoe');
      const bob = await p.member('Bob');
      const amy = await p.member('amy');
      const cat = await p.member('Cat');
      for (const c of [zoe, bob, amy, cat]) {
        await p.call('POST', '/api/contacts', me, { userId: c.id });
      }
      await p.connected(zoe, 'c-zoe');
      await p.connected(cat, 'c-cat-1');
      await p.connected(cat, 'c-cat-2');
      await p.call('PUT', '/api/presence', cat, { doNotDisturb: true });
      const names = async () =>
        (await p.call('GET', '/api/contacts', me)).body.contacts.map(
          (c: { user: { displayName: string }; presence: { online: boolean } }) =>
            `${c.user.displayName}:${c.presence.online ? 'on' : 'off'}`,
        );
      expect(await names()).toEqual(['Cat:on', 'zoe:on', 'amy:off', 'Bob:off']);

      // Cat blocks me: online, "do not disturb" and last seen are no longer mine to see.
      expect((await p.call('POST', '/api/blocks', cat, { userId: me.id })).status).toBe(201);
      const contacts = (await p.call('GET', '/api/contacts', me)).body.contacts;
      expect(contacts.find((c: { user: { id: string } }) => c.user.id === cat.id).presence).toEqual(
        HIDDEN,
      );
      expect(await names()).toEqual(['zoe:on', 'amy:off', 'Bob:off', 'Cat:off']);
    });
  });

  describe('blocks', () => {
    it('blocking answers 201, then 200; the list shows them newest first; unblocking is 204, then 404', async () => {
      const me = await p.member('Me');
      const ada = await p.member('Ada');
      const bob = await p.member('Bob');
      const first = await p.call('POST', '/api/blocks', me, { userId: ada.id });
      expect(first.status).toBe(201);
      expect(first.body.block).toEqual({
        user: { id: ada.id, displayName: 'Ada' },
        blockedAt: clock.now().toISOString(),
      });
      clock.advance(1_000);
      expect((await p.call('POST', '/api/blocks', me, { userId: ada.id })).status).toBe(200);
      await p.call('POST', '/api/blocks', me, { userId: bob.id });
      const list = (await p.call('GET', '/api/blocks', me)).body.blocked;
      expect(list.map((b: { user: { id: string } }) => b.user.id)).toEqual([bob.id, ada.id]);
      expect((await p.call('GET', '/api/blocks', ada)).body.blocked).toEqual([]);
      expect(await t.services.contacts.hasBlocked(me.id, ada.id)).toBe(true);
      expect(await t.services.contacts.hasBlocked(ada.id, me.id)).toBe(false);

      expect((await p.call('DELETE', `/api/blocks/${ada.id}`, me)).status).toBe(204);
      expect(await p.refusal('DELETE', `/api/blocks/${ada.id}`, me)).toBe('404 USER_NOT_FOUND');
      expect(await t.services.contacts.hasBlocked(me.id, ada.id)).toBe(false);
    });

    it('yourself is 400 CANNOT_TARGET_SELF; nobody or a guest is 404 USER_NOT_FOUND; a disabled account may be blocked', async () => {
      const me = await p.member('Me');
      const guest = await p.guest();
      const gone = await p.member('Gone');
      await p.disable(gone);
      const block = (userId: string) => p.refusal('POST', '/api/blocks', me, { userId });
      expect(await block(me.id)).toBe('400 CANNOT_TARGET_SELF');
      expect(await block(randomUUID())).toBe('404 USER_NOT_FOUND');
      expect(await block(guest.id)).toBe('404 USER_NOT_FOUND');
      expect((await p.call('POST', '/api/blocks', me, { userId: gone.id })).status).toBe(201);
    });
  });

  describe('do not disturb', () => {
    it('is off by default; PUT turns it on and off, GET and the calls module see it', async () => {
      const me = await p.member('Me');
      expect((await p.call('GET', '/api/presence', me)).body).toEqual({ doNotDisturb: false });
      const on = await p.call('PUT', '/api/presence', me, { doNotDisturb: true });
      expect(on).toMatchObject({ status: 200, body: { doNotDisturb: true } });
      expect((await p.call('GET', '/api/presence', me)).body).toEqual({ doNotDisturb: true });
      expect(await t.services.contacts.doNotDisturb(me.id)).toBe(true);
      await p.call('PUT', '/api/presence', me, { doNotDisturb: false });
      expect(await t.services.contacts.doNotDisturb(me.id)).toBe(false);
      expect(await p.refusal('PUT', '/api/presence', me, { doNotDisturb: 'yes' })).toBe(
        '400 VALIDATION_FAILED',
      );
      expect(await p.refusal('PUT', '/api/presence', me, {})).toBe('400 VALIDATION_FAILED');
    });
  });

  describe('who is online (admins)', () => {
    it('lists every member with a socket, with their connection count, role and setting, by name', async () => {
      const admin = await p.admin('Root');
      const ada = await p.member('ada');
      const bob = await p.member('Bob');
      await p.member('Offline Olga');
      await p.connected(bob, 'b1', 'process-1');
      await p.connected(bob, 'b2', 'process-2');
      await p.connected(ada, 'a1');
      await p.call('PUT', '/api/presence', bob, { doNotDisturb: true });
      const res = await p.call('GET', '/api/users/online', admin);
      expect(res.status).toBe(200);
      expect(res.body.users).toEqual([
        { id: ada.id, displayName: 'ada', role: 'member', connections: 1, doNotDisturb: false },
        { id: bob.id, displayName: 'Bob', role: 'member', connections: 2, doNotDisturb: true },
      ]);
    });
  });
});
