import type { AuthService } from '../auth/service.js';
import { normalizeEmail } from '../auth/service.js';
import type { UsersRepo } from './repo.js';
import { hashPassword } from '../auth/password.js';

export type EnsureAdminResult = 'created' | 'promoted' | 'exists';

/**
 * Makes sure an admin with this email exists. Used by `ADMIN_EMAIL`/`ADMIN_PASSWORD`
 * at start-up (which never overwrites an existing account's password) and by
 * `npm run admin:create` (which does, as the operator's recovery path).
 */
export async function ensureAdmin(
  deps: { auth: AuthService; users: UsersRepo; scryptCost: number },
  input: { email: string; password: string; displayName?: string; resetPassword: boolean },
): Promise<EnsureAdminResult> {
  const existing = await deps.users.findByEmail(normalizeEmail(input.email));
  if (!existing) {
    await deps.auth.createAccount({
      email: input.email,
      password: input.password,
      displayName: input.displayName ?? 'Administrator',
      role: 'admin',
    });
    return 'created';
  }
  if (input.resetPassword) {
    await deps.users.setPassword(existing.id, await hashPassword(input.password, deps.scryptCost));
  }
  if (existing.role !== 'admin') {
    await deps.users.setRole(existing.id, 'admin');
    return 'promoted';
  }
  return 'exists';
}
