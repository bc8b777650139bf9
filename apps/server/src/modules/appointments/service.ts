import type { AppointmentsDeps } from './ports.js';
import { createRoomAccess } from './access.js';
import { createAttendance } from './attendance.js';
import { createAppointmentsContext } from './context.js';
import { createRequests } from './requests.js';
import { createUpkeep } from './upkeep.js';
import { createPaymentWebhook } from './webhook.js';

export type {
  AppointmentPeople,
  AppointmentPerson,
  AppointmentRoomOccupancy,
  AppointmentRooms,
  AppointmentsDeps,
} from './ports.js';

/**
 * Scheduled appointments (issue 12): the booking and its status machine (requests.ts),
 * the join rules every entry point applies (rules.ts, access.ts), what the socket layer
 * reports about the room (attendance.ts), the payment webhook (webhook.ts) and the
 * window's end, completions and no-shows (upkeep.ts).
 */
export function createAppointmentsService(deps: AppointmentsDeps) {
  const ctx = createAppointmentsContext(deps);
  return {
    ...createRequests(ctx),
    /** The rooms module's question at REST join and socket `room.join`. */
    roomAccess: createRoomAccess(ctx),
    /** The socket layer's reports about appointment rooms (signaling's RoomAppointments). */
    attendance: createAttendance(ctx),
    /** `POST /api/webhooks/payments`: verifies, dedupes and applies one event. */
    paymentWebhook: createPaymentWebhook(ctx),
    /** Window ends, completions and no-shows; run every `config.upkeepIntervalMs`. */
    tick: createUpkeep(ctx),
  };
}
export type AppointmentsService = ReturnType<typeof createAppointmentsService>;
