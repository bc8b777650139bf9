import type { RouteLocationRaw } from 'vue-router';
import { useRoute } from 'vue-router';
import { computed, onScopeDispose, shallowRef } from 'vue';
import { endpoints } from '../api';
import { DirectCall } from '../phone/direct-call';
import { useAuthStore } from '../stores/auth';
import { useCallPrefsStore } from '../stores/callPrefs';
import { usePhoneStore } from '../stores/phone';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The call page's direct-call side (`/r/:code/call?call=<id>`): null for a meeting, so the page
 * behaves exactly as before. `onEndedRemotely` runs when the other person hangs up.
 */
export function useDirectCall(opts: { onEndedRemotely: () => void }) {
  const route = useRoute();
  const raw = route.query.call;
  const callId = typeof raw === 'string' && UUID.test(raw) ? raw : null;
  if (!callId) return null;

  const auth = useAuthStore();
  const prefs = useCallPrefsStore();
  const phone = usePhoneStore();
  const direct = new DirectCall({
    callId,
    userId: auth.user?.id ?? '',
    get: async (id) => (await endpoints.calls.get(id)).call,
    hangUp: (id) => phone.hangUp(id),
    onCallEnded: (fn) => phone.on('call-ended', fn),
  });
  const state = shallowRef(direct.state);
  const offEnded = direct.onEndedRemotely(() => {
    state.value = direct.state;
    opts.onEndedRemotely();
  });
  onScopeDispose(() => {
    offEnded();
    direct.dispose();
  });

  return {
    callId,
    state,
    otherName: computed(() => (state.value.kind === 'loading' ? '' : direct.otherName)),
    /** Reads the call; the mic and camera to start with, or null when it is over. */
    async prepare(): Promise<{ micOn: boolean; cameraOn: boolean } | null> {
      const call = await direct.load();
      state.value = direct.state;
      if (!call) return null;
      const chosen = prefs.directStart;
      prefs.directStart = null;
      return direct.startMedia(chosen);
    },
    audioLayout: (anyVideo: boolean) => direct.audioLayout(anyVideo),
    /** Ends the call for both; resolves when the server answered. */
    async hangUp(): Promise<void> {
      await direct.hangUp();
      state.value = direct.state;
    },
    endedRoute: (): RouteLocationRaw => ({ name: 'call-ended', params: { id: callId } }),
  };
}

export type DirectCallBinding = NonNullable<ReturnType<typeof useDirectCall>>;
