import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Which `X-Forwarded-For` hops to believe (Fastify's `trustProxy`): none (`false`), or hops
 * that come from these proxy addresses/ranges (proxy-addr's syntax). Never every hop: the
 * left-most entries are whatever the client wrote, and per-IP limits (logins, room codes,
 * socket caps) must not be the client's choice. Nor a bare hop count: it cannot tell a
 * proxy from a client that reaches Parley directly (Fastify 5 treats a number as "trust
 * nothing" for that reason).
 */
export type TrustProxy = false | string[];

/** proxy-addr's named ranges. */
const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

const TRUST_ALL =
  'TRUST_PROXY=true believed every X-Forwarded-For hop, so any client could choose its own ' +
  'address; list the addresses of the proxies in front of Parley instead (e.g. ' +
  'TRUST_PROXY=loopback for an nginx on this host, TRUST_PROXY=10.0.0.5 or 10.0.0.0/8)';
const HOPS =
  'a hop count cannot tell a proxy from a client that connects directly; list the ' +
  'addresses of the proxies in front of Parley instead (e.g. TRUST_PROXY=loopback for an ' +
  'nginx on this host, TRUST_PROXY=10.0.0.5 or 10.0.0.0/8)';

/** `10.0.0.1`, `::1`, `10.0.0.0/8`, `fd00::/8`, `10.0.0.0/255.0.0.0`, or a named range. */
function isProxyEntry(entry: string): boolean {
  if (NAMED.has(entry)) return true;
  const [addr = '', range, extra] = entry.split('/');
  const family = isIP(addr);
  if (!family || extra !== undefined) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4;
}

/** The TRUST_PROXY variable: `false` (the default) or a comma list of proxies. */
export const TrustProxyEnv = z.string().transform((raw, ctx): TrustProxy => {
  const value = raw.trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0' || value === 'no') return false;
  const refuse = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  if (value === 'true' || value === 'yes') return refuse(TRUST_ALL);
  if (/^\d+$/.test(value)) return refuse(HOPS);
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !isProxyEntry(e));
  if (bad.length || !entries.length) {
    return refuse(
      `not a proxy address or range: ${bad.join(', ') || raw}; use addresses and CIDR ` +
        'ranges (10.0.0.5, 10.0.0.0/8, fd00::/8) or loopback, linklocal, uniquelocal',
    );
  }
  return entries;
});

/**
 * The caller's address as Fastify's `req.ip` gives it for this TRUST_PROXY, for a request
 * Fastify does not route (the socket upgrade's direct path): the peer's own address, or
 * with proxies listed, the last X-Forwarded-For hop that is not one of them.
 */
export function clientAddress(trust: TrustProxy): (req: IncomingMessage) => string | undefined {
  if (trust === false) return (req) => req.socket.remoteAddress;
  const trusted = proxyAddr.compile(trust);
  return (req) => proxyAddr.all(req, trusted).at(-1);
}
