import { z } from 'zod';

/**
 * Audit log (issue 13): append-only security and activity events. Types are stable names;
 * new ones are added, none is renamed.
 */
export const AuditEventType = z
  .enum([
    'auth.login',
    'auth.login_failed',
    'auth.login_throttled',
    'auth.register',
    'auth.guest',
    'auth.logout',
    'auth.refresh_reuse',
    'user.created',
    'user.role_changed',
    'user.disabled',
    'user.enabled',
    'room.created',
    'room.closed',
    'room.admitted',
    'room.denied',
    'room.kicked',
    'invite.created',
    'invite.revoked',
    /** A moderator muted someone (`details.all`: everyone in the call at once). */
    'room.muted',
    'call.ended',
    'appointment.created',
    'appointment.status_changed',
    'appointment.rescheduled',
    'appointment.payment_changed',
    'webhook.refused',
    'settings.changed',
    'quota.exceeded',
  ])
  .meta({ id: 'AuditEventType' });
export type AuditEventType = z.infer<typeof AuditEventType>;

export const AuditEvent = z
  .object({
    id: z.string().meta({ description: 'Sortable (ULID): later events have larger ids' }),
    at: z.iso.datetime(),
    type: AuditEventType,
    /** null: the system itself (upkeep, webhook) or an anonymous caller. */
    actorId: z.uuid().nullable(),
    actorName: z.string().nullable(),
    targetType: z.enum(['user', 'room', 'call', 'appointment', 'settings', 'email']).nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z
  .strictObject({
    /** One type or a comma-separated list. */
    type: z
      .string()
      .max(500)
      .transform((s) => s.split(',').filter(Boolean))
      .pipe(z.array(AuditEventType).max(30))
      .optional(),
    actorId: z.uuid().optional(),
    targetId: z.string().max(200).optional(),
    ip: z.string().max(64).optional(),
    /** Entries at or after this time. */
    from: z.iso.datetime({ offset: true }).optional(),
    /** Entries before this time. */
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** `nextCursor` of the previous page (the id of its last entry). */
    cursor: z.string().max(200).optional(),
  })
  // No component id: query parameters are listed inline (@fastify/swagger cannot follow
  // a $ref there), as every other query schema is.
  .meta({ description: 'Filters of GET /api/admin/audit; they combine (AND).' });
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z
  .object({ items: z.array(AuditEvent), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditPage' });
export type AuditPage = z.infer<typeof AuditPage>;
