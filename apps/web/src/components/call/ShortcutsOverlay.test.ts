// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { mountWithApp } from '../../testing/mount-app';
import ShortcutsOverlay from './ShortcutsOverlay.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

const overlay = () => document.querySelector<HTMLElement>('[data-testid="shortcuts-overlay"]');
const row = (id: string) => document.querySelector<HTMLElement>(`[data-testid="shortcut-${id}"]`);

describe('the keyboard shortcut overlay', () => {
  it('lists every call shortcut with its key, and Esc to close', async () => {
    await mountWithApp(ShortcutsOverlay, { props: { open: true } });
    await flushPromises();
    expect(overlay()?.getAttribute('role')).toBe('dialog');
    expect(overlay()?.textContent).toContain('Keyboard shortcuts');
    const expected = {
      mic: 'M',
      camera: 'V',
      screen: 'S',
      chat: 'C',
      participants: 'P',
      hand: 'H',
      help: '?',
      close: 'Esc',
    };
    for (const [id, key] of Object.entries(expected)) {
      expect(row(id)?.querySelector('kbd')?.textContent?.trim()).toBe(key);
    }
    expect(row('hand')?.textContent).toContain('Raise or lower your hand');
  });

  it('speaks Russian too', async () => {
    await mountWithApp(ShortcutsOverlay, { props: { open: true }, locale: 'ru' });
    await flushPromises();
    expect(overlay()?.textContent).toContain('Быстрые клавиши');
    expect(row('mic')?.textContent).toContain('Включить или выключить микрофон');
  });

  it('leaves out what does nothing here', async () => {
    await mountWithApp(ShortcutsOverlay, { props: { open: true, hide: ['screen'] } });
    await flushPromises();
    expect(row('screen')).toBeNull();
    expect(row('mic')).not.toBeNull();
  });

  it('closes with Escape', async () => {
    const { wrapper } = await mountWithApp(ShortcutsOverlay, {
      props: { open: true, 'onUpdate:open': (v: boolean) => wrapper.setProps({ open: v }) },
    });
    await flushPromises();
    overlay()?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await flushPromises();
    expect(wrapper.emitted('update:open')?.at(-1)).toEqual([false]);
  });
});
