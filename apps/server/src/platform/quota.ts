import { ErrorCode } from '@parley/protocol';
import type { SystemSettings } from '@parley/protocol';
import type { AuditLog } from './audit.js';
import { AppError } from './errors.js';
import type { AttemptLimiter } from './live/index.js';
import type { RequestContext } from './request-context.js';

/** The quotas of the system settings, by the name the API reports in `details.quota`. */
export type QuotaName = keyof SystemSettings['quotas'];

/** An hour, the window of the hourly quotas. */
export const QUOTA_HOUR_MS = 60 * 60_000;

/**
 * The limit the live-state limiters are built with. Quotas read their limit from the live
 * settings at each use and compare it with the count `fail` returns, so an admin's change
 * applies at once; the limiter's own limit must never be the one that refuses.
 */
export const QUOTA_LIMITER_CEILING = Number.MAX_SAFE_INTEGER;

/** 429 QUOTA_EXCEEDED; `Retry-After` only where a window ends (the hourly quotas). */
export function quotaExceeded(
  quota: QuotaName,
  limit: number,
  retryAfterSeconds?: number,
): AppError {
  const message =
    quota === 'openRoomsPerUser'
      ? `You already host ${limit} open rooms, the most allowed. End one to create another.`
      : quota === 'roomsCreatedPerHour'
        ? `You created ${limit} rooms in the last hour, the most allowed. Try again later.`
        : 'Too many guests joined from your network in the last hour. Try again later.';
  return retryAfterSeconds === undefined
    ? new AppError(ErrorCode.QUOTA_EXCEEDED, 429, message, { quota, limit })
    : new AppError(
        ErrorCode.QUOTA_EXCEEDED,
        429,
        message,
        { quota, limit, retryAfterSeconds },
        { 'retry-after': String(retryAfterSeconds) },
      );
}

/** Records the refusal with the caller's IP and user agent, then throws it. */
export async function refuseQuota(
  audit: AuditLog,
  actorId: string | null,
  origin: RequestContext,
  err: AppError,
): Promise<never> {
  await audit.record({ type: 'quota.exceeded', actorId, origin, details: err.details });
  throw err;
}

/**
 * Counts one use of an hourly quota for `key` and refuses it past `limit`. Counting first
 * and comparing after makes concurrent requests (and processes, with Redis) race for the
 * same counter: 926 parallel creations cannot all see "below the limit". A refused use
 * counts too; the window is fixed, so hammering never pushes its end further out.
 */
export async function takeHourlyQuota(opts: {
  limiter: AttemptLimiter;
  key: string;
  quota: QuotaName;
  limit: number;
  audit: AuditLog;
  actorId: string | null;
  origin: RequestContext;
}): Promise<void> {
  const refusal = await countHourlyQuota(opts.limiter, opts.key, opts.quota, opts.limit);
  if (refusal) await refuseQuota(opts.audit, opts.actorId, opts.origin, refusal);
}

/**
 * `takeHourlyQuota` without the audit entry: counts the use and answers the refusal (or
 * undefined), for a caller inside a transaction that records it once the transaction ends.
 */
export async function countHourlyQuota(
  limiter: AttemptLimiter,
  key: string,
  quota: QuotaName,
  limit: number,
): Promise<AppError | undefined> {
  const { count, resetInMs } = await limiter.fail(key);
  if (count <= limit) return undefined;
  return quotaExceeded(quota, limit, Math.max(1, Math.ceil(resetInMs / 1000)));
}
