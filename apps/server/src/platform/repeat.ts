import type { Timers } from './clock.js';

/**
 * Runs `work` every `ms` (and once at once with `atStart`), never two passes at once (a
 * slow pass skips ticks); `stop` clears the timer and waits for a pass in flight. Errors
 * go to `onError`.
 */
export function repeat(
  timers: Timers,
  ms: number,
  work: () => Promise<void>,
  onError: (err: unknown) => void,
  opts: { atStart?: boolean } = {},
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const pass = () => {
    running ??= work()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
  };
  const timer = timers.setInterval(pass, ms);
  if (opts.atStart) pass();
  return {
    async stop() {
      timers.clear(timer);
      await running;
    },
  };
}
