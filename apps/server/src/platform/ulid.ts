import { monotonicFactory } from 'ulidx';
import type { PRNG } from 'ulidx';
import type { Clock } from './clock.js';

/**
 * Ids that sort by creation time as text (chat messages, call signals): ULIDs (ulidx).
 * The time comes from the app clock, so tests move it; the factory is monotonic in this
 * process (within one millisecond, or when the clock steps back, the random part counts up).
 */
export function createUlidFactory(clock: Clock, prng?: PRNG): () => string {
  const next = monotonicFactory(prng);
  return () => next(clock.now().getTime());
}
