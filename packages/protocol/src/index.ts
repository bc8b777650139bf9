export * from './version.js';
export * from './errors.js';
export * from './auth.js';
export * from './health.js';
