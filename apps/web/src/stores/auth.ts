import type { AuthResponse, LoginBody, RegisterBody, User } from '@parley/protocol';
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { api, ApiError, endpoints, session } from '../api';

/**
 * Who is signed in. Tokens live in localStorage (see api/session.ts) so every tab shares one
 * session; this store is the reactive view of it plus the sign-in actions.
 */
export const useAuthStore = defineStore('auth', () => {
  const user = shallowRef<User | null>(session.load()?.user ?? null);
  // Keeps this tab in step with refreshes and sign-outs, here or in another tab.
  session.subscribe((s) => {
    user.value = s?.user ?? null;
  });

  const isSignedIn = computed(() => user.value !== null);
  const isGuest = computed(() => user.value?.isGuest === true);
  /** A registered account (not a guest): may create rooms. */
  const isMember = computed(() => user.value !== null && !user.value.isGuest);
  /** May open the admin pages (the server checks every admin request again). */
  const isAdmin = computed(() => isMember.value && user.value?.role === 'admin');

  function adopt(auth: AuthResponse): User {
    session.save(auth);
    return auth.user;
  }

  async function register(body: RegisterBody): Promise<User> {
    return adopt(await endpoints.auth.register(body));
  }

  async function login(body: LoginBody): Promise<User> {
    return adopt(await endpoints.auth.login(body));
  }

  /** Signs in as a guest with only a display name. */
  async function guest(displayName: string): Promise<User> {
    return adopt(await endpoints.auth.guest(displayName.trim()));
  }

  /** Forgets the session here at once, then revokes its refresh token on the server. */
  async function logout(): Promise<void> {
    const current = session.load();
    session.clear();
    if (!current) return;
    try {
      await endpoints.auth.logout(current.tokens.refreshToken);
    } catch {
      // Signed out locally either way; the refresh token expires on its own.
    }
  }

  /** Re-reads the user from the server (name or role may have changed). */
  async function reloadUser(): Promise<void> {
    const current = session.load();
    if (!current) return;
    const { user: fresh } = await endpoints.auth.me();
    adoptUser(fresh);
  }

  /**
   * Takes a newer view of the signed-in user (the socket's `session.updated`, or `/auth/me`),
   * kept with the session so every tab sees it; ignored when someone else is signed in now.
   */
  function adoptUser(fresh: User): void {
    const latest = session.load();
    if (latest && latest.user.id === fresh.id) session.save({ ...latest, user: fresh });
  }

  /**
   * A valid access token, refreshed first when it expires within 30 s. The call engine's
   * signaling client calls this before every `hello`.
   */
  async function getToken(): Promise<string> {
    const token = await api.accessToken(30_000);
    if (!token) throw new ApiError(401, 'UNAUTHENTICATED', 'Not signed in.');
    return token;
  }

  /**
   * A new access token to replace `staleToken` ahead of its expiry (the call socket's
   * `auth.refresh`): the refresh token is spent even though `staleToken` may still be valid,
   * unless another tab already replaced it, in which case that newer token is returned.
   */
  async function getFreshToken(staleToken?: string): Promise<string> {
    const token = await api.refresh(staleToken);
    if (!token) throw new ApiError(401, 'UNAUTHENTICATED', 'Not signed in.');
    return token;
  }

  return {
    user,
    isSignedIn,
    isGuest,
    isMember,
    isAdmin,
    adopt,
    register,
    login,
    guest,
    logout,
    reloadUser,
    adoptUser,
    getToken,
    getFreshToken,
  };
});
