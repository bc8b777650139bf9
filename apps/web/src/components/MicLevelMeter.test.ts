// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, nextTick, onUpdated, ref } from 'vue';
import { MIC_LEVEL_SAMPLE_MS } from '../media/mic-level';
import { mountWithApp } from '../testing/mount-app';
import MicLevelMeter from './MicLevelMeter.vue';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

/** A page around the meter that counts its own redraws. */
function page(read: () => number, muted = ref(false)) {
  const redraws = { count: 0 };
  const Page = defineComponent({
    setup() {
      onUpdated(() => (redraws.count += 1));
      return () => h('div', [h(MicLevelMeter, { read, muted: muted.value })]);
    },
  });
  return { Page, redraws, muted };
}

const litBars = (el: Element) => el.querySelectorAll('.bg-emerald-400').length;

async function tick(times = 1) {
  for (let i = 0; i < times; i++) await vi.advanceTimersByTimeAsync(MIC_LEVEL_SAMPLE_MS);
  await nextTick();
}

describe('MicLevelMeter', () => {
  it('follows the level it reads, and only the meter redraws', async () => {
    let now = 0;
    const { Page, redraws } = page(() => now);
    const { wrapper } = await mountWithApp(Page);
    const meter = wrapper.get('[data-testid="mic-level"]');
    expect(litBars(meter.element)).toBe(0);

    now = 0.8; // loud: the attack is immediate
    await tick();
    expect(meter.attributes('data-level')).toBe('0.8');
    expect(meter.attributes('aria-valuenow')).toBe('80');
    expect(litBars(meter.element)).toBe(4);

    now = 0; // silence: the release is gradual, then reaches nothing
    await tick();
    const falling = Number(meter.attributes('data-level'));
    expect(falling).toBeGreaterThan(0);
    expect(falling).toBeLessThan(0.8);
    await tick(60);
    expect(meter.attributes('data-level')).toBe('0');
    expect(redraws.count).toBe(0);
  });

  it('does not read while muted, and shows nothing', async () => {
    const read = vi.fn(() => 0.9);
    const { Page, muted } = page(read, ref(true));
    const { wrapper } = await mountWithApp(Page);
    await tick(5);
    expect(read).not.toHaveBeenCalled();
    expect(litBars(wrapper.get('[data-testid="mic-level"]').element)).toBe(0);

    muted.value = false;
    await nextTick();
    await tick();
    expect(read).toHaveBeenCalled();
    expect(litBars(wrapper.get('[data-testid="mic-level"]').element)).toBe(5);

    muted.value = true;
    await nextTick();
    read.mockClear();
    await tick(5);
    expect(read).not.toHaveBeenCalled();
    expect(wrapper.get('[data-testid="mic-level"]').attributes('data-level')).toBe('0');
  });

  it('stops reading once it is gone', async () => {
    const read = vi.fn(() => 0.5);
    const { Page } = page(read);
    const { wrapper } = await mountWithApp(Page);
    await tick();
    wrapper.unmount();
    read.mockClear();
    await tick(5);
    expect(read).not.toHaveBeenCalled();
  });
});
