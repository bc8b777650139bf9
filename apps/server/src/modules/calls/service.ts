import type { CallsServiceDeps } from './ports.js';
import { createCallsContext } from './context.js';
import { createHistory } from './history.js';
import { createRoomCalls } from './room-calls.js';
import { createTransitions } from './transitions.js';
import { createUpkeep } from './upkeep.js';

export type { CallPeople, CallRoomOccupancy, CallRooms, CallsServiceDeps } from './ports.js';

/**
 * Direct calls (issue 11): the state machine (transitions.ts), the history (history.ts),
 * what the socket layer reports (room-calls.ts) and the timeouts and reaper (upkeep.ts).
 */
export function createCallsService(deps: CallsServiceDeps) {
  const ctx = createCallsContext(deps);
  const machine = createTransitions(ctx);
  return {
    ...machine.requests,
    ...createHistory(ctx),
    /** The socket layer's reports about call rooms (signaling's RoomCalls). */
    roomCalls: createRoomCalls(ctx),
    /** Ring timeouts due, and the reaper; run every `timing.reapIntervalMs`. */
    tick: createUpkeep(ctx, machine.upkeep),
  };
}
export type CallsService = ReturnType<typeof createCallsService>;
