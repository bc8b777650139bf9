import { AuthResponse } from '@parley/protocol';
import type { TokenStorage } from './client';

export const SESSION_KEY = 'parley.session';

export interface SessionStorage extends TokenStorage {
  /** Called with the new session (or null) after every change, including other tabs' changes. */
  subscribe(fn: (session: AuthResponse | null) => void): () => void;
}

/**
 * The signed-in session in Web Storage, shared by all tabs. It is read from storage on every
 * `load()` rather than cached, so a token another tab just rotated is the one this tab uses.
 */
export function createSessionStorage(
  store: Storage,
  opts: { now?: () => number; target?: Pick<Window, 'addEventListener'> } = {},
): SessionStorage {
  const now = opts.now ?? Date.now;
  const listeners = new Set<(session: AuthResponse | null) => void>();
  const emit = (session: AuthResponse | null) => listeners.forEach((fn) => fn(session));
  // Used only when Web Storage refuses to work (disabled by policy, quota): the session then
  // lasts for this page.
  let memory: { session: AuthResponse | null } | null = null;

  function load(): AuthResponse | null {
    if (memory) return memory.session;
    let raw: string | null;
    try {
      raw = store.getItem(SESSION_KEY);
    } catch {
      return null;
    }
    if (!raw) return null;
    try {
      const parsed = AuthResponse.safeParse(JSON.parse(raw));
      if (!parsed.success) return null;
      // A session whose refresh token has expired cannot be revived; treat it as signed out.
      if (Date.parse(parsed.data.tokens.refreshTokenExpiresAt) <= now()) return null;
      return parsed.data;
    } catch {
      return null;
    }
  }

  function write(session: AuthResponse | null) {
    try {
      if (session) store.setItem(SESSION_KEY, JSON.stringify(session));
      else store.removeItem(SESSION_KEY);
    } catch {
      memory = { session };
    }
    emit(session);
  }

  opts.target?.addEventListener('storage', (event: StorageEvent) => {
    if (event.key === SESSION_KEY || event.key === null) emit(load());
  });

  return {
    load,
    save: (session) => write(session),
    clear: () => write(null),
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
