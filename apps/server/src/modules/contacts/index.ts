// The contacts module's public face: contacts, blocks, user search, "do not disturb" and
// presence (the UserPresence the socket layer reports to). Other code imports it only from here.
export { contactRoutes } from './routes.js';
export { createContactsService } from './service.js';
export type { ContactsService, ContactsServiceDeps } from './service.js';
