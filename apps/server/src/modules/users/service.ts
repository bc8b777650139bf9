import type { AdminCreateUserBody, AdminUpdateUserBody, AdminUser, User } from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/database.js';
import { isAdmin } from '../../platform/auth/hook.js';
import { Errors } from '../../platform/errors.js';
import type { Bus } from '../../platform/live/index.js';
import type { CreateAccount } from './admin.js';
import { UserErrors } from './errors.js';
import { createUsersRepo, publicUser } from './repo.js';
import type { UserRecord, UsersRepo } from './repo.js';
import type { AuditLog } from '../../platform/audit.js';
import { noAudit } from '../../platform/audit.js';
import type { RequestContext } from '../../platform/request-context.js';

/** Emails are stored lower-cased and trimmed; every lookup goes through this. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/**
 * Creates a guest: a user with a display name and nothing else. `db` may be a
 * transaction (accepting an invite creates the guest and admits them atomically).
 */
export function createGuest(db: Db, displayName: string, at: string): Promise<UserRecord> {
  return createUsersRepo(db).insertGuest(displayName, at);
}

/** A user as admins see it: public fields and whether the account is disabled. */
export function adminUser(u: UserRecord): AdminUser {
  return { ...publicUser(u), disabled: u.disabledAt !== null };
}

export type UsersServiceDeps = {
  /** Role changes, disables and enables are audited. */
  audit?: AuditLog;
  users: UsersRepo;
  bus: Bus;
  clock: Clock;
  /**
   * Ends every sign-in session of a user (auth owns refresh tokens). Passed in so users
   * never imports auth: auth depends on users, not the reverse.
   */
  revokeSessions(userId: string): Promise<void>;
  /** Auth's `createAccount` (hashing, EMAIL_TAKEN), passed in for the same reason. */
  createAccount: CreateAccount;
};

export function createUsersService(deps: UsersServiceDeps) {
  const { users, bus, clock } = deps;
  const audit = deps.audit ?? noAudit;

  return {
    /**
     * Makes an account with a password (admins only), whatever the registration mode: a
     * closed registration tells visitors to ask an administrator. Audited as `user.created`.
     */
    async adminCreate(
      actor: User,
      body: AdminCreateUserBody,
      origin: RequestContext,
    ): Promise<AdminUser> {
      if (!isAdmin(actor)) throw Errors.forbidden();
      const created = await deps.createAccount(body);
      await audit.record({
        type: 'user.created',
        actorId: actor.id,
        origin,
        targetType: 'user',
        targetId: created.id,
        details: { role: created.role },
      });
      return adminUser(created);
    },

    /**
     * Changes another account's role or switches it off (admins only). Disabling ends
     * every session of the account and tells every process (`user.disabled`), so its
     * sockets close; a role change tells them the new view (`user.updated`). Events go
     * out after the database has the change.
     */
    async adminUpdate(
      actor: User,
      id: string,
      patch: AdminUpdateUserBody,
      origin: RequestContext,
    ): Promise<AdminUser> {
      if (!isAdmin(actor)) throw Errors.forbidden();
      const target = await users.findById(id);
      if (!target) throw UserErrors.notFound();
      const demotesSelf = patch.role !== undefined && patch.role !== 'admin';
      if (target.id === actor.id && (patch.disabled === true || demotesSelf)) {
        throw UserErrors.cannotChangeSelf();
      }
      const roleChanged = patch.role !== undefined && patch.role !== target.role;
      if (roleChanged && target.isGuest) throw UserErrors.guestRole();

      const now = clock.now().toISOString();
      await users.update(id, {
        ...(roleChanged ? { role: patch.role } : {}),
        // Disabling twice keeps the first date; enabling clears it.
        ...(patch.disabled === true && !target.disabledAt ? { disabledAt: now } : {}),
        ...(patch.disabled === false ? { disabledAt: null } : {}),
      });
      // After the flag: a session that races this is refused by the flag anyway.
      // Repeated on a second disable, in case the first one stopped half-way.
      if (patch.disabled === true) await deps.revokeSessions(id);

      const updated = await users.findById(id);
      if (!updated) throw UserErrors.notFound();
      if (patch.disabled === true) await bus.emit({ type: 'user.disabled', userId: id });
      if (roleChanged) await bus.emit({ type: 'user.updated', user: publicUser(updated) });
      // Only real changes: disabling a disabled account or setting the same role is no event.
      const entry = { actorId: actor.id, origin, targetType: 'user', targetId: id } as const;
      if (roleChanged) {
        await audit.record({
          ...entry,
          type: 'user.role_changed',
          details: { from: target.role, to: updated.role },
        });
      }
      if (patch.disabled === true && !target.disabledAt) {
        await audit.record({ ...entry, type: 'user.disabled' });
      }
      if (patch.disabled === false && target.disabledAt) {
        await audit.record({ ...entry, type: 'user.enabled' });
      }
      return adminUser(updated);
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
