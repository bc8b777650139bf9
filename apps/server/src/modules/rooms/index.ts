// The rooms module's public face: rooms, seats, the lobby, invites and their routes.
// Other code imports rooms only from here (.dependency-cruiser.cjs).
export { createInvitesService } from './invites.js';
export type { InvitesService } from './invites.js';
export { createRoomsRepo } from './repo.js';
export type { RoomsRepo } from './repo.js';
export { roomRoutes } from './routes.js';
export { createRoomsService } from './service.js';
export type { AppointmentRoomAccess, RoomsService } from './service.js';
