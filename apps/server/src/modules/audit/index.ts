// The audit module's public face: the append-only log, its admin route and its purge.
export { AUDIT_FLOOD_LIMIT, createAuditLog } from './log.js';
export { auditRoutes } from './routes.js';
export { createAuditPurge, PURGE_INTERVAL_MS } from './purge.js';
