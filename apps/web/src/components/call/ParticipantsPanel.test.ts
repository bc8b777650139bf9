// @vitest-environment happy-dom
import type { LobbyEntry, ParticipantRole } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { mountWithApp } from '../../testing/mount-app';
import type { RemoteTile } from './call-controller';
import ParticipantsPanel from './ParticipantsPanel.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

const remote = (
  name: string,
  role: ParticipantRole,
  extra: Partial<RemoteTile> = {},
): RemoteTile => ({
  connectionId: `c_${name}`,
  userId: `u-${name}`,
  name,
  isGuest: false,
  role,
  audio: true,
  video: true,
  screen: false,
  videoTrack: undefined,
  audioTrack: undefined,
  connectionState: 'connected',
  quality: 'good',
  stats: undefined,
  ...extra,
});

const knock: LobbyEntry = {
  user: { id: 'u-vis', displayName: 'Visitor', isGuest: true },
  requestedAt: '2025-01-01T10:00:00.000Z',
};

async function panel(myRole: ParticipantRole, lobby: LobbyEntry[] = []) {
  const { wrapper } = await mountWithApp(ParticipantsPanel, {
    props: {
      self: {
        key: 'self',
        userId: 'u-me',
        name: 'Me',
        role: myRole,
        isGuest: false,
        self: true,
        audio: false,
        video: true,
      },
      remotes: [remote('Ann', 'cohost'), remote('Bob', 'participant', { audio: false })],
      lobby,
      myRole,
      busy: new Set<string>(),
    },
  });
  const row = (userId: string) =>
    wrapper.get(`[data-testid="participant"][data-user-id="${userId}"]`);
  return { wrapper, row };
}

describe('ParticipantsPanel', () => {
  it('lists everyone with role and mic/camera state, the viewer first', async () => {
    const { wrapper, row } = await panel('participant');
    const names = wrapper.findAll('[data-testid="participant-name"]').map((n) => n.text());
    expect(names).toEqual(['Me (you)', 'Ann', 'Bob']);
    expect(row('u-Ann').get('[data-testid="participant-role"]').text()).toBe('Co-host');
    expect(row('u-Bob').get('[data-testid="participant-mic"]').attributes('data-state')).toBe(
      'off',
    );
    expect(row('u-me').get('[data-testid="participant-mic"]').attributes('data-state')).toBe('off');
  });

  it('gives a participant no host controls and no lobby', async () => {
    const { wrapper } = await panel('participant', [knock]);
    expect(wrapper.find('[data-testid="kick"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="promote"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="lobby-request"]').exists()).toBe(false);
  });

  it('lets the host remove anyone else and make participants co-hosts', async () => {
    const { wrapper, row } = await panel('host');
    expect(row('u-me').find('[data-testid="kick"]').exists()).toBe(false);
    expect(row('u-Ann').find('[data-testid="kick"]').exists()).toBe(true);
    expect(row('u-Ann').find('[data-testid="promote"]').exists()).toBe(false);
    await row('u-Bob').get('[data-testid="promote"]').trigger('click');
    await row('u-Bob').get('[data-testid="kick"]').trigger('click');
    expect(wrapper.emitted('promote')).toEqual([['u-Bob']]);
    expect(wrapper.emitted('kick')).toEqual([['u-Bob', 'Bob']]);
  });

  it('lets a co-host remove participants only, and decide on the lobby', async () => {
    const { wrapper, row } = await panel('cohost', [knock]);
    expect(row('u-Ann').find('[data-testid="kick"]').exists()).toBe(false);
    expect(row('u-Bob').find('[data-testid="kick"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="promote"]').exists()).toBe(false);
    const request = wrapper.get('[data-testid="lobby-request"][data-user-id="u-vis"]');
    expect(request.text()).toContain('Visitor');
    await request.get('[data-testid="admit"]').trigger('click');
    await request.get('[data-testid="deny"]').trigger('click');
    expect(wrapper.emitted('admit')).toEqual([['u-vis']]);
    expect(wrapper.emitted('deny')).toEqual([['u-vis']]);
  });
});
