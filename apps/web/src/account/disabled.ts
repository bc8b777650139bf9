import { ErrorCode, WsCloseCode } from '@parley/protocol';
import type { ApiClient } from '../api/client';
import { isApiError } from '../api/errors';

/**
 * "This account was disabled", from wherever the server says it first: an API answer
 * (403 ACCOUNT_DISABLED) or a socket closed with 4002 ACCOUNT_DISABLED. App.vue listens
 * once and takes the person to the account-disabled page; a second report changes nothing.
 */
export class AccountDisabledSignal {
  private readonly listeners = new Set<() => void>();

  on(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  report(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

/** The app's one signal. */
export const accountDisabled = new AccountDisabledSignal();

/** A socket close that means the account was disabled (PROTOCOL.md 4.2). */
export function isDisabledClose(info: { code?: number; reason?: string } | undefined): boolean {
  return info?.code === WsCloseCode.UNAUTHENTICATED && info.reason === ErrorCode.ACCOUNT_DISABLED;
}

/** The client, reporting every ACCOUNT_DISABLED answer to `onDisabled` (and still throwing it). */
export function reportingDisabled(client: ApiClient, onDisabled: () => void): ApiClient {
  return {
    ...client,
    async request<T>(path: string, options?: Parameters<ApiClient['request']>[1]): Promise<T> {
      try {
        return await client.request<T>(path, options);
      } catch (err) {
        if (isApiError(err, ErrorCode.ACCOUNT_DISABLED)) onDisabled();
        throw err;
      }
    },
  };
}
