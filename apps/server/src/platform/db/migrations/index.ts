import type { Migration } from 'kysely';
import * as m001 from './001_accounts.js';
import * as m002 from './002_rooms.js';
import * as m003 from './003_chat.js';
import * as m004 from './004_room_seats.js';
import * as m005 from './005_direct_calls.js';
import * as m006 from './006_appointments.js';
import * as m007 from './007_operations.js';
import * as m008 from './008_meetings.js';

/**
 * Migrations are listed here rather than read from a folder so they work the same
 * from source (tests) and from the compiled build. Names sort in order of application.
 */
export const migrations: Record<string, Migration> = {
  '001_accounts': m001,
  '002_rooms': m002,
  '003_chat': m003,
  '004_room_seats': m004,
  '005_direct_calls': m005,
  '006_appointments': m006,
  '007_operations': m007,
  '008_meetings': m008,
};
