// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { h, nextTick, ref } from 'vue';
import type { Component, Ref } from 'vue';
import { provideTitleName, tabTitle, usePageTitle } from './page-title';

/** A page that names itself (plain options objects: one `defineComponent` per file). */
function page(name: Ref<string | null>): Component {
  return {
    setup() {
      usePageTitle(name);
      return () => h('p');
    },
  };
}

describe('the tab title', () => {
  it('reads "<name> · Parley", else the route title, else just the app name', () => {
    expect(tabTitle('Parley', 'Design review', 'Call')).toBe('Design review · Parley');
    expect(tabTitle('Parley', null, 'Call')).toBe('Call · Parley');
    expect(tabTitle('Parley', null, null)).toBe('Parley');
  });

  it('carries the name a page sets while the page is shown, and only its own', async () => {
    const prejoinName = ref<string | null>('Design review');
    const callName = ref<string | null>('Design review');
    const show = ref<'prejoin' | 'call' | 'none'>('prejoin');
    let seen: Ref<string | null> | undefined;
    const Prejoin = page(prejoinName);
    const Call = page(callName);
    const app: Component = {
      setup() {
        seen = provideTitleName();
        return () =>
          show.value === 'prejoin' ? h(Prejoin) : show.value === 'call' ? h(Call) : null;
      },
    };
    mount(app);
    expect(seen?.value).toBe('Design review');
    prejoinName.value = '  ';
    await nextTick();
    expect(seen?.value).toBeNull();

    // From one named page to the next: the leaving page does not wipe the new one's name.
    prejoinName.value = 'Design review';
    await nextTick();
    show.value = 'call';
    await nextTick();
    expect(seen?.value).toBe('Design review');
    callName.value = 'Retro';
    await nextTick();
    expect(seen?.value).toBe('Retro');

    show.value = 'none';
    await nextTick();
    expect(seen?.value).toBeNull();
  });

  it('does nothing outside the app', () => {
    expect(() => mount(page(ref('x')))).not.toThrow();
  });
});
