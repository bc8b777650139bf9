import type { Appointment } from '@parley/protocol';

export const PROVIDER = { id: '11111111-1111-4111-8111-111111111111', displayName: 'Dr Provider' };
export const CLIENT = { id: '22222222-2222-4222-8222-222222222222', displayName: 'Carl Client' };

export const apptId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A confirmed, paid 50-minute appointment at `startsAt`, seen by its provider. */
export function makeAppointment(
  over: Partial<Appointment> & { startsAt?: string } = {},
): Appointment {
  const startsAt = over.startsAt ?? '2025-06-01T10:00:00.000Z';
  const start = Date.parse(startsAt);
  const duration = over.durationMinutes ?? 50;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: apptId(1),
    title: 'Session',
    provider: PROVIDER,
    client: CLIENT,
    startsAt,
    endsAt: iso(start + duration * 60_000),
    durationMinutes: duration,
    status: 'confirmed',
    paymentStatus: 'paid',
    notes: null,
    myRole: 'provider',
    opensAt: iso(start - 15 * 60_000),
    closesAt: iso(start + 120 * 60_000),
    room: null,
    cancelledAt: null,
    cancelledBy: null,
    cancelReason: null,
    callStartedAt: null,
    callEndedAt: null,
    callDurationSeconds: null,
    callDurationMinutes: null,
    providerJoinedAt: null,
    clientJoinedAt: null,
    createdAt: '2025-05-01T10:00:00.000Z',
    updatedAt: '2025-05-01T10:00:00.000Z',
    ...over,
  };
}
