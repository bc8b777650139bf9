/**
 * The one-shot timers of the pre-join → call hand-overs (media/handoff.ts,
 * call-page/socket-handoff.ts): the browser's by default, a fake clock's in tests.
 */
export type HoldTimers = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export const realTimers: HoldTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};
