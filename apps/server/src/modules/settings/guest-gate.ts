import type { AuditLog } from '../../platform/audit.js';
import { clientKey } from '../../platform/client-key.js';
import { AccessErrors } from '../../platform/errors.js';
import type { AttemptLimiter } from '../../platform/live/index.js';
import { takeHourlyQuota } from '../../platform/quota.js';
import type { CallerContext } from '../../platform/request-context.js';
import type { SettingsReader } from '../../platform/settings.js';

/** Says whether a new guest account may be made for this caller; throws if not. */
export type GuestGate = (caller: CallerContext) => Promise<void>;

/**
 * The one rule for every way a guest account comes to be (`POST /auth/guest`, accepting an
 * invite without an account): guest access must be on (403 GUESTS_DISABLED), and the
 * caller's IP (its clientKey: IPv6 counts by /64) must have guest accounts left this hour (429 QUOTA_EXCEEDED). Both are read
 * from the live settings at each call; the count lives in the live state, so every process
 * shares it. Guests who already have a session keep it.
 */
export function createGuestGate(deps: {
  settings: SettingsReader;
  /** Guest accounts per IP in a fixed hour (the live state's `quota-guests-ip`). */
  limiter: AttemptLimiter;
  audit: AuditLog;
}): GuestGate {
  return async (caller) => {
    const s = deps.settings.get();
    if (!s.guestAccess) throw AccessErrors.guestsDisabled();
    await takeHourlyQuota({
      limiter: deps.limiter,
      key: clientKey(caller.ip),
      quota: 'guestsPerIpPerHour',
      limit: s.quotas.guestsPerIpPerHour,
      audit: deps.audit,
      actorId: null,
      origin: caller,
    });
  };
}
