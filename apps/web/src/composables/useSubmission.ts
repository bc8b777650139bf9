import { ref, shallowRef } from 'vue';

/** A form's request in flight and its last failure, for FormDialog. */
export function useSubmission() {
  const saving = ref(false);
  const failure = shallowRef<unknown>(null);
  return {
    saving,
    failure,
    /** Runs `work`; a throw becomes `failure` (shown by the dialog), never unhandled. */
    run: async (work: () => Promise<void>): Promise<void> => {
      saving.value = true;
      failure.value = null;
      try {
        await work();
      } catch (err) {
        failure.value = err;
      } finally {
        saving.value = false;
      }
    },
  };
}
