// The admin module's public face: what admins see of rooms and direct calls (issue 13).
// Accounts are listed by the users module; audit, settings and metrics by their own.
export { adminRoutes } from './routes.js';
export { createAdminService } from './service.js';
export type { AdminService, AdminServiceDeps } from './service.js';
