import type { ClientMessageOf } from '@parley/protocol';
import type { SessionContext } from '../context.js';
import type { Connection, InRoomState, ReadyState } from '../session.js';

/**
 * `quality.report`: one peer link's outcome and join → first-frame time, counted by the
 * call-quality metrics. TODO(issue 13, metrics helper): only in a room, bounded per
 * connection (QUALITY_LIMITS.reportsPerMinute), counted in metrics.linkOutcomes/firstFrame.
 */
export function handleQualityReport(
  _ctx: SessionContext,
  _conn: Connection,
  _state: ReadyState | InRoomState,
  _msg: ClientMessageOf<'quality.report'>,
): Promise<void> {
  return Promise.resolve();
}
