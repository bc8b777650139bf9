// The audit module's public face: the append-only log, its admin route and its purge.
export { createAuditLog } from './log.js';
