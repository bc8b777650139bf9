import { onBeforeUnmount, watch } from 'vue';
import type { Ref } from 'vue';

/**
 * Keeps a media element playing `track`: a fresh one-track MediaStream whenever the track
 * itself changes (a new peer connection, a reconnect), so the element never holds on to a
 * stream whose tracks changed under it. `onBlocked` hears an autoplay refusal.
 */
export function bindTrack(
  element: Ref<HTMLMediaElement | null | undefined>,
  track: () => MediaStreamTrack | null | undefined,
  onBlocked?: () => void,
): void {
  watch(
    [element, track],
    ([el, t]) => {
      if (!el) return;
      const current = el.srcObject instanceof MediaStream ? el.srcObject.getTracks()[0] : null;
      if ((t ?? null) === (current ?? null)) return;
      el.srcObject = t ? new MediaStream([t]) : null;
      if (t) play(el, onBlocked);
    },
    { immediate: true, flush: 'post' },
  );
  onBeforeUnmount(() => {
    if (element.value) element.value.srcObject = null;
  });
}

export function play(el: HTMLMediaElement, onBlocked?: () => void): void {
  el.play().catch((err: unknown) => {
    // The browser wants a click before playing sound; anything else (a new srcObject
    // interrupting this play) resolves itself.
    if (err instanceof DOMException && err.name === 'NotAllowedError') onBlocked?.();
  });
}
