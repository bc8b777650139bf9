import { z } from 'zod';
import type {
  AppointmentDetailResponse,
  AppointmentRole,
  ListAppointmentsQuery,
  ListAppointmentsResponse,
  User,
} from '@parley/protocol';
import { Errors } from '../../platform/errors.js';
import { requireMember } from './booking.js';
import type { AppointmentsContext } from './context.js';
import { AppointmentErrors } from './errors.js';
import type { AppointmentCursor, AppointmentRow } from './repo.js';
import { toAppointment, toEvent } from './views.js';

// Reading appointments: my list (paginated), one with its history.

// Opaque to clients: base64url of [startsAt, id], checked on the way back in.
const CursorShape = z.tuple([z.iso.datetime(), z.uuid()]);

export function encodeCursor(c: AppointmentCursor): string {
  return Buffer.from(JSON.stringify([c.startsAt, c.id])).toString('base64url');
}

export function decodeCursor(raw: string): AppointmentCursor {
  try {
    const [startsAt, id] = CursorShape.parse(
      JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')),
    );
    return { startsAt, id };
  } catch {
    throw AppointmentErrors.badCursor();
  }
}

/** The actor's side of a listed row: a party's, else (`as=all`) an admin's. */
const roleIn = (r: AppointmentRow, actor: User): AppointmentRole =>
  r.provider_id === actor.id ? 'provider' : r.client_id === actor.id ? 'client' : 'admin';

export function createListing(ctx: AppointmentsContext) {
  const { db, repo } = ctx;
  return {
    async list(actor: User, query: ListAppointmentsQuery): Promise<ListAppointmentsResponse> {
      requireMember(actor);
      // Everyone's appointments are for the practice's admins (payments), nobody else.
      if (query.as === 'all' && actor.role !== 'admin')
        throw Errors.forbidden('Only admins can list every appointment.');
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const rows = await repo.page(
        db,
        { userId: actor.id, when: query.when, as: query.as },
        after,
        query.limit,
      );
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        appointments: page.map((r) => toAppointment(r, roleIn(r, actor), ctx.window)),
        nextCursor:
          rows.length > query.limit && last
            ? encodeCursor({ startsAt: last.starts_at, id: last.id })
            : null,
      };
    },

    async get(actor: User, id: string): Promise<AppointmentDetailResponse> {
      requireMember(actor);
      const { row, role } = await ctx.visible(id, actor);
      const history = await repo.history(db, id);
      return { appointment: toAppointment(row, role, ctx.window), history: history.map(toEvent) };
    },
  };
}
