import type { Call, CallMedia, PresenceChangedMessage } from '@parley/protocol';
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { endpoints } from '../api';
import { Emitter } from '../calls/emitter';
import { phoneApi } from '../phone/adapters';
import type { Phone } from '../phone/phone';
import { INITIAL_PHONE_STATE } from '../phone/state';
import type { PhoneState } from '../phone/state';

type PhoneBus = {
  'enter-call': (call: Call, media: CallMedia) => void;
  'call-ended': (call: Call) => void;
  call: (call: Call) => void;
  presence: (msg: PresenceChangedMessage) => void;
};

/**
 * The Vue view of this tab's phone (phone/phone.ts). PhoneHost creates the Phone while a member
 * is signed in and attaches it here; pages read the state and call the intents. Listeners
 * added with `on` outlive a phone that is replaced (a new sign-in).
 */
export const usePhoneStore = defineStore('phone', () => {
  const state = shallowRef<PhoneState>(INITIAL_PHONE_STATE);
  const bus = new Emitter<PhoneBus>();
  let phone: Phone | null = null;
  let offs: (() => void)[] = [];

  function attach(next: Phone): void {
    detach();
    phone = next;
    state.value = next.state;
    offs = [
      next.on('change', (s) => (state.value = s)),
      next.on('enter-call', (call, media) => bus.emit('enter-call', call, media)),
      next.on('call-ended', (call) => bus.emit('call-ended', call)),
      next.on('call', (call) => bus.emit('call', call)),
      next.on('presence', (msg) => bus.emit('presence', msg)),
    ];
  }

  function detach(): void {
    for (const off of offs.splice(0)) off();
    phone?.dispose();
    phone = null;
    state.value = INITIAL_PHONE_STATE;
  }

  function need(): Phone {
    if (!phone) throw new Error('The phone is not running (nobody signed in).');
    return phone;
  }

  /** Ends an accepted call; works even before the phone is attached (a reloaded call page). */
  function hangUp(callId: string): Promise<Call | undefined> {
    if (phone) return phone.hangUp(callId);
    return phoneApi(endpoints).act(callId, 'end');
  }

  return {
    state,
    incoming: computed(() => state.value.incoming),
    outgoing: computed(() => state.value.outgoing),
    unseenMissed: computed(() => state.value.unseenMissed),
    attach,
    detach,
    on: <K extends keyof PhoneBus>(event: K, fn: PhoneBus[K]) => bus.on(event, fn),
    place: (callee: { id: string }, media: CallMedia) => need().place(callee, media),
    callBack: (call: Call, media?: CallMedia) => need().callBack(call, media),
    accept: (media: CallMedia) => need().accept(media),
    reject: () => need().reject(),
    cancel: () => need().cancel(),
    track: (call: Call) => phone?.track(call),
    dismissOutgoing: () => phone?.dismissOutgoing(),
    dismissNote: () => phone?.dismissNote(),
    markSeen: (ids: readonly string[]) => phone?.markSeen(ids) ?? Promise.resolve(),
    sync: () => phone?.sync() ?? Promise.resolve(),
    hangUp,
  };
});
