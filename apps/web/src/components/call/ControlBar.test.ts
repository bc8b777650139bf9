// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalState } from '../../call-page/types';
import { mountWithApp } from '../../testing/mount-app';
import ControlBar from './ControlBar.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

const local: LocalState = {
  micOn: true,
  cameraOn: true,
  cameraWanted: true,
  sharing: false,
  hasMic: true,
  hasCamera: true,
  videoTrack: null,
  screenTrack: null,
  usingPlaceholder: false,
  handRaised: false,
  problem: undefined,
  micProblem: undefined,
  cameraProblem: undefined,
};

function mountBar(props: Record<string, unknown> = {}) {
  return mountWithApp(ControlBar, {
    props: {
      local,
      canShare: true,
      panel: null,
      peopleCount: 2,
      lobbyCount: 0,
      timer: '01:05',
      startedAt: '2025-01-01T10:00:00.000Z',
      roomName: 'Weekly sync',
      layoutMode: 'auto',
      ...props,
    },
  });
}

/** happy-dom's own control of the window size (matchMedia follows it). */
function setViewport(width: number, height: number): void {
  const w = window as unknown as {
    happyDOM: { setViewport(size: { width: number; height: number }): void };
  };
  w.happyDOM.setViewport({ width, height });
}

const q = (testid: string) => document.querySelector<HTMLElement>(`[data-testid="${testid}"]`);

describe('the control bar', () => {
  it('has no separate "end for all" button: Leave is the one way out', async () => {
    await mountBar();
    expect(q('end-meeting')).toBeNull();
    expect(q('leave-call')?.getAttribute('aria-label')).toBe('Leave call');
    expect(q('call-timer')?.textContent).toBe('01:05');
    expect(q('call-timer')?.dataset.startedAt).toBe('2025-01-01T10:00:00.000Z');
  });

  it('raise hand is a toggle with its shortcut', async () => {
    const { wrapper } = await mountBar();
    const hand = q('raise-hand');
    expect(hand?.getAttribute('aria-pressed')).toBe('false');
    expect(hand?.getAttribute('aria-keyshortcuts')).toBe('h');
    hand?.click();
    expect(wrapper.emitted('hand')).toHaveLength(1);
    await wrapper.setProps({ local: { ...local, handRaised: true } });
    expect(q('raise-hand')?.getAttribute('aria-pressed')).toBe('true');
  });

  it('the reactions button opens the emoji, each sends its reaction', async () => {
    const { wrapper } = await mountBar();
    q('reactions')?.click();
    await flushPromises();
    const options = [...document.querySelectorAll<HTMLElement>('[data-testid="reaction-option"]')];
    expect(options.length).toBeGreaterThan(0);
    options[0]?.click();
    expect(wrapper.emitted('react')).toEqual([[options[0]?.dataset.emoji]]);
  });

  it('on a phone the reactions in "More" are menu items: arrow keys reach them, a pick closes it', async () => {
    setViewport(390, 844);
    try {
      const { wrapper } = await mountBar();
      q('more-options')?.click();
      await flushPromises();
      const items = [...document.querySelectorAll<HTMLElement>('[data-testid="more-reaction"]')];
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((i) => i.getAttribute('role') === 'menuitem')).toBe(true);
      // In the menu's keyboard order: every one is a collection item the arrows move over.
      expect(items.every((i) => i.hasAttribute('data-reka-collection-item'))).toBe(true);
      items[1]?.click();
      await flushPromises();
      expect(wrapper.emitted('react')).toEqual([[items[1]?.dataset.emoji]]);
      expect(q('more-reaction')).toBeNull();
    } finally {
      setViewport(1024, 768);
    }
  });

  it('from sm up "More" holds no phone-only item (none the arrow keys could land on unseen)', async () => {
    await mountBar({ canWatch: true });
    q('more-options')?.click();
    await flushPromises();
    expect(q('more-shortcuts')).not.toBeNull();
    for (const id of ['more-screen', 'more-invite', 'more-watch', 'more-hand', 'more-reaction']) {
      expect(q(id)).toBeNull();
    }
  });

  it('a direct call has no hand or reactions', async () => {
    await mountBar({ canGesture: false });
    expect(q('raise-hand')).toBeNull();
    expect(q('reactions')).toBeNull();
  });
});
