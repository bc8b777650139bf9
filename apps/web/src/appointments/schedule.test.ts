import type { ListAppointmentsResponse } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { Schedule } from './schedule';
import type { ScheduleAs, ScheduleQuery } from './schedule';
import { apptId, makeAppointment } from './testing/fixtures';

const NOW = Date.parse('2025-06-01T08:00:00.000Z');
const at = (h: number) => new Date(NOW + h * 3_600_000).toISOString();

function setup(pages: Record<string, ListAppointmentsResponse>, as?: ScheduleAs) {
  const asked: string[] = [];
  const schedule = new Schedule({
    as,
    api: {
      list: ({ when, cursor, as: who }: ScheduleQuery) => {
        const key = `${when}:${who ?? ''}:${cursor ?? ''}`;
        asked.push(key);
        const page = pages[key];
        return page ? Promise.resolve(page) : Promise.reject(new Error(`no page ${key}`));
      },
    },
  });
  return { schedule, asked };
}

const page = (
  appointments: ListAppointmentsResponse['appointments'],
  nextCursor: string | null = null,
) => ({
  appointments,
  nextCursor,
});
const ids = (s: Schedule) => s.state.items.map((a) => a.id);

describe('Schedule', () => {
  it('loads a tab page by page, as the given party', async () => {
    const { schedule, asked } = setup(
      {
        'upcoming:provider:': page([makeAppointment({ id: apptId(1), startsAt: at(1) })], 'c2'),
        'upcoming:provider:c2': page([makeAppointment({ id: apptId(2), startsAt: at(2) })]),
      },
      'provider',
    );
    await schedule.load();
    await schedule.loadMore();
    expect(asked).toEqual(['upcoming:provider:', 'upcoming:provider:c2']);
    expect(ids(schedule)).toEqual([apptId(1), apptId(2)]);
    expect(schedule.state.nextCursor).toBeNull();
  });

  it('switching tabs drops the answer of the old one', async () => {
    const { schedule } = setup({
      'upcoming::': page([makeAppointment({ id: apptId(1), startsAt: at(1) })]),
      'past::': page([makeAppointment({ id: apptId(2), startsAt: at(-5), status: 'completed' })]),
    });
    await Promise.all([schedule.load('upcoming'), schedule.load('past')]);
    expect(schedule.state.when).toBe('past');
    expect(ids(schedule)).toEqual([apptId(2)]);
  });

  it('an update replaces by id and keeps the soonest-first order', async () => {
    const { schedule } = setup({
      'upcoming::': page([
        makeAppointment({ id: apptId(1), startsAt: at(1) }),
        makeAppointment({ id: apptId(2), startsAt: at(3) }),
      ]),
    });
    await schedule.load();
    // Rescheduled after the other one: it moves.
    schedule.upsert(makeAppointment({ id: apptId(1), startsAt: at(5), title: 'Moved' }));
    expect(ids(schedule)).toEqual([apptId(2), apptId(1)]);
    expect(schedule.state.items[1]?.title).toBe('Moved');
    // A new one in between is inserted in its place.
    schedule.upsert(makeAppointment({ id: apptId(3), startsAt: at(4) }));
    expect(ids(schedule)).toEqual([apptId(2), apptId(3), apptId(1)]);
  });

  it('a cancelled appointment leaves the upcoming tab and enters the past one', async () => {
    const { schedule } = setup({
      'upcoming::': page([makeAppointment({ id: apptId(1), startsAt: at(1) })]),
      'past::': page([makeAppointment({ id: apptId(2), startsAt: at(-5), status: 'completed' })]),
    });
    await schedule.load('upcoming');
    const cancelled = makeAppointment({ id: apptId(1), startsAt: at(1), status: 'cancelled' });
    schedule.upsert(cancelled);
    expect(ids(schedule)).toEqual([]);
    await schedule.load('past');
    schedule.upsert(cancelled);
    // Latest first in the past tab.
    expect(ids(schedule)).toEqual([apptId(1), apptId(2)]);
  });

  it('ignores updates of the other party’s list and of pages not loaded yet', async () => {
    const { schedule } = setup(
      {
        'upcoming:client:': page(
          [makeAppointment({ id: apptId(1), startsAt: at(1), myRole: 'client' })],
          'c2',
        ),
      },
      'client',
    );
    await schedule.load();
    schedule.upsert(makeAppointment({ id: apptId(2), startsAt: at(0.5), myRole: 'provider' }));
    // Later than everything shown while another page exists: it comes with that page.
    schedule.upsert(makeAppointment({ id: apptId(3), startsAt: at(9), myRole: 'client' }));
    expect(ids(schedule)).toEqual([apptId(1)]);
  });

  it('by default a provider sees both sides: their schedule and sessions where they are the client', async () => {
    const { schedule, asked } = setup({
      'upcoming::': page([
        makeAppointment({ id: apptId(1), startsAt: at(1), myRole: 'provider' }),
        makeAppointment({ id: apptId(2), startsAt: at(2), myRole: 'client' }),
      ]),
    });
    await schedule.load();
    expect(asked).toEqual(['upcoming::']);
    expect(schedule.state.items.map((a) => a.myRole)).toEqual(['provider', 'client']);
    // Live updates of either side belong here; an admin's view of someone else's does not.
    schedule.upsert(makeAppointment({ id: apptId(3), startsAt: at(1.5), myRole: 'client' }));
    schedule.upsert(makeAppointment({ id: apptId(4), startsAt: at(1.2), myRole: 'admin' }));
    expect(ids(schedule)).toEqual([apptId(1), apptId(3), apptId(2)]);
  });

  it('an admin switches to everyone’s appointments (as=all) and back, dropping the other list', async () => {
    const { schedule, asked } = setup({
      'upcoming::': page([makeAppointment({ id: apptId(1), startsAt: at(1) })]),
      'upcoming:all:': page([
        makeAppointment({ id: apptId(2), startsAt: at(2), myRole: 'admin' }),
        makeAppointment({ id: apptId(1), startsAt: at(1) }),
      ]),
      'past:all:': page([
        makeAppointment({ id: apptId(3), startsAt: at(-3), myRole: 'admin', status: 'no_show' }),
      ]),
    });
    await schedule.load();
    await schedule.show('all');
    expect(schedule.state.as).toBe('all');
    expect(ids(schedule)).toEqual([apptId(2), apptId(1)]);
    // Marked paid from this list: the admin's own view stays in it.
    schedule.upsert(
      makeAppointment({ id: apptId(2), startsAt: at(2), myRole: 'admin', paymentStatus: 'paid' }),
    );
    expect(schedule.state.items[0]?.paymentStatus).toBe('paid');
    // The tab keeps the list it is on.
    await schedule.load('past');
    expect(ids(schedule)).toEqual([apptId(3)]);
    await schedule.load('upcoming');
    await schedule.show(undefined);
    expect(ids(schedule)).toEqual([apptId(1)]);
    expect(asked).toEqual([
      'upcoming::',
      'upcoming:all:',
      'past:all:',
      'upcoming:all:',
      'upcoming::',
    ]);
  });

  it('a slow answer for the other list is dropped', async () => {
    const { schedule } = setup({
      'upcoming::': page([makeAppointment({ id: apptId(1), startsAt: at(1) })]),
      'upcoming:all:': page([makeAppointment({ id: apptId(2), startsAt: at(2), myRole: 'admin' })]),
    });
    await Promise.all([schedule.show('all'), schedule.show(undefined)]);
    expect(schedule.state.as).toBeUndefined();
    expect(ids(schedule)).toEqual([apptId(1)]);
  });

  it('a failed load says so', async () => {
    const { schedule } = setup({});
    await schedule.load();
    expect(schedule.state.status).toBe('failed');
  });
});
