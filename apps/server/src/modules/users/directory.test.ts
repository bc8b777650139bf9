import type { AdminUserListItem, AdminUsersPage } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects } from '../../test/harness.js';
import { SignalingServer, eventually } from '../signaling/test-server.js';
import type { Person } from '../signaling/test-server.js';
import { createUsersRepo } from './repo.js';

// GET /api/admin/users: the admins' list of accounts, on every dialect, over a real
// listening server (online = an open socket). Accounts are made one second apart on a
// fake clock, so "newest first" is a known order.

describe.each(dialects)('the admin user list on %s', (dialect) => {
  let s: SignalingServer;
  let clock: ManualClock;
  let admin: Person;

  beforeEach(async () => {
    clock = new ManualClock(new Date('2026-03-01T10:00:00.000Z'));
    s = await SignalingServer.start({}, { dialect, clock });
    admin = await member('Admin');
    await createUsersRepo(s.t.db.db).setRole(admin.id, 'admin');
  });
  afterEach(async () => {
    await s.close();
  });

  async function member(prefix: string): Promise<Person> {
    clock.advance(1_000);
    return s.member(prefix);
  }
  async function list(query: string, who: Person = admin): Promise<AdminUsersPage> {
    const res = await s.api('GET', `/api/admin/users${query}`, who);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as unknown as AdminUsersPage;
  }
  const names = (p: AdminUsersPage) => p.users.map((u) => u.displayName);

  it('is newest first and pages by cursor: no row twice, none skipped, later sign-ups do not shift pages', async () => {
    const made = [];
    for (const n of ['Ann', 'Bob', 'Cid', 'Dee']) made.push(await member(n));
    const first = await list('?limit=2');
    expect(first.users.map((u) => u.id)).toEqual([made[3]!.id, made[2]!.id]);
    expect(first.nextCursor).not.toBeNull();

    await member('Eve'); // newer than everything: belongs before page one, not in page two
    const second = await list(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.users.map((u) => u.id)).toEqual([made[1]!.id, made[0]!.id]);
    const third = await list(`?limit=2&cursor=${second.nextCursor}`);
    expect(third.users.map((u) => u.id)).toEqual([admin.id]);
    expect(third.nextCursor).toBeNull();
  });

  it('shows what admins need and never a password hash', async () => {
    const ann = await member('Ann');
    const [row] = (await list('?q=ann')).users;
    expect(row).toEqual({
      id: ann.id,
      email: expect.stringMatching(/^ann\d+\.[0-9a-f]+@example\.org$/),
      displayName: ann.displayName,
      role: 'member',
      isGuest: false,
      createdAt: '2026-03-01T10:00:02.000Z',
      lastSeenAt: null,
      disabled: false,
      disabledAt: null,
      online: false,
    } satisfies AdminUserListItem);
    expect(JSON.stringify(row)).not.toMatch(/hash|scrypt/i);
  });

  it('q matches the start of a name in any case, or the start of an email; not the middle', async () => {
    await member('Zelda');
    await member('Ozzy');
    expect(names(await list('?q=ZEL'))).toEqual([expect.stringMatching(/^Zelda/)]);
    expect(names(await list('?q=zelda'))).toHaveLength(1);
    // Emails are `<prefix><n>.<hex>@example.org`, lower-cased.
    expect(names(await list('?q=ozzy'))).toEqual([expect.stringMatching(/^Ozzy/)]);
    expect((await list('?q=elda')).users).toEqual([]);
    expect((await list('?q=example.org')).users).toEqual([]);
    // Wildcards are literal: `%` and `_` match nothing here.
    expect((await list('?q=%25')).users).toEqual([]);
    expect((await list('?q=_')).users).toEqual([]);
  });

  it('filters by role, by disabled or active, and leaves guests out unless asked', async () => {
    const pro = await member('Pro');
    await createUsersRepo(s.t.db.db).setRole(pro.id, 'provider');
    const off = await member('Off');
    expect(
      (await s.api('PATCH', `/api/admin/users/${off.id}`, admin, { disabled: true })).status,
    ).toBe(200);
    const guest = await s.guest('Visitor');

    expect(names(await list('?role=provider'))).toEqual([pro.displayName]);
    expect(names(await list('?role=admin'))).toEqual([admin.displayName]);
    const disabled = await list('?status=disabled');
    expect(disabled.users.map((u) => [u.id, u.disabled])).toEqual([[off.id, true]]);
    expect(disabled.users[0]!.disabledAt).toBe('2026-03-01T10:00:03.000Z');
    expect(names(await list('?status=active'))).not.toContain(off.displayName);
    expect(names(await list('?status=all'))).toContain(off.displayName);

    expect((await list('')).users.map((u) => u.id)).not.toContain(guest.id);
    expect((await list('?guests=only')).users.map((u) => [u.id, u.isGuest])).toEqual([
      [guest.id, true],
    ]);
    expect((await list('?guests=include')).users.map((u) => u.id)).toContain(guest.id);
  });

  it('says who is online now: someone with an open socket, until it closes', async () => {
    const ann = await member('Ann');
    const client = await s.connect(ann);
    await eventually(
      async () => (await list('?q=ann')).users[0]?.online === true,
      'Ann shows online',
    );
    expect((await list('?q=admin')).users[0]?.online).toBe(false);
    // Someone online is seen now (the column is written when they go offline).
    clock.advance(60_000);
    expect((await list('?q=ann')).users[0]?.lastSeenAt).toBe(clock.now().toISOString());
    await client.close();
    await eventually(
      async () => (await list('?q=ann')).users[0]?.online === false,
      'Ann shows offline',
    );
    // The offline check (OFFLINE_DELAY_MS after the close) writes when they were last seen.
    // It runs on the upkeep timer, after the clock moved: wait for the write, not the flag.
    clock.advance(60_000);
    let seen: string | null | undefined;
    await eventually(async () => {
      seen = (await list('?q=ann')).users[0]?.lastSeenAt;
      return typeof seen === 'string';
    }, 'Ann was last seen');
    // Offline, the time stays put while the clock goes on.
    clock.advance(60_000);
    const later = (await list('?q=ann')).users[0]?.lastSeenAt;
    expect(later).toBe(seen);
    expect(later).not.toBe(clock.now().toISOString());
  });

  it('refuses a cursor it did not give out, an unknown parameter and a page over 100 (400)', async () => {
    for (const q of ['?cursor=bm9wZQ', '?everyone=1', '?limit=101', '?status=gone']) {
      const res = await s.api('GET', `/api/admin/users${q}`, admin);
      expect(res.status, q).toBe(400);
      expect((res.body.error as { code: string }).code).toBe('VALIDATION_FAILED');
    }
  });

  it('is for admins only: 401 without a token, 403 for anyone else even with a bad query', async () => {
    const ann = await member('Ann');
    const provider = await member('Pro');
    await createUsersRepo(s.t.db.db).setRole(provider.id, 'provider');
    const guest = await s.guest();
    for (const q of ['', '?everyone=1']) {
      expect((await s.api('GET', `/api/admin/users${q}`)).status).toBe(401);
      for (const who of [ann, provider, guest]) {
        const res = await s.api('GET', `/api/admin/users${q}`, who);
        expect(res.status).toBe(403);
        expect((res.body.error as { code: string }).code).toBe('FORBIDDEN');
      }
    }
  });
});
