import { randomUUID } from 'node:crypto';
import type { AuthResponse, Role, Tokens, User } from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import { isUniqueViolation } from '../../platform/db/database.js';
import type { Db } from '../../platform/db/database.js';
import { AccessErrors, AuthErrors, Errors } from '../../platform/errors.js';
import type { Bus } from '../../platform/live/index.js';
import { hashOpaqueToken, newOpaqueToken } from '../../platform/auth/tokens.js';
import type { TokenService } from '../../platform/auth/tokens.js';
import type { UsersRepo, UserRecord } from '../users/index.js';
import { createUsersRepo, normalizeEmail, publicUser } from '../users/index.js';
import { hashCost, hashPassword, verifyPassword } from '../../platform/auth/password.js';
import { emailDigest, emailDomain } from './email-digest.js';
import type { RefreshTokensRepo } from './refresh-repo.js';
import type { LoginThrottle } from './login-throttle.js';
import type { AuditLog } from '../../platform/audit.js';
import { noAudit } from '../../platform/audit.js';
import type { SettingsReader } from '../../platform/settings.js';
import type { CallerContext, RequestContext } from '../../platform/request-context.js';

export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;

export type AuthServiceDeps = {
  /** Sign-ins, failures, registrations, refresh-token reuse. */
  audit?: AuditLog;
  /** Registration mode and guest access (live settings). */
  settings?: SettingsReader;
  /**
   * Registration with a room invite (its code) while `invite-only`: runs `create` in one
   * transaction with one use of the invite (which also seats the new account in the
   * invite's room, or puts it in the lobby of an approval room),
   * or throws 403 INVITE_REQUIRED. Rooms' invites answer it, wired by app.ts. Absent:
   * invite-only registration admits nobody. `invite` names the invite for the audit log: a
   * digest of the code, never the code (a credential).
   */
  registerWithInvite?: <T extends { id: string; displayName: string }>(
    code: string,
    create: (trx: Db) => Promise<T>,
    origin: RequestContext,
  ) => Promise<{ account: T; invite: string }>;
  /** Guest access and the per-IP guest quota (modules/settings); absent: guests always welcome. */
  admitGuest?: (caller: CallerContext) => Promise<void>;
  /** Addresses no account has are audited as an HMAC under this key (email-digest.ts). */
  auditEmailKey: Buffer;
  users: UsersRepo;
  refreshTokens: RefreshTokensRepo;
  tokens: TokenService;
  clock: Clock;
  scryptCost: number;
  /** Per address, per address+account, and the account's ceiling (login-throttle.ts). */
  loginThrottle: LoginThrottle;
  /** Ended sessions are announced (`session.revoked`) so their sockets close. */
  bus: Bus;
};

/** A verified access token: its user and its sign-in session (refresh-token family). */
export type AccessSession = { user: User; sessionId: string; expiresAt: Date };

