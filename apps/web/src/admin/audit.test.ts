import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES, EMPTY_AUDIT_FILTER, auditQuery, detailsText } from './audit';

describe('auditQuery', () => {
  it('leaves out what is empty', () => {
    expect(auditQuery(EMPTY_AUDIT_FILTER)).toEqual({ ok: true, filter: {} });
  });

  it('sends the type and a trimmed, lower-cased actor id', () => {
    const actor = ' 0F8FAD5B-D9CB-469F-A165-70867728950E ';
    expect(auditQuery({ ...EMPTY_AUDIT_FILTER, type: 'user.disabled', actorId: actor })).toEqual({
      ok: true,
      filter: { type: 'user.disabled', actorId: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    });
  });

  it("turns the viewer's local times into UTC instants", () => {
    const from = '2026-03-01T09:30';
    const res = auditQuery({ ...EMPTY_AUDIT_FILTER, from, to: '2026-03-02T00:00' });
    expect(res).toEqual({
      ok: true,
      filter: {
        from: new Date(2026, 2, 1, 9, 30).toISOString(),
        to: new Date(2026, 2, 2, 0, 0).toISOString(),
      },
    });
  });

  it('refuses an actor id that is not one, a time that is not one, and an end before the start', () => {
    expect(auditQuery({ ...EMPTY_AUDIT_FILTER, actorId: 'bob' })).toEqual({
      ok: false,
      problem: 'actorId',
    });
    expect(auditQuery({ ...EMPTY_AUDIT_FILTER, from: 'yesterday' })).toEqual({
      ok: false,
      problem: 'from',
    });
    expect(
      auditQuery({ ...EMPTY_AUDIT_FILTER, from: '2026-03-02T00:00', to: '2026-03-01T00:00' }),
    ).toEqual({ ok: false, problem: 'range' });
  });

  it('offers every event type the protocol has', () => {
    expect(AUDIT_EVENT_TYPES).toContain('user.disabled');
    expect(AUDIT_EVENT_TYPES).toContain('settings.changed');
  });
});

describe('detailsText', () => {
  it('is one short line of key: value, cut with an ellipsis', () => {
    expect(detailsText({})).toBe('');
    expect(detailsText({ from: 'member', to: 'admin', n: 2 })).toBe(
      'from: member, to: admin, n: 2',
    );
    const long = detailsText({ text: 'x'.repeat(500) }, 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });
});
