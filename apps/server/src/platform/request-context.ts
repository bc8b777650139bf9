/**
 * Who is on the other end of the work in progress: an HTTP request's caller (set by the
 * first hook as `req.context`) or a socket's (its connection's, for every message). Passed
 * by hand to the services that write the audit log. Not in an AsyncLocalStorage: its
 * promise hooks made every promise of the process dearer (about a fifth of an
 * authenticated request's CPU, and as much on the socket paths).
 */
export type RequestContext = { ip: string | null; userAgent: string | null; requestId?: string };

/** A caller's context: an HTTP request or a socket always has an address. */
export type CallerContext = RequestContext & { ip: string };

/** Work no caller started (timers, upkeep, a webhook's consequences): no IP, no agent. */
export const SYSTEM_CONTEXT: RequestContext = Object.freeze({ ip: null, userAgent: null });

/** User agents are stored for the audit log; a bounded length keeps rows small. */
export function boundedUserAgent(ua: string | string[] | undefined): string | null {
  const v = Array.isArray(ua) ? ua[0] : ua;
  return v ? v.slice(0, 300) : null;
}
