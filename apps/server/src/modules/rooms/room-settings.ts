import { ROOM_LIMITS } from '@parley/protocol';
import type { SystemSettings, User } from '@parley/protocol';
import type { AuditLog } from '../../platform/audit.js';
import { Errors } from '../../platform/errors.js';
import type { AttemptLimiter } from '../../platform/live/index.js';
import { quotaExceeded, refuseQuota, takeHourlyQuota } from '../../platform/quota.js';
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
const exempt = (user: User) => user.role === 'admin' && !user.isGuest;

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
     * Before a new room: open rooms within the quota (a first look, without a lock), then
     * one use of the hourly quota. Returns the open-rooms limit the creating transaction
     * checks again under a lock, or undefined when no quota applies.
     */
    async beforeCreate(user: User): Promise<number | undefined> {
      const quotas = deps.settings?.get().quotas;
      if (!quotas || exempt(user)) return undefined;
      const open = quotas.openRoomsPerUser;
      if ((await deps.repo.openHostedCount(deps.db, user.id)) >= open) await refuseOpen(user, open);
      if (deps.createdLimiter) {
        await takeHourlyQuota({
          limiter: deps.createdLimiter,
          key: user.id,
          quota: 'roomsCreatedPerHour',
          limit: quotas.roomsCreatedPerHour,
          audit: deps.audit,
          actorId: user.id,
        });
      }
      return open;
    },

    /** Inside the creating transaction: true when the host already has `limit` open rooms. */
    async openRoomsFull(trx: Trx, user: User, limit: number | undefined): Promise<boolean> {
      if (limit === undefined) return false;
      return (await deps.repo.openHostedCount(trx, user.id, { lock: true })) >= limit;
    },

    refuseOpen,
  };

  function refuseOpen(user: User, limit: number): Promise<never> {
    return refuseQuota(deps.audit, user.id, quotaExceeded('openRoomsPerUser', limit));
  }
}
