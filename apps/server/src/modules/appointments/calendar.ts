import type { User } from '@parley/protocol';
import { requireMember } from './booking.js';
import type { AppointmentsContext } from './context.js';
import { appointmentIcs } from './ics.js';
import type { AppointmentRow } from './repo.js';

// The `.ics` download: what a party's calendar needs, never the provider's notes.

const STATUS = {
  scheduled: 'TENTATIVE',
  confirmed: 'CONFIRMED',
  in_progress: 'CONFIRMED',
  completed: 'CONFIRMED',
  no_show: 'CONFIRMED',
  cancelled: 'CANCELLED',
} as const satisfies Record<AppointmentRow['status'], string>;

export function createCalendar(ctx: AppointmentsContext) {
  return {
    /**
     * The file for a party (or an admin). The link starts with PUBLIC_URL, else `baseUrl`
     * (a trusted origin of the request); with neither the file carries no link at all.
     */
    async calendar(
      actor: User,
      id: string,
      baseUrl: string | undefined,
    ): Promise<{ filename: string; body: string }> {
      requireMember(actor);
      const { row } = await ctx.visible(id, actor);
      const history = await ctx.repo.history(ctx.db, id);
      const base = (ctx.publicUrl ?? baseUrl)?.replace(/\/+$/, '');
      const link = base ? `${base}/appointments/${row.id}` : undefined;
      const withWhom = actor.id === row.client_id ? row.provider_name : row.client_name;
      const body = appointmentIcs({
        id: row.id,
        title: row.title,
        startsAt: row.starts_at,
        endsAt: row.ends_at,
        stamp: ctx.now(),
        description: `Video appointment with ${withWhom}.${link ? `\nJoin: ${link}` : ''}`,
        ...(link ? { url: link } : {}),
        status: STATUS[row.status],
        sequence: history.filter((e) => e.kind === 'rescheduled').length,
      });
      return { filename: `appointment-${row.id}.ics`, body };
    },
  };
}
