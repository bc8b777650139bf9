import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { AccountDisabledSignal, isDisabledClose, reportingDisabled } from './disabled';

const client = (answer: () => Promise<unknown>): ApiClient => ({
  request: <T>() => answer() as Promise<T>,
  accessToken: () => Promise.resolve(null),
  refresh: () => Promise.resolve(null),
});

describe('account disabled', () => {
  it('a 403 ACCOUNT_DISABLED answer is reported and still thrown; other errors are not reported', async () => {
    let reports = 0;
    const disabled = new ApiError(403, 'ACCOUNT_DISABLED', 'This account has been disabled.');
    const api = reportingDisabled(
      client(() => Promise.reject(disabled)),
      () => reports++,
    );
    await expect(api.request('/api/auth/me')).rejects.toBe(disabled);
    expect(reports).toBe(1);

    const forbidden = reportingDisabled(
      client(() => Promise.reject(new ApiError(403, 'FORBIDDEN', 'no'))),
      () => reports++,
    );
    await expect(forbidden.request('/api/admin/users')).rejects.toBeInstanceOf(ApiError);
    const fine = reportingDisabled(
      client(() => Promise.resolve({ ok: 1 })),
      () => reports++,
    );
    expect(await fine.request('/api/health')).toEqual({ ok: 1 });
    expect(reports).toBe(1);
  });

  it('only 4002 with ACCOUNT_DISABLED is a disabled close', () => {
    expect(isDisabledClose({ code: 4002, reason: 'ACCOUNT_DISABLED' })).toBe(true);
    expect(isDisabledClose({ code: 4002, reason: 'SESSION_REVOKED' })).toBe(false);
    expect(isDisabledClose({ code: 4003, reason: 'ACCOUNT_DISABLED' })).toBe(false);
    expect(isDisabledClose(undefined)).toBe(false);
  });

  it('tells every listener until it stops listening', () => {
    const signal = new AccountDisabledSignal();
    const heard: string[] = [];
    const off = signal.on(() => heard.push('a'));
    signal.on(() => heard.push('b'));
    signal.report();
    off();
    signal.report();
    expect(heard).toEqual(['a', 'b', 'b']);
  });
});
