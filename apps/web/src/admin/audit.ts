import { AuditEventType } from '@parley/protocol';
import type { AuditEvent, AuditPage } from '@parley/protocol';
import { PagedList } from '../lib/paged-list';

/** The audit page's filter form as typed: `from`/`to` are `<input type="datetime-local">` values. */
export interface AuditFilterForm {
  type: AuditEventType | '';
  actorId: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilterForm = { type: '', actorId: '', from: '', to: '' };

/** The query as AuditQuery takes it: times in UTC ISO, nothing empty. */
export interface AuditFilter {
  type?: string;
  actorId?: string;
  from?: string;
  to?: string;
}

export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = AuditEventType.options;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AuditFilterProblem = 'actorId' | 'from' | 'to' | 'range';

/**
 * Turns the form into a query: local times (the viewer's zone, as the browser reads a
 * datetime-local value) become UTC instants; a malformed actor id or an end before the
 * start is a problem to show instead of a request the server would refuse.
 */
export function auditQuery(
  form: AuditFilterForm,
): { ok: true; filter: AuditFilter } | { ok: false; problem: AuditFilterProblem } {
  const filter: AuditFilter = {};
  if (form.type) filter.type = form.type;
  const actor = form.actorId.trim();
  if (actor) {
    if (!UUID.test(actor)) return { ok: false, problem: 'actorId' };
    filter.actorId = actor.toLowerCase();
  }
  for (const key of ['from', 'to'] as const) {
    if (!form[key]) continue;
    const at = new Date(form[key]);
    if (Number.isNaN(at.getTime())) return { ok: false, problem: key };
    filter[key] = at.toISOString();
  }
  if (filter.from && filter.to && filter.from > filter.to) return { ok: false, problem: 'range' };
  return { ok: true, filter };
}

export interface AuditApi {
  list(filter: AuditFilter, cursor: string | null): Promise<AuditPage>;
}

/** The audit log page: newest first, filtered, "load more". */
export function auditList(api: AuditApi): PagedList<AuditEvent, AuditFilter> {
  return new PagedList<AuditEvent, AuditFilter>(async (f, cursor) => {
    const page = await api.list(f, cursor);
    return { items: page.items, nextCursor: page.nextCursor };
  }, {});
}

/** `details` in one short line for the table (the full object is in the row's title). */
export function detailsText(details: Record<string, unknown>, max = 120): string {
  const entries = Object.entries(details);
  if (entries.length === 0) return '';
  const text = entries
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
