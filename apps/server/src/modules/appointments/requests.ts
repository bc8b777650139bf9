import type { AppointmentsContext } from './context.js';
import { createBooking } from './booking.js';
import { createCalendar } from './calendar.js';
import { createChanges } from './changes.js';
import { createJoining } from './joining.js';
import { createListing } from './listing.js';

/**
 * What the routes call: booking and rebooking (`create`, `reschedule`: booking.ts),
 * reading (`list`, `get`: listing.ts), the status and payment changes (`confirm`,
 * `cancel`, `setPayment`: changes.ts), joining (`canJoin`, `openRoom`: joining.ts) and
 * the `.ics` file (`calendar`: calendar.ts). Guests are refused everywhere; anyone who
 * is neither a party nor an admin gets the 404 of an appointment that does not exist.
 */
export function createRequests(ctx: AppointmentsContext) {
  return {
    ...createBooking(ctx),
    ...createListing(ctx),
    ...createChanges(ctx),
    ...createJoining(ctx),
    ...createCalendar(ctx),
  };
}
