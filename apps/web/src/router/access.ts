import { watch } from 'vue';
import type { Router } from 'vue-router';
import type { useAuthStore } from '../stores/auth';
import { notFoundAt } from './index';

/**
 * Keeps the page shown in step with who is signed in, after the guard let it open:
 * - signed out elsewhere (another tab, an expired session) on a members-only page: log in;
 * - no longer an admin (demoted, disabled, signed out) on an admin page: the not-found page
 *   any non-admin gets at that address, so nothing of the admin page stays on screen.
 * Returns the function that stops watching.
 */
export function watchAccess(router: Router, auth: ReturnType<typeof useAuthStore>): () => void {
  const route = router.currentRoute;
  const stops = [
    watch(
      () => auth.isMember,
      (isMember) => {
        if (!isMember && route.value.meta.requiresMember) {
          void router.replace({ name: 'login', query: { redirect: route.value.fullPath } });
        }
      },
    ),
    watch(
      () => auth.isAdmin,
      (isAdmin) => {
        if (!isAdmin && route.value.meta.requiresAdmin)
          void router.replace(notFoundAt(route.value));
      },
    ),
  ];
  return () => stops.forEach((stop) => stop());
}
