// The settings module's public face: the live system settings and their admin routes.
export { createSettingsService } from './service.js';
export type { SettingsService } from './service.js';
