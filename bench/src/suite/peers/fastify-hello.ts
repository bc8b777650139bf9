/**
 * The typical peer of the HTTP workloads: a Fastify 5 hello-world with default options and
 * the logger off, answering GET /api/auth/me and GET /api/health with a JSON body of
 * Parley's shape and size. Prints `listening on 127.0.0.1:PORT`.
 */
import Fastify from 'fastify';
import { healthBody, meBody } from './bodies.js';

const app = Fastify({ logger: false });
// Async handlers, as in Fastify's own hello-world.
/* eslint-disable @typescript-eslint/require-await */
app.get('/api/auth/me', async () => meBody());
app.get('/api/health', async () => healthBody());
/* eslint-enable @typescript-eslint/require-await */

const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`listening on ${address.replace(/^http:\/\//, '')}`);
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