export function createAuthService(deps: AuthServiceDeps) {
  const { users, refreshTokens, tokens, clock, bus } = deps;
  const audit = deps.audit ?? noAudit;
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
    async register(
      input: NewAccount & { inviteToken?: string | undefined },
      origin: RequestContext,
    ) {
      const { user, invite } = await registerAccount(input, origin);
      const session = await startSession(user);
      await audit.record({
        type: 'auth.register',
        actorId: user.id,
        origin,
        targetType: 'user',
        targetId: user.id,
        details: { role: user.role, ...(invite ? { invite } : {}) },
      });
      return session;
    },

    /** Creates an account without a session (used by `admin:create`). */
    createAccount,

    /** Signs in a user another module created (a guest accepting an invite). */
    startSession,

    async guest(displayName: string, caller: CallerContext): Promise<AuthResponse> {
      await deps.admitGuest?.(caller);
      const user = await users.insertGuest(displayName, clock.now().toISOString());
      const session = await startSession(user);
      await audit.record({
        type: 'auth.guest',
        actorId: user.id,
        origin: caller,
        targetType: 'user',
        targetId: user.id,
        details: { via: 'guest' },
      });
      return session;
    },

    async login(
      input: { email: string; password: string },
      caller: CallerContext,
    ): Promise<AuthResponse> {
      const { ip } = caller;
      const email = normalizeEmail(input.email);
      // The attacker's address is held back, never the account: the owner elsewhere gets in.
      const wait = await deps.loginThrottle.waitFor(email, ip);
      if (wait > 0) {
        // Never the password; the address (normalized) shows what was targeted.
        const known = (await users.findByEmail(email)) !== undefined;
        const { targetId, details } = emailTarget(email, known);
        await audit.record({
          type: 'auth.login_throttled',
          actorId: null,
          origin: caller,
          targetType: 'email',
          targetId,
          details: { retryAfterSeconds: wait, ...details },
        });
        throw Errors.tooManyAttempts(wait);
      }

      const user = await users.findByEmail(email);
      const ok = user?.passwordHash
        ? await verifyPassword(input.password, user.passwordHash)
        : (await verifyPassword(input.password, await dummyHash), false);
      if (!user || !ok) {
        await deps.loginThrottle.failed(email, ip);
        await loginFailed(email, user ? 'wrong_password' : 'unknown_email', caller);
        throw AuthErrors.invalidCredentials();
      }
      if (user.disabledAt) {
        await loginFailed(email, 'account_disabled', caller);
        throw AuthErrors.accountDisabled();
      }
      await deps.loginThrottle.succeeded(email, ip);
      // A hash of another cost (SCRYPT_COST changed since) is made again now that the
      // password is known, so the cost applies to every account that signs in, and an
      // account's failed sign-ins take as long as an unknown address's (the dummy hash's).
      const stored = user.passwordHash;
      if (stored && hashCost(stored) !== deps.scryptCost) {
        const fresh = await hashPassword(input.password, deps.scryptCost);
        await users.replacePasswordHash(user.id, stored, fresh);
      }
      await users.touchLastSeen(user.id, clock.now().toISOString());
      const session = await startSession(user);
      await audit.record({
        type: 'auth.login',
        actorId: user.id,
        origin: caller,
        targetType: 'user',
        targetId: user.id,
      });
      return session;
    },

    /**
     * Exchanges a refresh token for a new pair. A token that was already exchanged means
     * it leaked or raced: the whole family is revoked so both the thief and the owner must
     * sign in again. A token that was only revoked (logout, account disabled, a family
     * ended for reuse) is no reuse: it gets the session's answer, and nothing is recorded.
     */
    async refresh(refreshToken: string, origin: RequestContext): Promise<AuthResponse> {
      const now = clock.now().toISOString();
      const row = await refreshTokens.findByHash(hashOpaqueToken(refreshToken));
      if (!row) throw AuthErrors.invalidRefreshToken();
      if (row.used_at) return reused(row, now, origin);
      if (row.revoked_at) return ended(row.user_id);
      if (row.expires_at <= now) throw AuthErrors.invalidRefreshToken();
      if (!(await refreshTokens.markUsed(row.id, now))) {
        // Lost to a concurrent refresh (reuse) or to a logout or disable (just ended).
        const after = await refreshTokens.findByHash(row.token_hash);
        if (after?.used_at) return reused(after, now, origin);
        return ended(row.user_id);
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
    async logout(refreshToken: string, origin: RequestContext): Promise<void> {
      const row = await refreshTokens.findByHash(hashOpaqueToken(refreshToken));
      if (!row) return;
      const ended = await refreshTokens.revokeFamily(row.family_id, clock.now().toISOString());
      // Once per session: a repeated logout of an ended one changes nothing worth a line.
      if (ended > 0) {
        await audit.record({
          type: 'auth.logout',
          actorId: row.user_id,
          origin,
          targetType: 'user',
          targetId: row.user_id,
        });
      }
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
      return (await sessionForAccessToken(token, true)).user;
    },

    /**
     * The socket: at `hello` and on `auth.refresh`, it keeps the session id to match
     * `session.revoked`. A socket presents a token once: it is not kept for next time.
     */
    sessionForAccessToken: (token: string) => sessionForAccessToken(token, false),
  };

  /**
   * Verifies an access token and its session: refuses deleted users, disabled accounts
   * (403 ACCOUNT_DISABLED) and tokens whose session was revoked by a logout, a reused
   * refresh token or disabling the account (401 SESSION_REVOKED). One statement: the user
   * and two indexed counts of the session.
   */
  async function sessionForAccessToken(token: string, remember: boolean): Promise<AccessSession> {
    const claims = await tokens.verifyAccess(token, clock.now(), { remember });
    const found = await refreshTokens.userWithSession(claims.userId, claims.sessionId);
    if (!found) throw Errors.invalidToken();
    const { user } = found;
    if (user.disabledAt) throw AuthErrors.accountDisabled();
    if (!found.sessionActive) throw AuthErrors.sessionRevoked();
    return { user: publicUser(user), sessionId: claims.sessionId, expiresAt: claims.expiresAt };
  }

  /** A token that was already exchanged is presented again: 401 REFRESH_TOKEN_REUSED. */
  async function reused(
    row: { family_id: string; user_id: string },
    now: string,
    origin: RequestContext,
  ): Promise<never> {
    await revokeForReuse(row.family_id, row.user_id, now, origin);
    throw AuthErrors.refreshTokenReused();
  }

  /**
   * A token of a session that was ended (never exchanged): 403 ACCOUNT_DISABLED when the
   * account was switched off, else 401 SESSION_REVOKED. No reuse: nothing is revoked or
   * announced again, nothing audited.
   */
  async function ended(userId: string): Promise<never> {
    const user = await users.findById(userId);
    if (user?.disabledAt) throw AuthErrors.accountDisabled();
    throw AuthErrors.sessionRevoked();
  }

  /** A reused refresh token ends its session; announced after the revocation is stored. */
  async function revokeForReuse(
    familyId: string,
    userId: string,
    now: string,
    origin: RequestContext,
  ): Promise<void> {
    const revoked = await refreshTokens.revokeFamily(familyId, now);
    // Every detection: a stolen token replayed again is worth seeing. Anonymous: whoever
    // presented it may not be the owner.
    await audit.record({
      type: 'auth.refresh_reuse',
      actorId: null,
      origin,
      targetType: 'user',
      targetId: userId,
      details: { sessionRevoked: revoked > 0 },
    });
    await bus.emit({ type: 'session.revoked', userId, sessionId: familyId, reason: 'reuse' });
  }

  /** Every refused sign-in, once; never the password. */
  function loginFailed(
    email: string,
    reason: 'unknown_email' | 'wrong_password' | 'account_disabled',
    origin: RequestContext,
  ): Promise<void> {
    const { targetId, details } = emailTarget(email, reason !== 'unknown_email');
    return audit.record({
      type: 'auth.login_failed',
      actorId: null,
      origin,
      targetType: 'email',
      targetId,
      details: { reason, ...details },
    });
  }

  /**
   * How a typed address is named in the audit log: an account's in clear (its owner is a
   * user of this server); one no account has only as a keyed digest plus its domain, so
   * an admin can still see repeated tries line up (email-digest.ts).
   */
  function emailTarget(
    email: string,
    known: boolean,
  ): { targetId: string; details: { domain?: string } } {
    if (known) return { targetId: email, details: {} };
    return {
      targetId: emailDigest(deps.auditEmailKey, email),
      details: { domain: emailDomain(email) },
    };
  }

  /**
   * A self-registered account under the live registration mode: `closed` refuses everyone;
   * `invite-only` wants a room invite with a use left, and uses one up in the transaction
   * that inserts the account (a 1-use link registers one person). Admins make accounts
   * another way (`admin:create`, ADMIN_EMAIL: `createAccount`), which no mode stops.
   */
  async function registerAccount(
    input: NewAccount & { inviteToken?: string | undefined },
    origin: RequestContext,
  ): Promise<{ user: UserRecord; invite?: string }> {
    const mode = deps.settings?.get().registration ?? 'open';
    if (mode === 'closed') throw AccessErrors.registrationClosed();
    if (mode === 'open') return { user: await createAccount(input) };
    const { inviteToken } = input;
    const withInvite = deps.registerWithInvite;
    if (!inviteToken || !withInvite) throw AccessErrors.inviteRequired();
    // Hashed first: scrypt must not hold the transaction (and the invite's row) open.
    const passwordHash = await hashPassword(input.password, deps.scryptCost);
    const { account, invite } = await withInvite(
      inviteToken,
      (trx) => insertAccount({ users: createUsersRepo(trx), clock }, input, passwordHash),
      origin,
    );
    return { user: account, invite };
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
  return insertAccount(deps, input, await hashPassword(input.password, deps.scryptCost));
}

/** Inserts an account whose password is already hashed; EMAIL_TAKEN on a duplicate. */
async function insertAccount(
  deps: { users: UsersRepo; clock: Clock },
  input: NewAccount,
  passwordHash: string,
): Promise<UserRecord> {
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
