import { useRafFn } from '@vueuse/core';
import { onScopeDispose, shallowRef, watch } from 'vue';
import type { Ref } from 'vue';

/** RMS of a block of samples mapped from -60..-10 dBFS onto 0..1 (speech sits near the top). */
export function levelFromSamples(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 50));
}

/**
 * Live input level (0..1) of the audio track of `stream`, for the pre-join meter. One
 * AudioContext for the page, created lazily and resumed on the first user gesture when the
 * browser's autoplay policy started it suspended.
 */
export function useMicLevel(stream: Ref<MediaStream | null>, enabled: Ref<boolean>) {
  const level = shallowRef(0);
  let ctx: AudioContext | null = null;
  let source: MediaStreamAudioSourceNode | null = null;
  let analyser: AnalyserNode | null = null;
  let buffer: Float32Array<ArrayBuffer> | null = null;

  const resume = () => void ctx?.resume().catch(() => undefined);

  function disconnect() {
    source?.disconnect();
    source = null;
    analyser = null;
    level.value = 0;
  }

  function connect(s: MediaStream | null) {
    disconnect();
    const track = s?.getAudioTracks()[0];
    if (!track || typeof AudioContext === 'undefined') return;
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') resume();
    // A stream of just this track, so swapping the camera does not rebuild the audio graph.
    source = ctx.createMediaStreamSource(new MediaStream([track]));
    analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    buffer = new Float32Array(analyser.fftSize);
    source.connect(analyser);
  }

  watch(
    () => stream.value?.getAudioTracks()[0]?.id,
    () => connect(stream.value),
    { immediate: true },
  );

  let smoothed = 0;
  useRafFn(() => {
    if (!analyser || !buffer || !enabled.value) {
      smoothed = 0;
      if (level.value !== 0) level.value = 0;
      return;
    }
    analyser.getFloatTimeDomainData(buffer);
    const now = levelFromSamples(buffer);
    // Fast attack, slow release: the bar follows speech without flicker.
    smoothed = now > smoothed ? now : smoothed * 0.85 + now * 0.15;
    const rounded = Math.round(smoothed * 20) / 20;
    if (rounded !== level.value) level.value = rounded;
  });

  if (typeof window !== 'undefined') {
    window.addEventListener('pointerdown', resume, { passive: true });
    window.addEventListener('keydown', resume);
  }

  onScopeDispose(() => {
    disconnect();
    void ctx?.close().catch(() => undefined);
    ctx = null;
    if (typeof window !== 'undefined') {
      window.removeEventListener('pointerdown', resume);
      window.removeEventListener('keydown', resume);
    }
  });

  return level;
}
