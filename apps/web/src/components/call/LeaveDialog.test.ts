// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeaveChoice } from '../../call-page/types';
import { mountWithApp } from '../../testing/mount-app';
import LeaveDialog from './LeaveDialog.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

const q = (testid: string) => document.querySelector<HTMLElement>(`[data-testid="${testid}"]`);
const all = (testid: string) => [
  ...document.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`),
];

async function open(choice: LeaveChoice) {
  const { wrapper } = await mountWithApp(LeaveDialog, {
    props: { open: true, choice, busy: false },
  });
  await flushPromises();
  return wrapper;
}

describe('the leave dialog', () => {
  it('asks a host to leave or end for everyone', async () => {
    const wrapper = await open({ kind: 'leave-or-end' });
    expect(q('leave-dialog')?.textContent).toContain('Leave the meeting?');
    expect(q('handover-list')).toBeNull();
    q('leave-only')?.click();
    q('confirm-end')?.click();
    expect(wrapper.emitted('leave')).toHaveLength(1);
    expect(wrapper.emitted('end')).toHaveLength(1);
  });

  it('the last host picks who runs the meeting next; the longest present is chosen already', async () => {
    const wrapper = await open({
      kind: 'handover',
      candidates: [
        { userId: 'u-bob', name: 'Bob', isGuest: false },
        { userId: 'u-gus', name: 'Gus', isGuest: true },
      ],
      suggested: 'u-bob',
    });
    expect(all('handover-option').map((o) => o.dataset.userId)).toEqual(['u-bob', 'u-gus']);
    const radio = (el: HTMLElement | null) => el?.querySelector('input') as HTMLInputElement;
    expect(radio(all('handover-option')[0]!).checked).toBe(true);
    expect(q('leave-only')?.textContent?.trim()).toBe('Hand over and leave');

    radio(all('handover-option')[1]!).click();
    await flushPromises();
    q('leave-only')?.click();
    radio(q('handover-auto')).click();
    await flushPromises();
    expect(q('leave-only')?.textContent?.trim()).toBe('Leave the meeting');
    q('leave-only')?.click();
    expect(wrapper.emitted('handover')).toEqual([['u-gus'], ['auto']]);
  });

  it('follows the call while open: the pick stays, and falls back when its person left', async () => {
    const bob = { userId: 'u-bob', name: 'Bob', isGuest: false };
    const gus = { userId: 'u-gus', name: 'Gus', isGuest: true };
    const cat = { userId: 'u-cat', name: 'Cat', isGuest: false };
    const wrapper = await open({ kind: 'handover', candidates: [bob, gus], suggested: 'u-bob' });
    const radio = (id: string) =>
      all('handover-option')
        .find((o) => o.dataset.userId === id)
        ?.querySelector('input') as HTMLInputElement;
    radio('u-gus').click();
    await flushPromises();
    // Cat arrives: Gus stays picked.
    await wrapper.setProps({
      choice: { kind: 'handover', candidates: [bob, cat, gus], suggested: 'u-bob' },
    });
    expect(radio('u-gus').checked).toBe(true);
    // Gus leaves: the list drops him and the pick falls back to the suggestion now.
    await wrapper.setProps({
      choice: { kind: 'handover', candidates: [cat], suggested: 'u-cat' },
    });
    expect(all('handover-option').map((o) => o.dataset.userId)).toEqual(['u-cat']);
    expect(radio('u-cat').checked).toBe(true);
    q('leave-only')?.click();
    expect(wrapper.emitted('handover')).toEqual([['u-cat']]);
  });

  it('a co-host who is the last moderator is told Parley chooses, with no list', async () => {
    await open({ kind: 'handover', candidates: [], suggested: null });
    expect(q('handover-list')).toBeNull();
    expect(q('leave-dialog')?.textContent).toContain('Parley makes the person');
  });

  it('speaks Russian too', async () => {
    await mountWithApp(LeaveDialog, {
      props: { open: true, choice: { kind: 'leave-or-end' }, busy: false },
      locale: 'ru',
    });
    await flushPromises();
    expect(q('confirm-end')?.textContent?.trim()).toBe('Завершить встречу для всех');
  });
});
