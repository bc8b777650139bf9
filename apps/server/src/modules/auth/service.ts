import { randomUUID } from 'node:crypto';
import type { AuthResponse, Role, Tokens, User } from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import { isUniqueViolation } from '../../platform/db/database.js';
import { AuthErrors, Errors } from '../../platform/errors.js';
import type { AttemptLimiter, Bus } from '../../platform/live/index.js';
import { hashOpaqueToken, newOpaqueToken } from '../../platform/auth/tokens.js';
import type { TokenService } from '../../platform/auth/tokens.js';
import type { UsersRepo, UserRecord } from '../users/index.js';
import { normalizeEmail, publicUser } from '../users/index.js';
import { hashPassword, verifyPassword } from '../../platform/auth/password.js';
import type { RefreshTokensRepo } from './refresh-repo.js';
import type { AuditLog } from '../../platform/audit.js';
import type { SettingsReader } from '../../platform/settings.js';

export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;

export type AuthServiceDeps = {
  /** Sign-ins, failures, registrations, refresh-token reuse. */
  audit?: AuditLog;
  /** Registration mode and guest access (live settings). */
  settings?: SettingsReader;
  users: UsersRepo;
  refreshTokens: RefreshTokensRepo;
  tokens: TokenService;
  clock: Clock;
  scryptCost: number;
  accountLimiter: AttemptLimiter;
  ipLimiter: AttemptLimiter;
  /** Ended sessions are announced (`session.revoked`) so their sockets close. */
  bus: Bus;
};

/** A verified access token: its user and its sign-in session (refresh-token family). */
export type AccessSession = { user: User; sessionId: string; expiresAt: Date };

export function createAuthService(deps: AuthServiceDeps) {
  const { users, refreshTokens, tokens, clock, bus } = deps;
  // Verified against when the email is unknown, so both failures cost one scrypt.
  const dummyHash = hashPassword('parley-dummy-password', deps.scryptCost);

  async function issueTokens(userId: string, familyId: string): Promise<Tokens> {
    const now = clock.now();
    // The family id is the session id: every access token names the session it belongs to.
    const access = await tokens.signAccess(userId, familyId, now);
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
      const user = await users.insertGuest(displayName, clock.now().toISOString());
      return startSession(user);
    },

    async login(input: { email: string; password: string }, ip: string): Promise<AuthResponse> {
      const email = normalizeEmail(input.email);
      const accountKey = `acct:${email}`;
      const ipKey = `ip:${ip}`;
      const wait = Math.max(
        ...(await Promise.all([
          deps.accountLimiter.blockedFor(accountKey),
          deps.ipLimiter.blockedFor(ipKey),
        ])),
      );
      if (wait > 0) throw Errors.tooManyAttempts(wait);

      const user = await users.findByEmail(email);
      const ok = user?.passwordHash
        ? await verifyPassword(input.password, user.passwordHash)
        : (await verifyPassword(input.password, await dummyHash), false);
      if (!user || !ok) {
        await Promise.all([deps.accountLimiter.fail(accountKey), deps.ipLimiter.fail(ipKey)]);
        throw AuthErrors.invalidCredentials();
      }
      if (user.disabledAt) throw AuthErrors.accountDisabled();
      await deps.accountLimiter.reset(accountKey);
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
        await revokeForReuse(row.family_id, row.user_id, now);
        throw AuthErrors.refreshTokenReused();
      }
      if (row.expires_at <= now) throw AuthErrors.invalidRefreshToken();
      if (!(await refreshTokens.markUsed(row.id, now))) {
        await revokeForReuse(row.family_id, row.user_id, now);
        throw AuthErrors.refreshTokenReused();
      }
      // A logout that raced this refresh may have revoked the family after we read the row.
      if (!(await refreshTokens.isSessionActive(row.family_id, row.user_id))) {
        throw AuthErrors.sessionRevoked();
      }
      const user = await users.findById(row.user_id);
      if (!user) throw AuthErrors.invalidRefreshToken();
      if (user.disabledAt) throw AuthErrors.accountDisabled();
      await users.touchLastSeen(user.id, now);
      return { user: publicUser(user), tokens: await issueTokens(user.id, row.family_id) };
    },

    /**
     * Ends the sign-in session the token belongs to: its whole family is revoked, so the
     * session's access tokens stop working too and its sockets close (`session.revoked`).
     * Unknown or already revoked tokens are not an error (idempotent); the event is sent
     * again, which is harmless and covers a first attempt that failed after the commit.
     */
    async logout(refreshToken: string): Promise<void> {
      const row = await refreshTokens.findByHash(hashOpaqueToken(refreshToken));
      if (!row) return;
      await refreshTokens.revokeFamily(row.family_id, clock.now().toISOString());
      await bus.emit({
        type: 'session.revoked',
        userId: row.user_id,
        sessionId: row.family_id,
        reason: 'logout',
      });
    },

    /** Ends every session of a user (the account was disabled). The caller announces it. */
    async revokeAllSessions(userId: string): Promise<void> {
      await refreshTokens.revokeAllForUser(userId, clock.now().toISOString());
    },

    /** HTTP: the user of a verified access token of a live session. */
    async userForAccessToken(token: string): Promise<User> {
      return (await sessionForAccessToken(token)).user;
    },

    /** The socket: at `hello` and on `auth.refresh`, it keeps the session id to match `session.revoked`. */
    sessionForAccessToken,
  };

  /**
   * Verifies an access token and its session: refuses deleted users, disabled accounts
   * (403 ACCOUNT_DISABLED) and tokens whose session was revoked by a logout, a reused
   * refresh token or disabling the account (401 SESSION_REVOKED). Two indexed lookups.
   */
  async function sessionForAccessToken(token: string): Promise<AccessSession> {
    const claims = await tokens.verifyAccess(token, clock.now());
    const [user, active] = await Promise.all([
      users.findById(claims.userId),
      refreshTokens.isSessionActive(claims.sessionId, claims.userId),
    ]);
    if (!user) throw Errors.invalidToken();
    if (user.disabledAt) throw AuthErrors.accountDisabled();
    if (!active) throw AuthErrors.sessionRevoked();
    return { user: publicUser(user), sessionId: claims.sessionId, expiresAt: claims.expiresAt };
  }

  /** A reused refresh token ends its session; announced after the revocation is stored. */
  async function revokeForReuse(familyId: string, userId: string, now: string): Promise<void> {
    await refreshTokens.revokeFamily(familyId, now);
    await bus.emit({ type: 'session.revoked', userId, sessionId: familyId, reason: 'reuse' });
  }

  function createAccount(input: NewAccount): Promise<UserRecord> {
    return createAccountIn({ users, scryptCost: deps.scryptCost, clock }, input);
  }
}
export type AuthService = ReturnType<typeof createAuthService>;

export type NewAccount = { email: string; password: string; displayName: string; role?: Role };

/**
 * A registered account (hashed password, normalized email). Standalone so the admin
 * command can create one without building the app. EMAIL_TAKEN on a duplicate.
 */
export async function createAccountIn(
  deps: { users: UsersRepo; scryptCost: number; clock: Clock },
  input: NewAccount,
): Promise<UserRecord> {
  const passwordHash = await hashPassword(input.password, deps.scryptCost);
  try {
    return await deps.users.insert({
      id: randomUUID(),
      email: normalizeEmail(input.email),
      passwordHash,
      displayName: input.displayName,
      role: input.role ?? 'member',
      isGuest: false,
      createdAt: deps.clock.now().toISOString(),
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw AuthErrors.emailTaken();
    throw err;
  }
}
