import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * The origin absolute links (invite links, calendar files) start with. The Host header is
 * the client's to choose, so it is believed only when it names this machine (`npm start`
 * opened at localhost) or one of the configured CORS origins; PUBLIC_URL always wins.
 * `undefined`: no trusted origin, so the caller answers with a relative link (the web app
 * resolves it against its own address).
 */
export function linkOrigin(
  req: Pick<FastifyRequest, 'host' | 'protocol'>,
  config: { publicUrl: string | undefined; corsOrigins: readonly string[] },
): string | undefined {
  if (config.publicUrl) return config.publicUrl;
  const host = req.host;
  // Only a host and an optional port (no user info, path or the like).
  if (!host || /[^a-z0-9.:[\]-]/i.test(host)) return undefined;
  let url: URL;
  try {
    url = new URL(`${req.protocol}://${host}`);
  } catch {
    return undefined;
  }
  const configured = config.corsOrigins.find((o) => safeHost(o) === url.host);
  if (configured) return new URL(configured).origin;
  return isLoopback(url.hostname) ? url.origin : undefined;
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** `localhost`, 127.0.0.0/8 and `[::1]`: a name only this machine answers to. */
function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  if (hostname === '[::1]') return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}
