import { AuditPage, AuditQuery } from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../../platform/db/database.js';
import { errorResponses } from '../../platform/http-errors.js';
import { adminsOnly, bearerSecurity } from '../../platform/auth/hook.js';
import { auditPage } from './repo.js';

const DESCRIPTION = [
  'Security and activity events, newest first. Filters combine (AND): `type` (one or a',
  'comma-separated list), `actorId`, `targetId`, `ip` (exact), `from` (at or after) and `to`',
  '(before), ISO-8601 with an offset. `limit` 1–200 (default 50). Pass `nextCursor` as',
  '`cursor` for the next page; null means there is none. A cursor not from this list, or',
  'any unknown parameter, is 400 VALIDATION_FAILED. Read-only: no route changes or deletes',
  'entries; only the retention purge removes those older than `audit.retentionDays`.',
].join(' ');

/** `GET /api/admin/audit`: the audit log for admins (no token 401, anyone else 403). */
export function auditRoutes(deps: { db: Db; authenticate: onRequestAsyncHookHandler }) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/admin/audit', {
      // Who is asking is settled before the query is even read (401/403 before 400).
      onRequest: [deps.authenticate, adminsOnly],
      schema: {
        tags: ['admin'],
        summary: 'The audit log, filtered and paged (admins only)',
        description: DESCRIPTION,
        security: bearerSecurity,
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorResponses(400, 401, 403) },
      },
      handler: async (req) => auditPage(deps.db, req.query),
    });
  };
}
