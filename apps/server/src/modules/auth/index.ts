// The auth module's public face: accounts, sign-in sessions, refresh tokens and the
// /api/auth routes. Other code imports auth only from here (.dependency-cruiser.cjs).
export { createRefreshTokensRepo } from './refresh-repo.js';
export type { RefreshTokensRepo } from './refresh-repo.js';
export { authRoutes } from './routes.js';
export { createLoginThrottle } from './login-throttle.js';
export { auditEmailKey } from './email-digest.js';
export type { LoginThrottle } from './login-throttle.js';
export { createAccountIn, createAuthService } from './service.js';
export type { AccessSession, AuthService, AuthServiceDeps, NewAccount } from './service.js';
