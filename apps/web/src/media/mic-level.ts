import { useRafFn } from '@vueuse/core';
import { shallowRef } from 'vue';
import type { ShallowRef } from 'vue';

/**
 * A level (0..1) read once per frame from the engine's meter (`LocalMedia.micLevel`, one
 * MicMeter for the pre-join page and the call), smoothed for display: fast attack, slow
 * release, so the bars follow speech without flicker. Stops with the component.
 */
export function useMicLevel(read: () => number): ShallowRef<number> {
  const level = shallowRef(0);
  let smoothed = 0;
  useRafFn(() => {
    const now = read();
    smoothed = now > smoothed ? now : smoothed * 0.85 + now * 0.15;
    const rounded = Math.round(smoothed * 20) / 20;
    if (rounded !== level.value) level.value = rounded;
  });
  return level;
}
