import { accountDisabled, reportingDisabled } from '../account/disabled';
import { createApiClient } from './client';
import { createEndpoints } from './endpoints';
import { createSessionStorage } from './session';

export { ApiError, ClientErrorCode, isApiError } from './errors';
export type { ApiClient, TokenStorage } from './client';
export type { CreateRoomInput } from './endpoints';

/** Serializes token refreshes across this browser's tabs where the Web Locks API exists. */
async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? await locks.request('parley.auth.refresh', fn) : await fn();
}

/** The one session of this browser, kept in localStorage and shared by its tabs. */
export const session = createSessionStorage(globalThis.localStorage, {
  target: typeof window !== 'undefined' ? window : undefined,
});

// Every answer that says the account was disabled takes the person to that page (App.vue).
export const api = reportingDisabled(createApiClient({ storage: session, exclusive }), () =>
  accountDisabled.report(),
);

export const endpoints = createEndpoints(api);
