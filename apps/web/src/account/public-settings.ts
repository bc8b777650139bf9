import type { PublicSettings, RegistrationMode } from '@parley/protocol';
import { onMounted, shallowRef } from 'vue';
import type { Ref } from 'vue';
import type { LocationQuery } from 'vue-router';
import { endpoints } from '../api';

/** What the register page shows: the form, "closed", or "ask for an invite link". */
export type RegisterGate = 'form' | 'closed' | 'invite-needed';

/**
 * Unknown settings (still loading, or the server could not say) show the form: the server
 * decides anyway and answers REGISTRATION_CLOSED or INVITE_REQUIRED.
 */
export function registerGate(
  mode: RegistrationMode | undefined,
  inviteToken: string | null,
): RegisterGate {
  if (mode === 'closed') return 'closed';
  if (mode === 'invite-only' && !inviteToken) return 'invite-needed';
  return 'form';
}

const INVITE_PATH = /^\/(?:i|invite)\/([^/?#]+)/;

/**
 * The invite a visitor came from: `?invite=<code>`, or the invite page they were on before
 * (`?redirect=/i/<code>`, which the invite page's "log in" link and the login page's
 * "register" link carry along).
 */
export function inviteTokenFrom(query: LocationQuery): string | null {
  if (typeof query.invite === 'string' && query.invite) return query.invite;
  const redirect = typeof query.redirect === 'string' ? query.redirect : '';
  const m = INVITE_PATH.exec(redirect);
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}

/** Which doors are open on this server, asked when the page mounts; null until known. */
export function usePublicSettings(): Ref<PublicSettings | null> {
  const settings = shallowRef<PublicSettings | null>(null);
  onMounted(async () => {
    try {
      settings.value = await endpoints.settings.public();
    } catch {
      // Not known: the pages behave as if open, and the server refuses what is not.
    }
  });
  return settings;
}
