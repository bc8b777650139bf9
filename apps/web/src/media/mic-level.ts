import { useIntervalFn } from '@vueuse/core';
import { shallowRef, toValue, watch } from 'vue';
import type { MaybeRefOrGetter, ShallowRef } from 'vue';

/**
 * How often the meter reads the level: 20 times a second, with the bars' 75 ms CSS
 * transition in between. A read per animation frame (60 Hz) redrew the pre-join page three
 * times as often and kept its renderer ~30 % of a core busy.
 */
export const MIC_LEVEL_SAMPLE_MS = 50;

/** What is kept of the shown level per read as it falls: 0.85 a frame at 60 Hz, as before. */
const RELEASE = 0.85 ** (MIC_LEVEL_SAMPLE_MS / (1000 / 60));

/**
 * A level (0..1) read from the engine's meter (`LocalMedia.micLevel`, one MicMeter for the
 * pre-join page and the call), smoothed for display: fast attack, slow release, so the
 * bars follow speech without flicker. Only reads while `active` (not while muted), and
 * stops with the component. Kept inside the meter component, so a level change redraws the
 * bars and nothing around them.
 */
export function useMicLevel(
  read: () => number,
  active: MaybeRefOrGetter<boolean> = true,
): ShallowRef<number> {
  const level = shallowRef(0);
  let smoothed = 0;
  const { pause, resume } = useIntervalFn(
    () => {
      const now = read();
      smoothed = now > smoothed ? now : smoothed * RELEASE + now * (1 - RELEASE);
      const rounded = Math.round(smoothed * 20) / 20;
      if (rounded !== level.value) level.value = rounded;
    },
    MIC_LEVEL_SAMPLE_MS,
    { immediate: false },
  );
  watch(
    () => toValue(active),
    (on) => {
      if (on) return resume();
      pause();
      smoothed = 0;
      level.value = 0;
    },
    { immediate: true },
  );
  return level;
}
