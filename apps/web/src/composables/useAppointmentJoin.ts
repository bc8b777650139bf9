import { ref, shallowRef } from 'vue';
import { useRouter } from 'vue-router';
import { endpoints } from '../api';
import { useCallPrefsStore } from '../stores/callPrefs';

/**
 * Entering an appointment's call: its room (the same one every time), the room join as for
 * any room (the server checks the window again), then the call page with `?appointment=`.
 */
export function useAppointmentJoin() {
  const router = useRouter();
  const prefs = useCallPrefsStore();
  const joining = ref(false);
  const error = shallowRef<unknown>(null);

  async function join(appointmentId: string): Promise<boolean> {
    if (joining.value) return false;
    joining.value = true;
    error.value = null;
    try {
      const { room } = await endpoints.appointments.room(appointmentId);
      const res = await endpoints.rooms.join(room.id);
      prefs.setJoined(res);
      await router.push({
        name: 'call',
        params: { code: room.code },
        query: { appointment: appointmentId },
      });
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      joining.value = false;
    }
  }

  return { joining, error, join };
}
