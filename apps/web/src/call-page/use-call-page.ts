import { normalizeRoomCode } from '@parley/protocol';
import { useEventListener } from '@vueuse/core';
import { computed, effectScope, nextTick, onBeforeUnmount, onMounted, shallowRef } from 'vue';
import type { RouteLocationRaw } from 'vue-router';
import { useRoute, useRouter } from 'vue-router';
import { accountDisabled } from '../account/disabled';
import { endpoints } from '../api';
import { appointmentIdOf } from '../appointments/call-slot';
import { browserMediaEnv, systemClock } from '../calls';
import type { SignalingClient } from '../calls';
import { playKnock } from '../components/call/chime';
import { debugEnabled, debugEngine, tabStorage } from '../components/call/debug';
import { shortcutFor } from '../components/call/shortcuts';
import { usePageTitle } from '../composables/page-title';
import { useChat } from '../composables/useChat';
import type { Chat } from '../composables/useChat';
import { usePlayback } from '../composables/usePlayback';
import type { Playback } from '../composables/usePlayback';
import { signalingUrl } from '../lobby/socket';
import { DirectCall } from '../phone/direct-call';
import { useAuthStore } from '../stores/auth';
import { useCallPrefsStore } from '../stores/callPrefs';
import { usePhoneStore } from '../stores/phone';
import { hasHeldTracks, releaseHeld, withHeldTracks } from '../media/handoff';
import { createCallPage } from './model';
import { takeIceServers } from './prefetch';
import { dropEarlySocket, takeEarlySocket } from './socket-handoff';
import type { PageRoute } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function routeOf(to: PageRoute): RouteLocationRaw {
  switch (to.name) {
    case 'ended':
      return { name: 'ended', query: { reason: to.reason, code: to.code } };
    case 'prejoin':
      return { name: 'prejoin', params: { code: to.code } };
    case 'call-ended':
      return { name: 'call-ended', params: { id: to.callId } };
  }
}

function localStore(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * The call page's one tie to Vue: builds the page model with the app's stores, router and
 * browser, mirrors its snapshot into a shallow ref, runs it for the component's lifetime,
 * and hosts the Vue-side features that listen on the call's socket (chat, the shared player).
 */
export function useCallPage() {
  const route = useRoute();
  const router = useRouter();
  const auth = useAuthStore();
  const prefs = useCallPrefsStore();
  const code = normalizeRoomCode(String(route.params.code)) ?? '';
  const appointmentId = appointmentIdOf(route.query.appointment);
  const canShare =
    typeof navigator !== 'undefined' &&
    typeof navigator.mediaDevices?.getDisplayMedia === 'function';

  // A direct call (`?call=`): its own media to start with, hang-up and end screen.
  const callId = typeof route.query.call === 'string' && UUID.test(route.query.call);
  const phone = callId ? usePhoneStore() : undefined;
  const direct =
    callId && phone
      ? new DirectCall({
          callId: String(route.query.call),
          userId: auth.user?.id ?? '',
          get: async (id) => (await endpoints.calls.get(id)).call,
          hangUp: (id) => phone.hangUp(id),
          onCallEnded: (fn) => phone.on('call-ended', fn),
        })
      : null;

  const chat = shallowRef<Chat | null>(null);
  const playback = shallowRef<Playback | null>(null);
  /** Owns the chat's and player's watchers; stopped with the call. */
  const features = effectScope(true);
  const session = tabStorage();

  const debug = debugEnabled(location.search, session);
  if (debug) dropEarlySocket();

  const model = createCallPage({
    code,
    appointmentId,
    api: {
      getRoom: (c) => endpoints.rooms.get(c),
      // Fetched by the pre-join page while its join request was in flight.
      iceServers: () => takeIceServers(() => endpoints.iceServers()),
      decide: (id, userId, action) => endpoints.rooms.decide(id, userId, action),
      mute: (id, userId) => endpoints.rooms.mute(id, userId),
      muteAll: (id) => endpoints.rooms.muteAll(id),
      lowerHand: (id, userId) => endpoints.rooms.lowerHand(id, userId),
      spotlight: (id, connectionId) => endpoints.rooms.spotlight(id, connectionId),
      end: (id) => endpoints.rooms.end(id),
    },
    auth,
    prefs,
    navigate: (to) => void router.replace(routeOf(to)),
    engine: {
      signalingUrl: signalingUrl(),
      // The pre-join preview's camera and mic, still open, instead of opening them again.
      mediaEnv: { getUserMedia: withHeldTracks((c) => browserMediaEnv().getUserMedia(c)) },
      // The socket the pre-join page opened when Join was pressed (not with the debug
      // probes: the debug handle must see the socket it opens itself).
      takeSignaling: () => (debug ? undefined : takeEarlySocket<SignalingClient>(auth.user?.id)),
      ...(debug ? debugEngine() : {}),
    },
    devicesHanded: hasHeldTracks,
    clock: systemClock,
    storage: session,
    layoutStorage: localStore(),
    search: location.search,
    direct,
    canShare,
    attach: (socket, roomId) => {
      features.run(() => {
        chat.value = useChat({
          socket,
          roomId,
          panelOpen: computed(() => view.value.panel === 'chat'),
          writeWhenOff: () => view.value.canModerate,
        });
        // The call's server-clock estimate: one per page, for the timer, slot and player.
        playback.value = usePlayback({ socket, roomId, serverOffset: () => model.serverOffset() });
      });
      return () => {
        chat.value?.dispose();
        playback.value?.dispose();
        features.stop();
      };
    },
    focus: (testid) =>
      void nextTick(() =>
        document.querySelector<HTMLElement>(`[data-testid="${testid}"]`)?.focus(),
      ),
    knock: () => playKnock(),
    onAccountDisabled: () => accountDisabled.report(),
  });

  const view = shallowRef(model.view);
  const off = model.subscribe(() => {
    view.value = model.view;
  });

  onMounted(() => void model.start());
  onBeforeUnmount(() => {
    off();
    model.dispose();
    releaseHeld();
    dropEarlySocket();
    direct?.dispose();
    prefs.joined = null;
  });

  useEventListener(document, 'keydown', (event: KeyboardEvent) => {
    const action = shortcutFor(event);
    if (action && model.shortcut(action)) event.preventDefault();
  });

  // "<meeting name> · Parley" (a direct call: the other person's name).
  usePageTitle(() => view.value.roomName || null);

  return { model, view, chat, playback, appointmentId, canShare };
}
