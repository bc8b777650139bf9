import type { Call, CallMedia } from '@parley/protocol';
import { ref, shallowRef } from 'vue';
import { useRouter } from 'vue-router';
import { usePhoneStore } from '../stores/phone';

/**
 * Places a call from a page (contacts, history, the end screens) and opens the "Calling…"
 * screen; a refusal (blocked, already in a call…) stays on the page as `error`.
 */
export function usePlaceCall() {
  const phone = usePhoneStore();
  const router = useRouter();
  /** The id of the person being called while the request is on its way. */
  const placing = ref<string | null>(null);
  const error = shallowRef<unknown>(null);

  async function run(personId: string, start: () => Promise<Call>, replace = false) {
    if (placing.value) return;
    placing.value = personId;
    error.value = null;
    try {
      const call = await start();
      const to = { name: 'outgoing-call', params: { id: call.id } } as const;
      await (replace ? router.replace(to) : router.push(to));
    } catch (err) {
      error.value = err;
    } finally {
      placing.value = null;
    }
  }

  return {
    placing,
    error,
    call: (person: { id: string }, media: CallMedia) =>
      run(person.id, () => phone.place(person, media)),
    /** Calls the other party of `call` again; `replace` swaps the current screen. */
    callBack: (call: Call, me: string, media?: CallMedia, replace = false) =>
      run(
        call.caller.id === me ? call.callee.id : call.caller.id,
        () => phone.callBack(call, media),
        replace,
      ),
  };
}
