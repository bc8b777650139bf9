import { randomUUID } from 'node:crypto';
import type { AuthResponse, Role, Tokens, User } from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import { isUniqueViolation } from '../../platform/db/database.js';
import { AuthErrors, Errors } from '../../platform/errors.js';
import type { AttemptLimiter } from '../../platform/throttle.js';
import { hashOpaqueToken, newOpaqueToken } from '../../platform/auth/tokens.js';
import type { TokenService } from '../../platform/auth/tokens.js';
import type { UsersRepo, UserRecord } from '../users/repo.js';
import { publicUser } from '../users/repo.js';
import { hashPassword, verifyPassword } from './password.js';
import type { RefreshTokensRepo } from './refresh-repo.js';

export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;

export type AuthServiceDeps = {
  users: UsersRepo;
  refreshTokens: RefreshTokensRepo;
  tokens: TokenService;
  clock: Clock;
  scryptCost: number;
  accountLimiter: AttemptLimiter;
  ipLimiter: AttemptLimiter;
};

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export function createAuthService(deps: AuthServiceDeps) {
  const { users, refreshTokens, tokens, clock } = deps;
  // Verified against when the email is unknown, so both failures cost one scrypt.
  const dummyHash = hashPassword('parley-dummy-password', deps.scryptCost);

  async function issueTokens(userId: string, familyId: string): Promise<Tokens> {
    const now = clock.now();
    const access = await tokens.signAccess(userId, now);
    const refreshToken = newOpaqueToken();
    const refreshExpires = new Date(now.getTime() + REFRESH_TOKEN_TTL_MS);
    await refreshTokens.insert({
      id: randomUUID(),
      user_id: userId,
      family_id: familyId,
      token_hash: hashOpaqueToken(refreshToken),
      created_at: now.toISOString(),
      expires_at: refreshExpires.toISOString(),
    });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt.toISOString(),
      refreshToken,
      refreshTokenExpiresAt: refreshExpires.toISOString(),
    };
  }

  async function startSession(user: UserRecord): Promise<AuthResponse> {
    return { user: publicUser(user), tokens: await issueTokens(user.id, randomUUID()) };
  }

  return {
    async register(input: { email: string; password: string; displayName: string; role?: Role }) {
      const user = await createAccount(input);
      return startSession(user);
    },

    /** Creates an account without a session (used by `admin:create`). */
    createAccount,

    /** Signs in a user another module created (a guest accepting an invite). */
    startSession,

    async guest(displayName: string): Promise<AuthResponse> {
      const user = await users.insert({
        id: randomUUID(),
        email: null,
        passwordHash: null,
        displayName,
        role: 'member',
        isGuest: true,
        createdAt: clock.now().toISOString(),
      });
      return startSession(user);
    },

    async login(input: { email: string; password: string }, ip: string): Promise<AuthResponse> {
      const email = normalizeEmail(input.email);
      const accountKey = `acct:${email}`;
      const ipKey = `ip:${ip}`;
      const wait = Math.max(
        deps.accountLimiter.blockedFor(accountKey),
        deps.ipLimiter.blockedFor(ipKey),
      );
      if (wait > 0) throw Errors.tooManyAttempts(wait);

      const user = await users.findByEmail(email);
      const ok = user?.passwordHash
        ? await verifyPassword(input.password, user.passwordHash)
        : (await verifyPassword(input.password, await dummyHash), false);
      if (!user || !ok) {
        deps.accountLimiter.fail(accountKey);
        deps.ipLimiter.fail(ipKey);
        throw AuthErrors.invalidCredentials();
      }
      if (user.disabledAt) throw AuthErrors.accountDisabled();
      deps.accountLimiter.reset(accountKey);
      await users.touchLastSeen(user.id, clock.now().toISOString());
      return startSession(user);
    },

    /**
     * Exchanges a refresh token for a new pair. A token that was already exchanged
     * (or revoked) means it leaked or raced: the whole family is revoked so both the
     * thief and the owner must sign in again.
     */
    async refresh(refreshToken: string): Promise<AuthResponse> {
      const now = clock.now().toISOString();
      const row = await refreshTokens.findByHash(hashOpaqueToken(refreshToken));
      if (!row) throw AuthErrors.invalidRefreshToken();
      if (row.used_at || row.revoked_at) {
        await refreshTokens.revokeFamily(row.family_id, now);
        throw AuthErrors.refreshTokenReused();
      }
      if (row.expires_at <= now) throw AuthErrors.invalidRefreshToken();
      if (!(await refreshTokens.markUsed(row.id, now))) {
        await refreshTokens.revokeFamily(row.family_id, now);
        throw AuthErrors.refreshTokenReused();
      }
      const user = await users.findById(row.user_id);
      if (!user) throw AuthErrors.invalidRefreshToken();
      if (user.disabledAt) throw AuthErrors.accountDisabled();
      await users.touchLastSeen(user.id, now);
      return { user: publicUser(user), tokens: await issueTokens(user.id, row.family_id) };
    },

    /** Revokes the token. Unknown or already revoked tokens are not an error (idempotent). */
    async logout(refreshToken: string): Promise<void> {
      const row = await refreshTokens.findByHash(hashOpaqueToken(refreshToken));
      if (row) await refreshTokens.revoke(row.id, clock.now().toISOString());
    },

    /** Resolves the user of a verified access token; refuses deleted or disabled users. */
    async userForAccessToken(token: string): Promise<User> {
      const claims = await tokens.verifyAccess(token, clock.now());
      const user = await users.findById(claims.userId);
      if (!user) throw Errors.invalidToken();
      if (user.disabledAt) throw AuthErrors.accountDisabled();
      return publicUser(user);
    },
  };

  async function createAccount(input: {
    email: string;
    password: string;
    displayName: string;
    role?: Role;
  }): Promise<UserRecord> {
    const passwordHash = await hashPassword(input.password, deps.scryptCost);
    try {
      return await users.insert({
        id: randomUUID(),
        email: normalizeEmail(input.email),
        passwordHash,
        displayName: input.displayName,
        role: input.role ?? 'member',
        isGuest: false,
        createdAt: clock.now().toISOString(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw AuthErrors.emailTaken();
      throw err;
    }
  }
}
export type AuthService = ReturnType<typeof createAuthService>;
