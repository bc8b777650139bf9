export * from './version.js';
export * from './errors.js';
export * from './auth.js';
export * from './health.js';
export * from './room-code.js';
export * from './rooms.js';
export * from './ws.js';
export * from './ice.js';
