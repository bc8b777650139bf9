/**
 * Named deadlines shared by every process (reconnection grace: "release this seat at
 * T unless they came back"). Any process may set or cancel one; when it is due, exactly
 * one process takes it, so a deadline set by a process that died still fires elsewhere.
 */
export interface Deadlines {
  /** Sets or moves the deadline of `key` to `at` (ms since the epoch). */
  set(key: string, at: number): Promise<void>;
  cancel(key: string): Promise<void>;
  /** Cancels every key that starts with `prefix` (a closed room's graces). */
  cancelPrefix(prefix: string): Promise<void>;
  /** Removes and returns the keys due at `now`, at most `limit`; each key goes to one caller. */
  takeDue(now: number, limit: number): Promise<string[]>;
  /** When `key` is due, or undefined when it is not set. */
  get(key: string): Promise<number | undefined>;
}
