import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../platform/config.js';
import type { Exposition } from './metrics-routes.js';

export type MetricsServer = { port: number; close(): Promise<void> };

/**
 * METRICS_PORT: `/metrics` on a port of its own, without a token, for a Prometheus on the
 * internal network (bind it to an internal address with METRICS_HOST). Plain node:http:
 * one route, no body parsing, no sessions, nothing else reachable through it.
 */
export async function startMetricsServer(
  parley: { exposition: Exposition },
  config: Pick<Config, 'metrics'>,
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.\n');
      return;
    }
    parley.exposition().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Failed.\n');
      },
    );
  });
  // A scraper that holds a connection open must not keep it forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metrics.port ?? 0, config.metrics.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
