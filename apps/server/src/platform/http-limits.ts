import type { ServerOptions } from 'node:http';
import type { Config } from './config.js';

/**
 * Fastify's own defaults turn Node's request deadline off (0), so a client trickling one
 * byte every few seconds held a connection for minutes (slowloris). These options give
 * every plain HTTP connection deadlines: headers, the whole request, idle keep-alive, and
 * no traffic at all. An upgraded socket (/ws) leaves Node's HTTP bookkeeping and `ws`
 * clears the socket timeout, so only its heartbeat decides when it is dead.
 */
export function httpServerOptions(limits: Config['http']): {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  /** For `http.createServer` (Fastify passes `http`; merge into `https` when serving TLS). */
  node: ServerOptions;
} {
  return {
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    node: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
  };
}
