import { ROOM_LIMITS } from '@parley/protocol';
import type { SystemSettings, User } from '@parley/protocol';
import type { AuditLog } from '../../platform/audit.js';
import { isAdmin } from '../../platform/auth/hook.js';
import type { AppError } from '../../platform/errors.js';
import { Errors } from '../../platform/errors.js';
import type { AttemptLimiter } from '../../platform/live/index.js';
import { countHourlyQuota, quotaExceeded, refuseQuota } from '../../platform/quota.js';
import type { RequestContext } from '../../platform/request-context.js';
import type { SettingsReader } from '../../platform/settings.js';
import type { RoomsRepo, Trx } from './repo.js';

// What the live system settings decide about meeting rooms: sizes, the chat default, the
// empty-room lifetime and the room quotas. Read at each use, so an admin's change applies
// to the next request on every process.

export type RoomSettings = SystemSettings['rooms'];

/** Without live settings (services built directly in unit tests): the protocol's limits. */
export function roomSettings(settings: SettingsReader | undefined, emptyTimeoutMs: number) {
  return (
    settings?.get().rooms ?? {
      defaultMaxParticipants: ROOM_LIMITS.defaultMaxParticipants,
      maxParticipantsLimit: ROOM_LIMITS.maxParticipants,
      emptyRoomMinutes: emptyTimeoutMs / 60_000,
      chatEnabledByDefault: true,
    }
  );
}

/** A size someone chose must fit the server's limit (400 VALIDATION_FAILED otherwise). */
export function requireSizeWithin(chosen: number | undefined, rooms: RoomSettings): void {
  if (chosen !== undefined && chosen > rooms.maxParticipantsLimit) {
    throw Errors.validation({
      maxParticipants: [`At most ${rooms.maxParticipantsLimit} people per room on this server`],
    });
  }
}

/** Room quotas hold for members and providers; admins are exempt. */
const exempt = isAdmin;

export function createRoomQuotas(deps: {
  settings: SettingsReader | undefined;
  /** Rooms created per user in a fixed hour, shared by every process. */
  createdLimiter: AttemptLimiter | undefined;
  repo: RoomsRepo;
  db: Parameters<RoomsRepo['openHostedCount']>[0];
  audit: AuditLog;
}) {
  return {
    /**
     * Before a new room (after its body was validated): open rooms within the quota, a
     * first look without a lock. Returns the quotas the creating transaction applies
     * (`inCreation`), or undefined when none does.
     */
    async beforeCreate(user: User, origin: RequestContext): Promise<RoomQuotas | undefined> {
      const quotas = deps.settings?.get().quotas;
      if (!quotas || exempt(user)) return undefined;
      const open = quotas.openRoomsPerUser;
      if ((await deps.repo.openHostedCount(deps.db, user.id)) >= open) {
        await refuse(user, origin, quotaExceeded('openRoomsPerUser', open));
      }
      return { open, perHour: quotas.roomsCreatedPerHour };
    },

    /**
     * Inside the creating transaction, the last step before the insert: open rooms again
     * under a lock (parallel creations must not all pass the first look), then one use of
     * the hourly quota, so only a creation every other check let through spends one.
     * Answers the refusal to throw once the transaction is over (`refuse`: its audit
     * entry is written outside it), or undefined.
     */
    async inCreation(
      trx: Trx,
      user: User,
      quotas: RoomQuotas | undefined,
    ): Promise<AppError | undefined> {
      if (!quotas) return undefined;
      if ((await deps.repo.openHostedCount(trx, user.id, { lock: true })) >= quotas.open) {
        return quotaExceeded('openRoomsPerUser', quotas.open);
      }
      if (!deps.createdLimiter || quotas.perHour === undefined) return undefined;
      return countHourlyQuota(deps.createdLimiter, user.id, 'roomsCreatedPerHour', quotas.perHour);
    },

    refuse,
  };

  /** Records the refusal in the audit log and throws it. */
  function refuse(user: User, origin: RequestContext, err: AppError): Promise<never> {
    return refuseQuota(deps.audit, user.id, origin, err);
  }
}

/**
 * The room quotas one creation is held to (from the live settings at its start);
 * `perHour` undefined: this attempt's use of the hour was already counted.
 */
export type RoomQuotas = { open: number; perHour: number | undefined };
