import type { AdminCall, AdminCallsPage, CallState } from '@parley/protocol';
import { CallState as CallStates } from '@parley/protocol';
import { PagedList } from '../lib/paged-list';

export interface CallsFilter {
  /** Empty: every call. */
  status: CallState | '';
}

export const CALL_STATES: readonly CallState[] = CallStates.options;

export interface CallsApi {
  list(filter: CallsFilter, cursor: string | null): Promise<AdminCallsPage>;
}

/** The calls page: every direct call, newest first, by status. */
export function callsList(api: CallsApi): PagedList<AdminCall, CallsFilter> {
  return new PagedList<AdminCall, CallsFilter>(
    async (f, cursor) => {
      const page = await api.list(f, cursor);
      return { items: page.calls, nextCursor: page.nextCursor };
    },
    { status: '' },
  );
}
