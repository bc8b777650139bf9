import type {
  AppointmentRoomResponse,
  CanJoinResponse,
  JoinBlockReason,
  User,
} from '@parley/protocol';
import { isUniqueViolation } from '../../platform/db/database.js';
import { Errors } from '../../platform/errors.js';
import type { AppError } from '../../platform/errors.js';
import { requireMember } from './booking.js';
import type { AppointmentsContext, Viewer } from './context.js';
import { AppointmentErrors } from './errors.js';
import type { AppointmentRow, Trx } from './repo.js';
import { canJoin, minutesUntil } from './rules.js';
import type { JoinAnswer } from './rules.js';
import { iso } from './time.js';

// Joining: the can-join answer and the appointment's private room, both decided by
// rules.canJoin on the server's clock.

/** The join rule for `viewer` and `row`, now. */
export function joinAnswer(
  ctx: AppointmentsContext,
  row: AppointmentRow,
  viewer: Viewer,
): JoinAnswer {
  return canJoin(
    {
      requester: ctx.relation(row, viewer),
      adminsMayJoin: ctx.adminsMayJoin,
      status: row.status,
      paymentStatus: row.payment_status,
      startsAt: Date.parse(row.starts_at),
      durationMinutes: row.duration_minutes,
      now: ctx.clock.now().getTime(),
    },
    ctx.window,
  );
}

/**
 * A join attempt the rule refused (opening the room, entering it over HTTP or the socket):
 * counted by reason, then the 403. `can-join` only asks, and is not counted.
 */
export function countRefusedJoin(ctx: AppointmentsContext, reason: JoinBlockReason): void {
  ctx.metrics?.appointmentJoinsRefused.inc({ reason });
}

function refuseJoin(ctx: AppointmentsContext, reason: JoinBlockReason): AppError {
  countRefusedJoin(ctx, reason);
  return Errors.notJoinable(reason);
}

/** Room codes are random: a collision is vanishingly rare, and simply drawn again. */
const ROOM_ATTEMPTS = 3;
/** The two parties, and an admin if the practice lets admins in. */
const ROOM_SEATS = 3;

export function createJoining(ctx: AppointmentsContext) {
  const { db, repo } = ctx;

  /** The room of the locked row: the open one it has, or a new one set on it. */
  async function roomOf(trx: Trx, id: string, actor: User): Promise<{ id: string; code: string }> {
    const row = await repo.find(trx, id, { lock: true });
    if (!row) throw AppointmentErrors.notFound();
    // Checked again under the lock: a cancel may have won meanwhile.
    const answer = joinAnswer(ctx, row, actor);
    if (!answer.canJoin) throw refuseJoin(ctx, answer.reason);
    if (row.room_id && row.room_code && (await repo.roomIsOpen(trx, row.room_id)))
      return { id: row.room_id, code: row.room_code };
    // A new room only before the call: once it is in progress its room is the call, and
    // when that room has closed the session is over (the upkeep completes it) — a fresh
    // room would silently restart it under the same appointment.
    if (row.status !== 'confirmed')
      throw AppointmentErrors.invalidState(row.status, 'The session has ended.');
    const at = ctx.now();
    const room = await ctx.rooms.open(trx, {
      providerId: row.provider_id,
      clientId: row.client_id,
      name: row.title,
      at,
      maxParticipants: ROOM_SEATS,
    });
    await repo.transition(trx, id, ['confirmed'], {
      room_id: room.id,
      updated_at: at,
    });
    return room;
  }

  return {
    async canJoin(actor: User, id: string): Promise<CanJoinResponse> {
      requireMember(actor);
      const { row } = await ctx.visible(id, actor);
      const answer = joinAnswer(ctx, row, actor);
      const now = ctx.clock.now().getTime();
      return {
        canJoin: answer.canJoin,
        reason: answer.reason,
        opensAt: iso(answer.window.opensAt),
        closesAt: iso(answer.window.closesAt),
        minutesUntilStart: minutesUntil(Date.parse(row.starts_at), now),
        status: row.status,
        paymentStatus: row.payment_status,
        serverTime: now,
      };
    },

    /**
     * The appointment's private room, made on first ask (inside the window) and the same
     * one after: concurrent asks queue on the row lock, so one room is made.
     */
    async openRoom(actor: User, id: string): Promise<AppointmentRoomResponse> {
      requireMember(actor);
      const { row } = await ctx.visible(id, actor);
      const answer = joinAnswer(ctx, row, actor);
      if (!answer.canJoin) throw refuseJoin(ctx, answer.reason);
      for (let attempt = 0; ; attempt++) {
        try {
          const room = await db.transaction().execute((trx) => roomOf(trx, id, actor));
          if (room.id !== row.room_id) await ctx.notify(id);
          return { room };
        } catch (err) {
          if (isUniqueViolation(err) && attempt < ROOM_ATTEMPTS) continue;
          throw err;
        }
      }
    },
  };
}
