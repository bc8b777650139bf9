import { z } from 'zod';
import { Role, User } from './auth.js';

/** `:id` of an account in the admin routes. */
export const AdminUserIdParam = z.object({ id: z.uuid() });
export type AdminUserIdParam = z.infer<typeof AdminUserIdParam>;

/**
 * `PATCH /api/admin/users/:id`: change an account's role or switch it off. Strict: an
 * unknown field (a typo such as `disable`) is a 400, never a silent no-op.
 */
export const AdminUpdateUserBody = z
  .strictObject({
    role: Role.optional(),
    disabled: z.boolean().optional().meta({
      description:
        'true signs the account out everywhere and refuses its sign-ins; false lets it sign in again',
    }),
  })
  .refine((b) => b.role !== undefined || b.disabled !== undefined, {
    message: 'Change at least one field',
  })
  .meta({ id: 'AdminUpdateUserBody' });
export type AdminUpdateUserBody = z.infer<typeof AdminUpdateUserBody>;

/** A user as admins see it: the public fields and whether the account is disabled. */
export const AdminUser = User.extend({ disabled: z.boolean() }).meta({ id: 'AdminUser' });
export type AdminUser = z.infer<typeof AdminUser>;
