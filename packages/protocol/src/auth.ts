import { z } from 'zod';

export const Role = z.enum(['member', 'provider', 'admin']);
export type Role = z.infer<typeof Role>;

export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'Enter a valid email address' }));

/**
 * At least 10 characters with a letter and a digit or symbol: length matters most
 * (NIST 800-63B); the second rule only stops "aaaaaaaaaa"-style passwords.
 */
export const Password = z
  .string()
  .min(10, { message: 'Use at least 10 characters' })
  .max(200, { message: 'Use at most 200 characters' })
  .refine((p) => /\p{L}/u.test(p) && /[^\p{L}]/u.test(p), {
    message: 'Mix letters with digits or symbols',
  });

export const DisplayName = z
  .string()
  .trim()
  .min(1, { message: 'Enter a name' })
  .max(64, { message: 'Use at most 64 characters' })
  // Control characters would let a name forge lines in chat or logs.
  .refine((s) => !/\p{Cc}/u.test(s), { message: 'Control characters are not allowed' });

export const RegisterBody = z
  .object({
    email: Email,
    password: Password,
    displayName: DisplayName,
    inviteToken: z.string().min(1).max(2048).optional().meta({
      description:
        'A room invite’s code (`xxxxx-xxxxx`, the last part of an invite link `/i/<code>`; the field keeps its old name); needed while registration is `invite-only`. Registering uses up one use of the invite and admits the new account to its room — or, in a room with host approval and an invite that does not skip the lobby, puts it in the lobby.',
    }),
  })
  .meta({ id: 'RegisterBody' });
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z
  .object({ email: Email, password: z.string().min(1).max(200) })
  .meta({ id: 'LoginBody' });
export type LoginBody = z.infer<typeof LoginBody>;

export const RefreshBody = z
  .object({ refreshToken: z.string().min(1).max(200) })
  .meta({ id: 'RefreshBody' });
export type RefreshBody = z.infer<typeof RefreshBody>;

export const GuestBody = z.object({ displayName: DisplayName }).meta({ id: 'GuestBody' });
export type GuestBody = z.infer<typeof GuestBody>;

export const User = z
  .object({
    id: z.uuid(),
    email: z.string().nullable().meta({ description: 'null for guests' }),
    displayName: z.string(),
    role: Role,
    isGuest: z.boolean(),
    createdAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const Tokens = z
  .object({
    accessToken: z.string().meta({ description: 'JWT, send as `Authorization: Bearer …`' }),
    accessTokenExpiresAt: z.iso.datetime(),
    refreshToken: z.string().meta({ description: 'Opaque; single use, rotated on refresh' }),
    refreshTokenExpiresAt: z.iso.datetime(),
  })
  .meta({ id: 'Tokens' });
export type Tokens = z.infer<typeof Tokens>;

export const AuthResponse = z.object({ user: User, tokens: Tokens }).meta({ id: 'AuthResponse' });
export type AuthResponse = z.infer<typeof AuthResponse>;

export const MeResponse = z.object({ user: User }).meta({ id: 'MeResponse' });
export type MeResponse = z.infer<typeof MeResponse>;
