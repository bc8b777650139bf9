// @vitest-environment happy-dom
import type { LobbyEntry, ParticipantRole } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { mountWithApp } from '../../testing/mount-app';
import type { PanelPerson } from './panels';
import ParticipantsPanel from './ParticipantsPanel.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

const remote = (
  name: string,
  role: ParticipantRole,
  extra: Partial<PanelPerson> = {},
): PanelPerson => ({
  key: `c_${name}`,
  connectionId: `c_${name}`,
  userId: `u-${name}`,
  name,
  isGuest: false,
  role,
  self: false,
  audio: true,
  video: true,
  screen: false,
  handRaisedAt: null,
  handPosition: null,
  ...extra,
});

const knock: LobbyEntry = {
  user: { id: 'u-vis', displayName: 'Visitor', isGuest: true },
  requestedAt: '2025-01-01T10:00:00.000Z',
};

async function panel(
  myRole: ParticipantRole,
  opts: {
    lobby?: LobbyEntry[];
    people?: PanelPerson[];
    spotlight?: string | null;
    busy?: string[];
  } = {},
) {
  const me: PanelPerson = {
    key: 'self',
    connectionId: 'c_me',
    userId: 'u-me',
    name: 'Me',
    role: myRole,
    isGuest: false,
    self: true,
    audio: false,
    video: true,
    screen: false,
    handRaisedAt: null,
    handPosition: null,
  };
  const { wrapper } = await mountWithApp(ParticipantsPanel, {
    props: {
      people: [
        ...(opts.people ?? [
          remote('Ann', 'cohost'),
          remote('Bob', 'participant', { audio: false }),
          remote('Hal', 'host'),
        ]),
        me,
      ],
      lobby: opts.lobby ?? [],
      myRole,
      busy: new Set<string>(opts.busy),
      spotlight: opts.spotlight ?? null,
    },
  });
  const row = (userId: string) =>
    wrapper.get(`[data-testid="participant"][data-user-id="${userId}"]`);
  const has = (userId: string, testid: string) =>
    row(userId).find(`[data-testid="${testid}"]`).exists();
  return { wrapper, row, has };
}

