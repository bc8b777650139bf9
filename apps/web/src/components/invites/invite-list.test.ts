import type { Invite } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { createInviteList, inviteEffect, isLive, statusAt } from './invite-list';

const T0 = Date.parse('2030-01-01T10:00:00.000Z');

function invite(code: string, patch: Partial<Invite> = {}): Invite {
  return {
    code,
    url: `https://parley.example/i/${code}`,
    roomId: '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12',
    createdAt: new Date(T0).toISOString(),
    createdBy: { id: '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11', displayName: 'Ada' },
    expiresAt: new Date(T0 + 3_600_000).toISOString(),
    maxUses: null,
    uses: 0,
    skipLobby: false,
    revokedAt: null,
    status: 'active',
    ...patch,
  };
}

/** A promise settled from outside, to order answers as a test needs. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('statusAt', () => {
  it("keeps the server's word, but an active invite past its expiry is expired", () => {
    const a = invite('aaaaa-aaaaa');
    expect(statusAt(a, T0)).toBe('active');
    expect(statusAt(a, T0 + 3_600_000)).toBe('expired');
    expect(statusAt(invite('bbbbb-bbbbb', { status: 'revoked' }), T0)).toBe('revoked');
    expect(statusAt(invite('ccccc-ccccc', { status: 'used-up' }), T0 + 9e9)).toBe('used-up');
    expect(isLive(a, T0)).toBe(true);
    expect(isLive(a, T0 + 3_600_000)).toBe(false);
  });
});

describe('inviteEffect', () => {
  it('says what accepting does in each kind of room', () => {
    expect(inviteEffect('approval', false)).toBe('lobby');
    expect(inviteEffect('approval', true)).toBe('skips-lobby');
    expect(inviteEffect('password', false)).toBe('no-password');
    expect(inviteEffect('open', true)).toBe('direct');
    expect(inviteEffect(undefined, false)).toBe('direct');
  });
});

describe('createInviteList', () => {
  it('loads the list; a failed load says so and can be retried', async () => {
    let fail = true;
    const list = createInviteList({
      load: () =>
        fail ? Promise.reject(new Error('down')) : Promise.resolve([invite('aaaaa-aaaaa')]),
      revoke: () => Promise.resolve(),
    });
    expect(list.state.value).toEqual({ kind: 'loading' });
    await list.refresh();
    expect(list.state.value.kind).toBe('failed');
    fail = false;
    await list.refresh();
    expect(list.state.value).toEqual({ kind: 'ready' });
    expect(list.invites.value.map((i) => i.code)).toEqual(['aaaaa-aaaaa']);
  });

  it('puts a new invite on top, once, and keeps it when a slower load answers without it', async () => {
    const answer = deferred<Invite[]>();
    const list = createInviteList({ load: () => answer.promise, revoke: () => Promise.resolve() });
    const loading = list.refresh();
    const made = invite('nnnnn-nnnnn');
    list.add(made);
    list.add(made);
    expect(list.invites.value.map((i) => i.code)).toEqual(['nnnnn-nnnnn']);
    answer.resolve([invite('ooooo-ooooo')]);
    await loading;
    expect(list.invites.value.map((i) => i.code)).toEqual(['nnnnn-nnnnn', 'ooooo-ooooo']);
  });

  it('ignores a load overtaken by a newer one', async () => {
    const answers = [deferred<Invite[]>(), deferred<Invite[]>()];
    let n = 0;
    const list = createInviteList({
      load: () => answers[n++]!.promise,
      revoke: () => Promise.resolve(),
    });
    const first = list.refresh();
    const second = list.refresh();
    answers[1]!.resolve([invite('newer-aaaaa')]);
    await second;
    answers[0]!.resolve([invite('older-aaaaa')]);
    await first;
    expect(list.invites.value.map((i) => i.code)).toEqual(['newer-aaaaa']);
  });

  it('marks a revoked invite where it stands; a failed revocation changes nothing and says why', async () => {
    const refused = new Error('nope');
    const revoked: string[] = [];
    const list = createInviteList({
      load: () => Promise.resolve([invite('aaaaa-aaaaa'), invite('bbbbb-bbbbb')]),
      revoke: (code) => {
        if (code === 'bbbbb-bbbbb') return Promise.reject(refused);
        revoked.push(code);
        return Promise.resolve();
      },
      now: () => T0 + 60_000,
    });
    await list.refresh();
    const pending = list.revoke('aaaaa-aaaaa');
    expect(list.revoking.value.has('aaaaa-aaaaa')).toBe(true);
    // A second click while the first is on its way sends nothing more.
    await list.revoke('aaaaa-aaaaa');
    await pending;
    expect(revoked).toEqual(['aaaaa-aaaaa']);
    expect(list.revoking.value.size).toBe(0);
    expect(list.invites.value[0]).toMatchObject({
      code: 'aaaaa-aaaaa',
      status: 'revoked',
      revokedAt: new Date(T0 + 60_000).toISOString(),
    });

    await list.revoke('bbbbb-bbbbb');
    expect(list.revokeError.value).toBe(refused);
    expect(list.invites.value[1]).toMatchObject({ code: 'bbbbb-bbbbb', status: 'active' });
  });
});
