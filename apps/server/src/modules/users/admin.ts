import type { Role } from '@parley/protocol';
import { hashPassword } from '../../platform/auth/password.js';
import type { UserRecord, UsersRepo } from './repo.js';
import { normalizeEmail } from './service.js';

export type EnsureAdminResult = 'created' | 'promoted' | 'exists';

/**
 * Creates an account with a password (auth's `createAccount`: hashing, EMAIL_TAKEN).
 * The composition root passes it in, so the users module never depends on auth.
 */
export type CreateAccount = (input: {
  email: string;
  password: string;
  displayName: string;
  role: Role;
}) => Promise<UserRecord>;

/**
 * Makes sure an admin with this email exists. Used by `ADMIN_EMAIL`/`ADMIN_PASSWORD`
 * at start-up (which never overwrites an existing account's password) and by
 * `npm run admin:create` (which does, as the operator's recovery path).
 */
export async function ensureAdmin(
  deps: { users: UsersRepo; createAccount: CreateAccount; scryptCost: number },
  input: { email: string; password: string; displayName?: string; resetPassword: boolean },
): Promise<EnsureAdminResult> {
  const existing = await deps.users.findByEmail(normalizeEmail(input.email));
  if (!existing) {
    await deps.createAccount({
      email: input.email,
      password: input.password,
      displayName: input.displayName ?? 'Administrator',
      role: 'admin',
    });
    return 'created';
  }
  if (input.resetPassword) {
    await deps.users.setPassword(existing.id, await hashPassword(input.password, deps.scryptCost));
    // The operator's recovery path also lifts a disable: two admins who disabled each
    // other must not lock everyone out for good.
    if (existing.disabledAt) await deps.users.update(existing.id, { disabledAt: null });
  }
  if (existing.role !== 'admin') {
    await deps.users.setRole(existing.id, 'admin');
    return 'promoted';
  }
  return 'exists';
}
