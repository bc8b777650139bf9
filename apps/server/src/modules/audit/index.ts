// The audit module's public face: the append-only log, its admin route and its purge.
export { createAuditLog } from './log.js';
export { auditRoutes } from './routes.js';
export { createAuditPurge, PURGE_INTERVAL_MS } from './purge.js';
