// The chat module's public face: the service signaling calls, its storage and the
// history route. Other code imports chat only from here (.dependency-cruiser.cjs).
export { createChatRepo } from './repo.js';
export type { ChatRepo } from './repo.js';
export { chatRoutes } from './routes.js';
export { CHAT_RATES, createChatService } from './service.js';
export type { ChatRooms, ChatService } from './service.js';
