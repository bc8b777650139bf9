// @vitest-environment happy-dom
import type { Room } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { mountWithApp } from '../testing/mount-app';
import RoomCard from './RoomCard.vue';

afterEach(() => {
  document.body.innerHTML = '';
});

const base: Room = {
  id: '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12',
  code: 'abc-defg-hjkm',
  name: 'Weekly sync',
  visibility: 'private',
  entry: 'open',
  chatEnabled: true,
  maxParticipants: 12,
  locked: false,
  kind: 'meeting',
  status: 'open',
  hostId: '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11',
  hostDisplayName: 'Ada',
  createdAt: '2025-01-01T10:00:00.000Z',
  closedAt: null,
  participantCount: 0,
  instant: false,
  meetingStartedAt: null,
  myStatus: 'approved',
  myRole: 'host',
};

async function card(extra: Partial<Room> = {}) {
  const { wrapper } = await mountWithApp(RoomCard, { props: { room: { ...base, ...extra } } });
  return wrapper;
}

describe('a room card', () => {
  it('says "Open" once at most: the entry rule, never as a status or a button', async () => {
    const w = await card();
    expect(w.find('[data-testid="room-state"]').text()).toBe('Not started');
    expect(w.find('[data-testid="room-details"]').text()).toContain('Open to anyone with the code');
    expect(w.find('[data-testid="room-open"]').text()).toBe('Start');
    expect(w.text().match(/\bOpen\b/g)).toHaveLength(1);
  });

  it('shows a meeting going on with its head count and a Join button', async () => {
    const w = await card({ participantCount: 3, myRole: 'participant', entry: 'approval' });
    expect(w.findAll('[data-testid="room-state"]')).toHaveLength(1);
    expect(w.find('[data-testid="room-state"]').text()).toBe('Live · 3 people');
    expect(w.find('[data-testid="room-open"]').text()).toBe('Join');
    expect(w.find('[data-testid="room-open"]').attributes('aria-label')).toBe('Join Weekly sync');
    expect(w.find('[data-testid="room-details"]').text()).toBe('Host approval');
  });

  it('marks an instant room and an ended one (which has no button)', async () => {
    const instant = await card({ instant: true });
    expect(instant.find('[data-testid="room-state"]').text()).toBe('Instant');
    expect(instant.find('[data-testid="room-details"]').text()).toContain('Closes when left empty');
    const ended = await card({ status: 'closed', closedAt: '2025-01-02T10:00:00.000Z' });
    expect(ended.find('[data-testid="room-state"]').text()).toBe('Ended');
    expect(ended.find('[data-testid="room-open"]').exists()).toBe(false);
  });

  it('reads in Russian', async () => {
    const { wrapper } = await mountWithApp(RoomCard, {
      props: { room: { ...base, participantCount: 5 } },
      locale: 'ru',
    });
    expect(wrapper.find('[data-testid="room-state"]').text()).toBe('Идёт · 5 участников');
    expect(wrapper.find('[data-testid="room-open"]').text()).toBe('Войти');
  });
});
