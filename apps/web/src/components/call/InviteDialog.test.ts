// @vitest-environment happy-dom
import type { Invite } from '@parley/protocol';
import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mountWithApp } from '../../testing/mount-app';
import InviteDialog from './InviteDialog.vue';

const ROOM = '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12';

function invite(code: string, patch: Partial<Invite> = {}): Invite {
  return {
    code,
    url: `/i/${code}`,
    roomId: ROOM,
    createdAt: '2030-01-01T10:00:00.000Z',
    createdBy: { id: '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11', displayName: 'Ada' },
    expiresAt: '2099-01-02T10:00:00.000Z',
    maxUses: null,
    uses: 0,
    skipLobby: false,
    revokedAt: null,
    status: 'active',
    ...patch,
  };
}

let requests: { method: string; url: string; body: unknown }[];
let listed: Invite[];

beforeEach(() => {
  requests = [];
  listed = [
    invite('Older-aaaaa', { uses: 2, maxUses: 5, createdBy: { id: ROOM, displayName: 'Cleo' } }),
  ];
  vi.stubGlobal('fetch', (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = JSON.parse(typeof init.body === 'string' ? init.body : 'null') as unknown;
    requests.push({ method, url, body });
    const json = (status: number, value: unknown) =>
      Promise.resolve(
        new Response(value === undefined ? null : JSON.stringify(value), {
          status,
          headers: { 'content-type': 'application/json' },
        }),
      );
    if (method === 'POST') {
      const made = body as { skipLobby?: boolean; maxUses?: number };
      return json(201, {
        invite: invite('Newer-bbbbb', {
          skipLobby: made.skipLobby ?? false,
          maxUses: made.maxUses ?? null,
        }),
      });
    }
    if (method === 'DELETE') return json(204, undefined);
    return json(200, { invites: listed });
  });
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: { writeText: () => Promise.resolve(), write: () => Promise.resolve() },
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

const get = (testid: string) => document.querySelector<HTMLElement>(`[data-testid="${testid}"]`);
const all = (testid: string) => [
  ...document.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`),
];

async function open(props: Record<string, unknown>) {
  const mounted = await mountWithApp(InviteDialog, {
    props: { open: true, roomId: ROOM, code: 'abc-defg-hjkm', ...props },
  });
  await flushPromises();
  return mounted;
}

describe('the invite dialog', () => {
  it('a participant sees the meeting link and code only: no invite links, no "share this"', async () => {
    await open({ needsApproval: true, canInvite: false });
    expect(get('meeting-link')?.textContent).toContain('/r/abc-defg-hjkm');
    expect(get('meeting-code')?.textContent).toBe('abc-defg-hjkm');
    expect(get('invite-dialog')?.textContent).not.toContain('Share this link');
    expect(get('invite-create')).toBeNull();
    expect(get('invite-list')).toBeNull();
    expect(requests).toEqual([]);
  });

  it('an approval room: "skip the lobby" is offered and sent; the new invite tops the list', async () => {
    await open({ needsApproval: true, canInvite: true, entry: 'approval' });
    expect(all('invite-row').map((r) => r.dataset.code)).toEqual(['Older-aaaaa']);
    expect(get('invite-row')?.textContent).toContain('Used 2 of 5');
    expect(get('invite-row')?.textContent).toContain('Made by Cleo');
    expect(get('invite-help')?.textContent).toContain('wait in the lobby');

    const skip = get('invite-skip-lobby') as HTMLInputElement;
    skip.click();
    const uses = get('invite-max-uses') as HTMLSelectElement;
    uses.value = '5';
    uses.dispatchEvent(new Event('change'));
    get('invite-create')?.click();
    await flushPromises();

    expect(requests.filter((r) => r.method === 'POST')).toEqual([
      {
        method: 'POST',
        url: `/api/rooms/${ROOM}/invites`,
        body: { expiresInMinutes: 1440, maxUses: 5, skipLobby: true },
      },
    ]);
    expect(get('invite-link')?.textContent).toBe(`${location.origin}/i/Newer-bbbbb`);
    expect(get('invite-made')?.textContent).toContain('skip the lobby');
    expect(all('invite-row').map((r) => r.dataset.code)).toEqual(['Newer-bbbbb', 'Older-aaaaa']);
  });

  it('a password room says the invite works without the password, and offers no lobby choice', async () => {
    await open({ needsApproval: false, canInvite: true, entry: 'password' });
    expect(get('invite-help')?.textContent).toContain('without the room password');
    expect(get('invite-skip-lobby')).toBeNull();
    get('invite-create')?.click();
    await flushPromises();
    expect(requests.find((r) => r.method === 'POST')?.body).toEqual({ expiresInMinutes: 1440 });
  });

  it('Revoke revokes that invite and the row says so at once', async () => {
    await open({ needsApproval: false, canInvite: true, entry: 'open' });
    get('invite-revoke')?.click();
    await flushPromises();
    expect(requests.filter((r) => r.method === 'DELETE').map((r) => r.url)).toEqual([
      `/api/rooms/${ROOM}/invites/Older-aaaaa`,
    ]);
    expect(get('invite-row')?.dataset.status).toBe('revoked');
    expect(get('invite-status')?.textContent).toBe('Revoked');
    expect(get('invite-revoke')).toBeNull();
  });
});
