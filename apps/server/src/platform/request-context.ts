import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who is on the other end of the work in progress: set once per HTTP request (and per
 * socket message), read by the audit log, so services record IP and user agent without
 * every call passing them down.
 */
export type RequestContext = { ip: string | null; userAgent: string | null; requestId?: string };

const storage = new AsyncLocalStorage<RequestContext>();

export function runInContext<T>(ctx: RequestContext, work: () => T): T {
  return storage.run(ctx, work);
}

/** For an HTTP request: the rest of its hooks and its handler run in this context. */
export function enterContext(ctx: RequestContext): void {
  storage.enterWith(ctx);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** User agents are stored for the audit log; a bounded length keeps rows small. */
export function boundedUserAgent(ua: string | string[] | undefined): string | null {
  const v = Array.isArray(ua) ? ua[0] : ua;
  return v ? v.slice(0, 300) : null;
}
