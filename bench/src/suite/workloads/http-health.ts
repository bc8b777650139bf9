/**
 * `GET /api/health` (Parley checks its database and live state), autocannon 50
 * connections, against the `node:http` ceiling and a Fastify hello-world answering a body
 * of the same shape and size.
 */
import { httpGetWorkload } from '../http-workload.js';

export default httpGetWorkload({
  name: 'http-health',
  title: 'GET /api/health, autocannon 50 connections',
  path: '/api/health',
  auth: false,
  minVsNodeHttp: 0.6,
});
