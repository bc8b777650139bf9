import { describe, expect, it } from 'vitest';
import { readWhen } from './booking-form';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');
const NY = 'America/New_York';

describe('readWhen', () => {
  it('turns the viewer’s wall time into the instant the server gets', () => {
    expect(readWhen({ local: '2025-03-10T09:00', zone: NY, durationMinutes: 50 }, NOW)).toEqual({
      ok: true,
      startsAt: '2025-03-10T13:00:00.000Z',
      durationMinutes: 50,
    });
  });

  it('a time skipped by the spring-forward change is refused with its own message', () => {
    expect(readWhen({ local: '2025-03-09T02:30', zone: NY, durationMinutes: 50 }, NOW)).toEqual({
      ok: false,
      field: 'when',
      error: 'nonexistent',
    });
  });

  it('refuses an empty or past time and a length out of bounds', () => {
    expect(readWhen({ local: '', zone: NY, durationMinutes: 50 }, NOW)).toMatchObject({
      error: 'whenRequired',
    });
    expect(
      readWhen({ local: '2025-02-01T09:00', zone: NY, durationMinutes: 50 }, NOW),
    ).toMatchObject({
      error: 'past',
    });
    expect(
      readWhen({ local: '2025-03-10T09:00', zone: NY, durationMinutes: 4 }, NOW),
    ).toMatchObject({
      field: 'duration',
    });
    expect(
      readWhen({ local: '2025-03-10T09:00', zone: NY, durationMinutes: 481 }, NOW),
    ).toMatchObject({
      field: 'duration',
    });
  });
});
