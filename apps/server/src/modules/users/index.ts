// The users module's public face: user records (and their public view), guests, the
// admin bootstrap and the admin user routes. Other code imports users only from here.
export { ensureAdmin } from './admin.js';
export type { CreateAccount, EnsureAdminResult } from './admin.js';
export { createUsersRepo, publicUser, toUser } from './repo.js';
export type { NewUser, UserRecord, UsersRepo } from './repo.js';
export { createUserDirectory } from './directory.js';
export type { UserDirectory } from './directory.js';
export { adminUserRoutes } from './routes.js';
export { createGuest, createUsersService, normalizeEmail } from './service.js';
export type { UsersService } from './service.js';
