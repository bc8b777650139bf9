// The direct-calls module's public face: the call state machine, its routes, the reaper
// and the RoomCalls the socket layer reports to. Other code imports it only from here.
export { callRoutes } from './routes.js';
export { createCallsService } from './service.js';
export type { CallPeople, CallRoomOccupancy, CallRooms, CallsService } from './service.js';
