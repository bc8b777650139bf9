// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, nextTick } from 'vue';
import { mountWithApp } from '../../testing/mount-app';
import CallStage from './CallStage.vue';
import type { CallPerson } from './panels';

afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

function person(name: string, extra: Partial<CallPerson> = {}): CallPerson {
  return {
    key: `c_${name}`,
    connectionId: `c_${name}`,
    userId: `u-${name}`,
    name,
    role: 'participant',
    isGuest: false,
    self: false,
    audio: true,
    video: true,
    screen: false,
    handRaisedAt: null,
    handPosition: null,
    cameraTrack: null,
    screenTrack: null,
    ...extra,
  };
}
const me = (extra: Partial<CallPerson> = {}) =>
  person('Me', { key: 'self', connectionId: 'c_me', self: true, ...extra });

async function stage(props: Record<string, unknown> = {}) {
  let now = 0;
  const { wrapper } = await mountWithApp(CallStage, {
    props: {
      people: [person('Ann'), person('Bob'), me()],
      mode: 'auto',
      spotlight: null,
      speaking: new Set<string>(),
      now: () => now,
      ...props,
    },
  });
  const tile = (name: string) => wrapper.get(`[data-testid="tile"][data-name="${name}"]`);
  return {
    wrapper,
    tile,
    advance: (ms: number) => {
      now += ms;
      vi.advanceTimersByTime(ms);
    },
    stageEl: () => wrapper.find('[data-testid="stage"]'),
  };
}

describe('CallStage', () => {
  it('shows everyone in a grid when nothing is shared', async () => {
    const { wrapper, stageEl } = await stage();
    expect(wrapper.findAll('[data-testid="tile"]')).toHaveLength(3);
    expect(wrapper.find('[data-testid="video-grid"]').exists()).toBe(true);
    expect(stageEl().exists()).toBe(false);
  });

  it('puts a shared screen on the stage and keeps the presenter camera in the strip', async () => {
    const { wrapper, stageEl } = await stage({
      people: [person('Ann'), person('Bob', { screen: true }), me()],
    });
    expect(stageEl().attributes('data-kind')).toBe('screen');
    expect(stageEl().attributes('data-connection-id')).toBe('c_Bob');
    expect(stageEl().find('[data-testid="tile-screen"]').attributes('data-name')).toBe('Bob');
    const strip = wrapper.get('[data-testid="strip"]');
    expect(strip.findAll('[data-testid="tile"]').map((t) => t.attributes('data-name'))).toEqual([
      'Ann',
      'Bob',
      'Me',
    ]);
    expect(strip.get('[data-name="Bob"]').attributes('data-screen')).toBe('true');
  });

  it('shows my own share as a small "you are presenting" tile that can stop it', async () => {
    const { wrapper, stageEl } = await stage({
      people: [person('Ann'), me({ screen: true })],
    });
    expect(stageEl().exists()).toBe(false);
    const mine = wrapper.get('[data-testid="tile-screen"][data-self="true"]');
    expect(mine.find('[data-testid="you-are-presenting"]').exists()).toBe(true);
    expect(mine.find('[data-testid="tile-pin"]').exists()).toBe(false);
    await mine.get('[data-testid="stop-presenting"]').trigger('click');
    expect(wrapper.emitted('stopScreen')).toHaveLength(1);
  });

  it('pins a tile on the stage for me, and unpins it', async () => {
    const { wrapper, tile, stageEl } = await stage();
    await tile('Ann').get('[data-testid="tile-pin"]').trigger('click');
    expect(stageEl().attributes('data-reason')).toBe('pin');
    const pinned = stageEl().get('[data-testid="tile"]');
    expect(pinned.attributes('data-name')).toBe('Ann');
    expect(pinned.get('[data-testid="tile-pin"]').attributes('aria-pressed')).toBe('true');
    await pinned.get('[data-testid="tile-pin"]').trigger('click');
    expect(stageEl().exists()).toBe(false);
    expect(wrapper.find('[data-testid="video-grid"]').exists()).toBe(true);
  });

  it('puts the spotlit person on the stage for everyone, marked as such', async () => {
    const { stageEl } = await stage({ spotlight: 'c_Bob' });
    expect(stageEl().attributes('data-reason')).toBe('spotlight');
    expect(stageEl().attributes('data-connection-id')).toBe('c_Bob');
    expect(stageEl().find('[data-testid="spotlight-badge"]').exists()).toBe(true);
  });

  it('marks raised hands with their place in the queue', async () => {
    const { tile } = await stage({
      // Places as the page computes them (derive.ts peopleOf), drawn as given.
      people: [
        person('Ann', { handRaisedAt: 20, handPosition: 2 }),
        person('Bob', { handRaisedAt: 10, handPosition: 1 }),
        me(),
      ],
    });
    expect(tile('Bob').get('[data-testid="tile-hand"]').attributes('data-position')).toBe('1');
    expect(tile('Ann').get('[data-testid="tile-hand"]').attributes('data-position')).toBe('2');
    expect(tile('Me').find('[data-testid="tile-hand"]').exists()).toBe(false);
  });

  it("floats reactions over the sender's tile, mine included", async () => {
    const { wrapper } = await stage({
      reactions: [
        { id: 1, connectionId: 'c_Ann', emoji: '👍' },
        { id: 2, connectionId: 'c_me', emoji: '🎉' },
      ],
    });
    const bubbles = (key: string) =>
      wrapper
        .findAll(`[data-testid="tile"][data-name="${key}"] ~ * [data-testid="reaction-bubble"]`)
        .map((b) => b.attributes('data-emoji'));
    expect(bubbles('Ann')).toEqual(['👍']);
    expect(bubbles('Me')).toEqual(['🎉']);
    expect(bubbles('Bob')).toEqual([]);
    expect(wrapper.get('[data-testid="reaction-news"]').text()).toBe('Me reacted with 🎉');
  });

  it('follows the speaker only after they held the floor for a second', async () => {
    vi.useFakeTimers();
    const { wrapper, stageEl, advance } = await stage({
      mode: 'speaker',
      speaking: new Set(['c_Ann']),
    });
    const onStage = () => stageEl().get('[data-testid="tile"]').attributes('data-name');
    expect(onStage()).toBe('Ann');
    await wrapper.setProps({ speaking: new Set(['c_Bob']) });
    advance(999);
    await nextTick();
    expect(onStage()).toBe('Ann');
    // No prop changes from here: the stage's own timer brings Bob on.
    advance(1);
    await nextTick();
    expect(onStage()).toBe('Bob');
  });

  it('gives the stage to the shared video when featured, every tile to the strip', async () => {
    const props = {
      people: [person('Ann'), me()],
      mode: 'auto',
      spotlight: null,
      speaking: new Set<string>(),
      featured: true,
    } as const;
    const Host = defineComponent({
      render: () => h(CallStage, props, { feature: () => h('div', { 'data-testid': 'player' }) }),
    });
    const { wrapper } = await mountWithApp(Host);
    const stageEl = wrapper.get('[data-testid="stage"]');
    expect(stageEl.attributes('data-kind')).toBe('feature');
    expect(stageEl.find('[data-testid="player"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="strip"]').findAll('[data-testid="tile"]')).toHaveLength(2);
  });
});