describe('ParticipantsPanel', () => {
  it('lists everyone with role and mic/camera state, the viewer first', async () => {
    const { wrapper, row } = await panel('participant');
    const names = wrapper.findAll('[data-testid="participant-name"]').map((n) => n.text());
    expect(names).toEqual(['Me (you)', 'Ann', 'Bob', 'Hal']);
    expect(row('u-Ann').get('[data-testid="participant-role"]').text()).toBe('Co-host');
    expect(row('u-Bob').get('[data-testid="participant-mic"]').attributes('data-state')).toBe(
      'off',
    );
    expect(row('u-me').get('[data-testid="participant-mic"]').attributes('data-state')).toBe('off');
  });

  it('gives a participant no moderator controls and no lobby', async () => {
    const { wrapper } = await panel('participant', {
      lobby: [knock],
      people: [remote('Ann', 'participant', { handRaisedAt: 5, handPosition: 1 })],
    });
    for (const id of [
      'kick',
      'promote',
      'participant-mute',
      'participant-lower-hand',
      'participant-spotlight',
      'mute-all',
      'hand-queue-lower',
      'lobby-request',
    ]) {
      expect(wrapper.find(`[data-testid="${id}"]`).exists(), id).toBe(false);
    }
    // The queue itself is for everyone.
    expect(wrapper.find('[data-testid="hand-queue"]').exists()).toBe(true);
  });

  it('lets the host act on everyone else and make participants co-hosts', async () => {
    const { wrapper, row, has } = await panel('host');
    expect(has('u-me', 'kick')).toBe(false);
    expect(has('u-me', 'participant-mute')).toBe(false);
    expect(has('u-Ann', 'kick')).toBe(true);
    expect(has('u-Ann', 'participant-mute')).toBe(true);
    expect(has('u-Ann', 'promote')).toBe(false);
    // Bob's mic is off already: nothing to mute.
    expect(has('u-Bob', 'participant-mute')).toBe(false);
    await row('u-Bob').get('[data-testid="promote"]').trigger('click');
    await row('u-Ann').get('[data-testid="participant-mute"]').trigger('click');
    await wrapper.get('[data-testid="mute-all"]').trigger('click');
    expect(wrapper.emitted('promote')).toEqual([['u-Bob', 'Bob']]);
    expect(wrapper.emitted('mute')).toEqual([['u-Ann', 'Ann']]);
    expect(wrapper.emitted('muteAll')).toEqual([[]]);
  });

  it('lets a co-host act on participants and co-hosts but never on the host', async () => {
    const { wrapper, has } = await panel('cohost', { lobby: [knock] });
    expect(has('u-Hal', 'kick')).toBe(false);
    expect(has('u-Hal', 'participant-mute')).toBe(false);
    expect(has('u-Ann', 'kick')).toBe(false);
    expect(has('u-Ann', 'participant-mute')).toBe(true);
    expect(has('u-Bob', 'kick')).toBe(true);
    expect(wrapper.find('[data-testid="promote"]').exists()).toBe(false);
    const request = wrapper.get('[data-testid="lobby-request"][data-user-id="u-vis"]');
    expect(request.text()).toContain('Visitor');
    await request.get('[data-testid="admit"]').trigger('click');
    await request.get('[data-testid="deny"]').trigger('click');
    expect(wrapper.emitted('admit')).toEqual([['u-vis']]);
    expect(wrapper.emitted('deny')).toEqual([['u-vis']]);
  });

  it('removes someone only after the confirmation', async () => {
    const { wrapper, row } = await panel('host');
    await row('u-Bob').get('[data-testid="kick"]').trigger('click');
    await nextTick();
    expect(wrapper.emitted('kick')).toBeUndefined();
    const dialog = document.querySelector('[data-testid="kick-dialog"]');
    expect(dialog?.textContent).toContain('Remove Bob from the meeting?');

    // Cancelling removes nobody.
    document.querySelector<HTMLElement>('[data-testid="kick-cancel"]')?.click();
    await nextTick();
    await nextTick();
    expect(wrapper.emitted('kick')).toBeUndefined();

    await row('u-Bob').get('[data-testid="kick"]').trigger('click');
    await nextTick();
    document.querySelector<HTMLElement>('[data-testid="kick-confirm"]')?.click();
    await nextTick();
    expect(wrapper.emitted('kick')).toEqual([['u-Bob', 'Bob']]);
  });

  it('shows the raised hands in the order they went up, with their place on each row', async () => {
    const { wrapper, row } = await panel('host', {
      people: [
        remote('Ann', 'participant', { handRaisedAt: 3_000, handPosition: 3 }),
        remote('Bob', 'participant', { handRaisedAt: 1_000, handPosition: 1 }),
        remote('Cleo', 'participant'),
        remote('Dan', 'participant', { handRaisedAt: 2_000, handPosition: 2 }),
      ],
    });
    const items = wrapper.findAll('[data-testid="hand-queue-item"]');
    expect(items.map((i) => i.attributes('data-user-id'))).toEqual(['u-Bob', 'u-Dan', 'u-Ann']);
    expect(items.map((i) => i.attributes('data-position'))).toEqual(['1', '2', '3']);
    expect(row('u-Ann').get('[data-testid="participant-hand"]').attributes('data-position')).toBe(
      '3',
    );
    expect(row('u-Cleo').find('[data-testid="participant-hand"]').exists()).toBe(false);
    expect(row('u-Cleo').find('[data-testid="participant-lower-hand"]').exists()).toBe(false);

    await row('u-Dan').get('[data-testid="participant-lower-hand"]').trigger('click');
    await items[0]?.get('[data-testid="hand-queue-lower"]').trigger('click');
    expect(wrapper.emitted('lowerHand')).toEqual([
      ['u-Dan', 'Dan'],
      ['u-Bob', 'Bob'],
    ]);
  });

  it('has no queue while every hand is down', async () => {
    const { wrapper } = await panel('host');
    expect(wrapper.find('[data-testid="hand-queue"]').exists()).toBe(false);
  });

  it('puts someone in the spotlight for everyone, and takes them out again', async () => {
    const { wrapper, row } = await panel('host', { spotlight: 'c_Ann' });
    const ann = row('u-Ann').get('[data-testid="participant-spotlight"]');
    const bob = row('u-Bob').get('[data-testid="participant-spotlight"]');
    expect(ann.attributes('aria-pressed')).toBe('true');
    expect(row('u-Ann').find('[data-testid="participant-spotlit"]').exists()).toBe(true);
    expect(bob.attributes('aria-pressed')).toBe('false');
    // A host may put themselves in the spotlight too.
    expect(row('u-me').find('[data-testid="participant-spotlight"]').exists()).toBe(true);
    await ann.trigger('click');
    await bob.trigger('click');
    expect(wrapper.emitted('spotlight')).toEqual([[null], ['c_Bob']]);
  });

  it('disables the actions on someone with a decision in flight, but not the spotlight', async () => {
    const { row } = await panel('host', {
      people: [remote('Ann', 'participant', { handRaisedAt: 5, handPosition: 1 })],
      busy: ['u-Ann'],
    });
    const actions = row('u-Ann').findAll('[data-testid="participant-actions"] button');
    expect(actions.map((b) => [b.attributes('data-testid'), b.attributes('disabled')])).toEqual([
      ['participant-mute', ''],
      ['participant-lower-hand', ''],
      ['participant-spotlight', undefined],
      ['promote', ''],
      ['kick', ''],
    ]);
  });
});
