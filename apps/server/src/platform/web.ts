import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { ErrorCode } from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './http-errors.js';

/** Serves the built web app with a SPA fallback; /api and /ws never fall back to HTML. */
export function registerWeb(app: FastifyInstance, distDir: string): void {
  const hasWeb = existsSync(path.join(distDir, 'index.html'));
  if (hasWeb) {
    void app.register(fastifyStatic, { root: distDir, wildcard: false, index: 'index.html' });
  }
  app.setNotFoundHandler((req, reply) => {
    const isApi = req.url.startsWith('/api/') || req.url === '/api' || req.url.startsWith('/ws');
    if (!isApi && hasWeb && req.method === 'GET' && req.headers.accept?.includes('text/html')) {
      return reply.type('text/html').sendFile('index.html');
    }
    const message =
      !isApi && !hasWeb ? 'The web app is not built. Run `npm run build`.' : 'Not found.';
    return reply.code(404).send(errorBody(req, ErrorCode.NOT_FOUND, message));
  });
}
