// The settings module's public face: the live system settings, their routes, and the
// guest gate (guest access and the per-IP guest quota) other modules are handed.
export { createGuestGate } from './guest-gate.js';
export type { GuestGate } from './guest-gate.js';
export { settingsRoutes } from './routes.js';
export { createSettingsService } from './service.js';
export type { SettingsService } from './service.js';
