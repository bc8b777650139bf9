import { ErrorCode, QUALITY_LIMITS } from '@parley/protocol';
import type { ClientMessageOf } from '@parley/protocol';
import { AppError } from '../../../platform/errors.js';
import { createLinkTally } from '../../ops/index.js';
import type { SessionContext } from '../context.js';
import { SignalingErrors } from '../errors.js';
import type { Connection, InRoomState, ReadyState } from '../session.js';
import { TokenBucket } from '../token-bucket.js';

const tooMany = () =>
  new AppError(
    ErrorCode.RATE_LIMITED,
    429,
    `At most ${QUALITY_LIMITS.reportsPerMinute} quality reports a minute.`,
  );

/**
 * `quality.report`: how one peer link came up (direct, relayed, failed) and the join →
 * first-frame time, counted by the call-quality metrics. Only from a connection in a call
 * (a link exists only there), and at most QUALITY_LIMITS.reportsPerMinute per connection,
 * so one client cannot skew the numbers much; the schema bounds `firstFrameMs`. The
 * numbers are the client's word: they feed statistics, never a decision. Counted twice:
 * in this process's Prometheus counters, and in the deployment-wide tally of the admin
 * summary (live state, ops' LinkTally), before the answer, so a `quality.recorded` means
 * the summary has it.
 */
export async function handleQualityReport(
  ctx: SessionContext,
  conn: Connection,
  state: ReadyState | InRoomState,
  msg: ClientMessageOf<'quality.report'>,
): Promise<void> {
  if (state.kind !== 'in-room') throw SignalingErrors.notInRoom();
  const { timers, metrics } = ctx.deps;
  const perMinute = QUALITY_LIMITS.reportsPerMinute;
  conn.qualityReports ??= new TokenBucket(perMinute / 60, perMinute, () => timers.monotonic());
  if (!conn.qualityReports.take()) throw tooMany();
  await createLinkTally({ live: ctx.deps.live, clock: ctx.deps.clock }).count(msg.outcome);
  metrics?.linkOutcomes.inc({ outcome: msg.outcome });
  if (msg.firstFrameMs !== undefined) metrics?.firstFrame.observe(msg.firstFrameMs / 1000);
  ctx.send(conn, { type: 'quality.recorded', ...(msg.ref !== undefined ? { ref: msg.ref } : {}) });
}
