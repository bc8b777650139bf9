import { ErrorCode } from '@parley/protocol';
import type { AuthResponse } from '@parley/protocol';
import { ApiError, ClientErrorCode, toApiError } from './errors';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Where the signed-in session lives (localStorage in the app, memory in tests). */
export interface TokenStorage {
  load(): AuthResponse | null;
  save(session: AuthResponse): void;
  clear(): void;
}

export interface ApiClientOptions {
  storage: TokenStorage;
  fetch?: Fetch;
  /**
   * Runs a refresh exclusively across tabs (navigator.locks in the browser). Refresh tokens are
   * single-use and reusing one revokes the whole session, so two tabs must never both spend it.
   */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  now?: () => number;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Send the access token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
  /** Lets the request outlive the page (withdrawing from a lobby on tab close). */
  keepalive?: boolean;
}

export interface ApiClient {
  request<T>(path: string, options?: RequestOptions): Promise<T>;
  /**
   * An access token valid for at least `minValidityMs`, refreshing first when needed;
   * null when nobody is signed in or the session can no longer be refreshed.
   */
  accessToken(minValidityMs?: number): Promise<string | null>;
  /**
   * Exchanges the refresh token now (single-flight), even if the access token is still valid;
   * the new access token, or null when the session is over. With `staleToken` (the token the
   * caller wants replaced): if storage already holds a different one, valid for more than 5 s
   * (another tab or request just refreshed), that one is returned and nothing is spent.
   */
  refresh(staleToken?: string): Promise<string | null>;
}

/** 401 codes that a fresh access token can cure. */
const REFRESHABLE = new Set<string>([ErrorCode.TOKEN_EXPIRED, ErrorCode.INVALID_TOKEN]);

/** Answers to /auth/refresh that mean the session is over (as opposed to a network blip). */
const SESSION_OVER = new Set([400, 401, 403]);

export function createApiClient(options: ApiClientOptions): ApiClient {
  const { storage } = options;
  const fetchFn: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const exclusive = options.exclusive ?? ((fn) => fn());
  const now = options.now ?? Date.now;

  let inflight: Promise<string | null> | null = null;

  async function send(path: string, opts: RequestOptions, token: string | undefined) {
    const headers: Record<string, string> = { accept: 'application/json' };
    // No content-type without a body: the server rejects an empty JSON body.
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      return await fetchFn(path, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
        keepalive: opts.keepalive,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, ClientErrorCode.NETWORK_ERROR, 'The server could not be reached.');
    }
  }

  const expiresInMs = (s: AuthResponse) => Date.parse(s.tokens.accessTokenExpiresAt) - now();

  /**
   * Single-flight: every caller that finds the token stale while a refresh is running waits for
   * that same refresh instead of spending the (rotating) refresh token again.
   */
  function refresh(staleToken?: string): Promise<string | null> {
    inflight ??= exclusive(async () => {
      const current = storage.load();
      if (!current) return null;
      // Another tab, or an earlier refresh here, already replaced the token that failed.
      if (
        staleToken !== undefined &&
        current.tokens.accessToken !== staleToken &&
        expiresInMs(current) > 5_000
      ) {
        return current.tokens.accessToken;
      }
      const res = await send(
        '/api/auth/refresh',
        { method: 'POST', body: { refreshToken: current.tokens.refreshToken } },
        undefined,
      );
      if (res.ok) {
        const next = (await res.json()) as AuthResponse;
        storage.save(next);
        return next.tokens.accessToken;
      }
      const err = await toApiError(res);
      if (SESSION_OVER.has(err.status)) {
        storage.clear();
        return null;
      }
      throw err;
    }).finally(() => {
      inflight = null;
    });
    return inflight;
  }

  async function parse<T>(res: Response): Promise<T> {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    async request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
      const useAuth = opts.auth !== false;
      // A token that is being replaced right now would only come back 401.
      if (useAuth && inflight) await inflight.catch(() => null);
      const token = useAuth ? storage.load()?.tokens.accessToken : undefined;
      let res = await send(path, opts, token);
      if (res.status === 401 && token) {
        const err = await toApiError(res);
        if (!REFRESHABLE.has(err.code)) throw err;
        const fresh = await refresh(token);
        if (!fresh) throw err;
        // Retried once: a second 401 is reported as it is.
        res = await send(path, opts, fresh);
      }
      if (!res.ok) throw await toApiError(res);
      return parse<T>(res);
    },

    async accessToken(minValidityMs = 30_000) {
      const current = storage.load();
      if (!current) return null;
      if (expiresInMs(current) > minValidityMs) return current.tokens.accessToken;
      return refresh(current.tokens.accessToken);
    },

    refresh: (staleToken?: string) => refresh(staleToken),
  };
}
