import { useI18n } from 'vue-i18n';
import { useRouter } from 'vue-router';
import { endpoints } from '../api';
import { instantRoomBody } from '../lib/instant-meeting';
import { useAuthStore } from '../stores/auth';
import { useSubmission } from './useSubmission';

/**
 * "Start an instant meeting": creates an instant room (it closes once left empty) and goes
 * to its pre-join page, where the host checks camera and mic and joins with one click.
 */
export function useInstantMeeting() {
  const { t } = useI18n();
  const router = useRouter();
  const auth = useAuthStore();
  const { saving: busy, failure, run } = useSubmission();

  function start(): Promise<void> {
    if (busy.value) return Promise.resolve();
    return run(async () => {
      const body = instantRoomBody(auth.user?.displayName ?? '', (name) =>
        name ? t('rooms.instant.roomName', { name }) : t('rooms.instant.roomNameAnonymous'),
      );
      const { room } = await endpoints.rooms.create(body);
      await router.push({ name: 'prejoin', params: { code: room.code } });
    });
  }

  return { busy, failure, start };
}
