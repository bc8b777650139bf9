import type { AdminCreateUserBody, AdminUpdateUserBody, AdminUser } from '@parley/protocol';
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { AdminUsers, DEFAULT_USERS_FILTER } from './users';
import type { UsersFilter } from './users';
import { makeUser, uuid } from './testing/fixtures';

const ME = uuid(1);

function setup(opts: { refuse?: ApiError } = {}) {
  const asked: UsersFilter[] = [];
  const updates: [string, AdminUpdateUserBody][] = [];
  const created: AdminCreateUserBody[] = [];
  const users = [makeUser(1, { role: 'admin' }), makeUser(2, { online: true }), makeUser(3)];
  const model = new AdminUsers({
    selfId: ME,
    now: () => new Date('2026-02-02T12:00:00.000Z'),
    api: {
      list: (f) => {
        asked.push(f);
        return Promise.resolve({ users, nextCursor: null });
      },
      update: (id, body) => {
        updates.push([id, body]);
        if (opts.refuse) return Promise.reject(opts.refuse);
        const u = users.find((x) => x.id === id)!;
        const answer: AdminUser = {
          ...u,
          ...(body.role ? { role: body.role } : {}),
          ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        };
        return Promise.resolve(answer);
      },
      create: (body) => {
        created.push(body);
        const { password: _secret, ...rest } = body;
        const made = { ...makeUser(9), ...rest, isGuest: false, disabled: false };
        users.unshift({ ...made, online: false, disabledAt: null });
        return Promise.resolve(made);
      },
    },
  });
  return {
    model,
    asked,
    updates,
    created,
    row: (n: number) => model.list.state.items.find((u) => u.id === uuid(n))!,
  };
}

describe('AdminUsers', () => {
  it('searching keeps the other filters and asks for the first page under the new one', async () => {
    const { model, asked } = setup();
    await model.search({ role: 'provider' });
    await model.search({ q: 'ann' });
    expect(asked).toEqual([
      { ...DEFAULT_USERS_FILTER, role: 'provider' },
      { ...DEFAULT_USERS_FILTER, role: 'provider', q: 'ann' },
    ]);
  });

  it('disabling asks first, then sends {disabled: true} and shows the row disabled and offline', async () => {
    const { model, updates, row } = setup();
    await model.list.load();
    model.ask({ kind: 'disable', user: row(2) });
    expect(model.confirmation.state.pending).toMatchObject({ kind: 'disable' });
    expect(updates).toEqual([]);

    await model.confirmation.confirm();
    expect(updates).toEqual([[uuid(2), { disabled: true }]]);
    expect(row(2)).toMatchObject({
      disabled: true,
      disabledAt: '2026-02-02T12:00:00.000Z',
      online: false,
    });
    expect(model.confirmation.state.pending).toBeNull();

    model.ask({ kind: 'enable', user: row(2) });
    await model.confirmation.confirm();
    expect(updates[1]).toEqual([uuid(2), { disabled: false }]);
    expect(row(2)).toMatchObject({ disabled: false, disabledAt: null });
  });

  it('a role change is confirmed too and sends only the role', async () => {
    const { model, updates, row } = setup();
    await model.list.load();
    model.ask({ kind: 'role', user: row(3), role: 'provider' });
    await model.confirmation.confirm();
    expect(updates).toEqual([[uuid(3), { role: 'provider' }]]);
    expect(row(3).role).toBe('provider');
  });

  it('asks nothing for a change that changes nothing, for a guest role, or for the admin themselves', async () => {
    const { model, row } = setup();
    await model.list.load();
    model.ask({ kind: 'role', user: row(3), role: 'member' });
    model.ask({ kind: 'enable', user: row(3) });
    model.ask({ kind: 'role', user: makeUser(9, { isGuest: true }), role: 'admin' });
    model.ask({ kind: 'disable', user: row(1) });
    model.ask({ kind: 'role', user: row(1), role: 'member' });
    expect(model.confirmation.state.pending).toBeNull();
    expect(model.isSelf(row(1))).toBe(true);
  });

  it("a refusal keeps the dialog open with the server's error and the row unchanged", async () => {
    const refuse = new ApiError(409, 'CANNOT_CHANGE_SELF', 'no');
    const { model, row } = setup({ refuse });
    await model.list.load();
    model.ask({ kind: 'disable', user: row(2) });
    await model.confirmation.confirm();
    expect(model.confirmation.state).toMatchObject({ saving: false, failure: refuse });
    expect(model.confirmation.state.pending).not.toBeNull();
    expect(row(2).disabled).toBe(false);
  });

  it('a new account is sent as typed (trimmed) and then listed, under the filter shown', async () => {
    const { model, asked, created } = setup();
    await model.search({ role: 'member' });
    model.newAccount.open();
    const ok = await model.newAccount.submit({
      email: ' zoe@example.org ',
      displayName: ' Zoe ',
      role: 'member',
      password: 'a-long-passphrase-1',
    });
    expect(ok).toBe(true);
    expect(created).toEqual([
      {
        email: 'zoe@example.org',
        displayName: 'Zoe',
        role: 'member',
        password: 'a-long-passphrase-1',
      },
    ]);
    await flushPromises();
    expect(asked.at(-1)).toEqual({ ...DEFAULT_USERS_FILTER, role: 'member' });
    expect(model.list.state.items[0]).toMatchObject({ id: uuid(9), displayName: 'Zoe' });
    expect(model.newAccount.state).toMatchObject({ open: false, created: { id: uuid(9) } });
  });
});
