/**
 * Cross-site WebSocket hijacking guard: browsers always send `Origin` on a socket
 * upgrade, and cookies are not involved here, but a page elsewhere must still not be
 * able to drive a user's socket. Non-browser clients send no Origin and are allowed.
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowedOrigins: readonly string[],
): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the literal "null" of sandboxed frames and file: pages
  }
  if (host !== undefined && url.host === host.toLowerCase()) return true;
  return allowedOrigins.some((allowed) => sameOrigin(allowed, url));
}

function sameOrigin(allowed: string, url: URL): boolean {
  try {
    return new URL(allowed).origin === url.origin;
  } catch {
    return false;
  }
}
