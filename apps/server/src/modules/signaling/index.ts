// The signaling module's public face: the /ws socket layer, and the interfaces it needs
// from other modules (RoomGate, RoomChat, RoomPlayback), which they implement. Only this
// module touches WebSocket objects; other code imports it only from here.
export type { ConnectionCaps, SignalingDeps, TokenSession } from './deps.js';
export type {
  RoomAppointments,
  RoomCalls,
  RoomChat,
  RoomPlayback,
  UserPresence,
} from './features.js';
export type { RoomGate } from './gate.js';
export { registerSignaling } from './routes.js';
export type { Signaling } from './routes.js';
