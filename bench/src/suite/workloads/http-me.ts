/**
 * `GET /api/auth/me` with a real access token (Parley verifies the JWT and loads the
 * session and user), autocannon 50 connections, against the `node:http` ceiling and a
 * Fastify hello-world answering a body of the same shape and size.
 */
import { httpGetWorkload } from '../http-workload.js';

export default httpGetWorkload({
  name: 'http-me',
  title: 'GET /api/auth/me with a Bearer token, autocannon 50 connections',
  path: '/api/auth/me',
  auth: true,
  minVsNodeHttp: 0.5,
  minVsFastify: 0.7,
});
