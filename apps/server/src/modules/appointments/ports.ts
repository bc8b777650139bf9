import type { Transaction } from 'kysely';
import type { Role } from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { Db } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { Bus } from '../../platform/live/index.js';
import type { AuditLog } from '../../platform/audit.js';
import type { Metrics } from '../../platform/metrics.js';
import type { SettingsReader } from '../../platform/settings.js';
import type { RequestContext } from '../../platform/request-context.js';

// What the appointments module needs from the rest of the server, defined here so no
// other module is imported (app.ts passes the implementations: users, rooms).

/** A person as appointments need them: enabled accounts only. */
export type AppointmentPerson = { id: string; displayName: string; isGuest: boolean; role: Role };

export type AppointmentPeople = {
  /** An enabled user by id; undefined when there is none (or it is disabled). */
  find(userId: string): Promise<AppointmentPerson | undefined>;
};

/** An appointment room's state, as the upkeep needs it. */
export type AppointmentRoomOccupancy = {
  roomId: string;
  status: 'open' | 'closed';
  /** Since when nobody has been connected (null while someone is, and once closed). */
  emptySince: string | null;
  closedAt: string | null;
};

/** What appointments need from the rooms module (its service's `appointment`). */
export type AppointmentRooms = {
  /** Creates the private room inside `trx` with both parties seated; nobody else can enter. */
  open(
    trx: Transaction<Database>,
    room: {
      providerId: string;
      clientId: string;
      name: string;
      at: string;
      maxParticipants: number;
    },
  ): Promise<{ id: string; code: string }>;
  /** Closes the room (`room.closed` to its sockets); false when it was closed already. */
  close(
    roomId: string,
    reason: 'ended' | 'expired',
    actorId: string | null,
    origin: RequestContext,
  ): Promise<boolean>;
  occupancy(roomIds: string[]): Promise<AppointmentRoomOccupancy[]>;
};

export type AppointmentsDeps = {
  /** Status and payment changes, webhook refusals. */
  audit?: AuditLog;
  metrics?: Pick<Metrics, 'appointmentJoinsRefused'>;
  /** Join window and whether admins may join (live settings). */
  settings?: SettingsReader;
  db: Db;
  dialect: 'sqlite' | 'postgres';
  bus: Pick<Bus, 'toUser'>;
  clock: Clock;
  people: AppointmentPeople;
  rooms: AppointmentRooms;
  config: Config['appointments'];
  /** HMAC secret of the payment webhook; undefined: the webhook is off. */
  webhookSecret: string | undefined;
  /** Base of the links in calendar files (PUBLIC_URL, else the request's origin). */
  publicUrl: string | undefined;
  /** A step after a commit failed (a notice, closing a room): logged, the change stands. */
  onError(err: unknown, step: string): void;
};
