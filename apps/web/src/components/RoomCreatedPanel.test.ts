// @vitest-environment happy-dom
import type { CreateRoomResponse } from '@parley/protocol';
import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mountWithApp } from '../testing/mount-app';
import RoomCreatedPanel from './RoomCreatedPanel.vue';

const created: CreateRoomResponse = {
  room: {
    id: '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12',
    code: 'abc-defg-hjkm',
    name: 'Weekly sync',
    visibility: 'private',
    entry: 'password',
    chatEnabled: true,
    maxParticipants: 12,
    locked: false,
    kind: 'meeting',
    instant: false,
    meetingStartedAt: null,
    status: 'open',
    hostId: '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11',
    hostDisplayName: 'Ada',
    createdAt: '2025-01-01T10:00:00.000Z',
    closedAt: null,
    participantCount: 0,
    myStatus: 'approved',
    myRole: 'host',
  },
  password: 'x7kq2mzp9a',
};

const INVITE_URL = 'http://parley.test/i/Xk4w9-2Pqzt';

let requests: { url: string; body: unknown }[];
let clipboard: string[];

beforeEach(() => {
  requests = [];
  clipboard = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit = {}) => {
    requests.push({
      url,
      body: JSON.parse(typeof init.body === 'string' ? init.body : 'null') as unknown,
    });
    const res = new Response(
      JSON.stringify({
        invite: {
          code: 'Xk4w9-2Pqzt',
          url: INVITE_URL,
          roomId: created.room.id,
          createdAt: '2025-01-01T10:00:00.000Z',
          createdBy: { id: created.room.hostId, displayName: 'Ada' },
          expiresAt: '2025-01-02T10:00:00.000Z',
          maxUses: null,
          uses: 0,
          skipLobby: false,
          revokedAt: null,
          status: 'active',
        },
      }),
      { status: 201, headers: { 'content-type': 'application/json' } },
    );
    return Promise.resolve(res);
  });
  // Whatever path useClipboard takes (Clipboard API or execCommand), record the text.
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: {
      write: async (items: ClipboardItem[]) => {
        for (const item of items) clipboard.push(await (await item.getType('text/plain')).text());
      },
      writeText: (text: string) => {
        clipboard.push(text);
        return Promise.resolve();
      },
    },
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('RoomCreatedPanel', () => {
  it('shows the code and the one-time password with the "not again" warning', async () => {
    const { wrapper } = await mountWithApp(RoomCreatedPanel, { props: { created } });
    expect(wrapper.get('[data-testid="room-code"]').text()).toBe('abc-defg-hjkm');
    expect(wrapper.get('[data-testid="room-password"]').text()).toBe('x7kq2mzp9a');
    expect(wrapper.get('[data-testid="room-password-box"]').text()).toContain(
      'You will not see it again',
    );
    expect(wrapper.get('[data-testid="created-room-join"]').attributes('href')).toBe(
      '/r/abc-defg-hjkm',
    );
  });

  it('has no password box for rooms without a password', async () => {
    const { wrapper } = await mountWithApp(RoomCreatedPanel, {
      props: { created: { room: { ...created.room, entry: 'open' } } },
    });
    expect(wrapper.find('[data-testid="room-password"]').exists()).toBe(false);
  });

  it('"Copy invite link" creates a 24-hour invite, copies its URL and shows it', async () => {
    const { wrapper } = await mountWithApp(RoomCreatedPanel, { props: { created } });
    expect(wrapper.find('[data-testid="invite-url"]').exists()).toBe(false);

    await wrapper.get('[data-testid="copy-invite"]').trigger('click');
    await flushPromises();

    expect(requests).toEqual([
      { url: `/api/rooms/${created.room.id}/invites`, body: { expiresInMinutes: 1440 } },
    ]);
    expect(clipboard).toEqual([INVITE_URL]);
    expect(wrapper.get('[data-testid="invite-url"]').text()).toBe(INVITE_URL);
    expect(wrapper.get('[data-testid="copy-invite"]').text()).toBe('Copied');
    // A password room: the link works without the password, and says so.
    expect(wrapper.get('[data-testid="room-created"]').text()).toContain('without the password');

    // A second click copies the same link without creating another invite.
    await wrapper.get('[data-testid="copy-invite"]').trigger('click');
    await flushPromises();
    expect(requests).toHaveLength(1);
    expect(clipboard).toEqual([INVITE_URL, INVITE_URL]);
  });

  it('an approval room says that people with the link still ask to join', async () => {
    const { wrapper } = await mountWithApp(RoomCreatedPanel, {
      props: { created: { room: { ...created.room, entry: 'approval' } } },
    });
    await wrapper.get('[data-testid="copy-invite"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="room-created"]').text()).toContain('ask to join');
  });
});
