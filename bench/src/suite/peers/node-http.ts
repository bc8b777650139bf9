/**
 * The `node:http` ceiling of the HTTP workloads: GET /api/auth/me and GET /api/health
 * answered with a JSON body of Parley's shape and size, and nothing else (no framework, no
 * auth, no headers beyond the content type). Prints `listening on 127.0.0.1:PORT`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthBody, meBody } from './bodies.js';

const server = http.createServer((req, res) => {
  const body =
    req.method === 'GET' && req.url === '/api/auth/me'
      ? meBody()
      : req.method === 'GET' && req.url === '/api/health'
        ? healthBody()
        : undefined;
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  const json = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening on 127.0.0.1:${port}`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
