import type { Room } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { roomCard, sortRooms } from './room-card';

type CardRoom = Pick<Room, 'status' | 'participantCount' | 'instant' | 'myRole' | 'createdAt'>;

const room = (extra: Partial<CardRoom> = {}): CardRoom => ({
  status: 'open',
  participantCount: 0,
  instant: false,
  myRole: 'host',
  createdAt: '2025-01-01T10:00:00.000Z',
  ...extra,
});

describe('room card state', () => {
  it('a meeting going on is live with its head count, and everyone joins it', () => {
    const card = roomCard(room({ participantCount: 3 }));
    expect(card.state).toEqual({ kind: 'live', people: 3 });
    expect(card.action).toBe('join');
    expect(roomCard(room({ participantCount: 1, myRole: 'participant' })).action).toBe('join');
    // An instant room in use is live, not "instant": one label per card.
    expect(roomCard(room({ participantCount: 2, instant: true })).state.kind).toBe('live');
  });

  it('an empty room is started by its host or co-host and joined by the others', () => {
    expect(roomCard(room()).state).toEqual({ kind: 'idle' });
    expect(roomCard(room()).action).toBe('start');
    expect(roomCard(room({ myRole: 'cohost' })).action).toBe('start');
    expect(roomCard(room({ myRole: 'participant' })).action).toBe('join');
    expect(roomCard(room({ myRole: null })).action).toBe('join');
  });

  it('an empty instant room says it is instant (it closes when left empty)', () => {
    expect(roomCard(room({ instant: true })).state).toEqual({ kind: 'instant' });
  });

  it('an ended room is ended and offers no button', () => {
    const card = roomCard(room({ status: 'closed', participantCount: 0 }));
    expect(card).toMatchObject({ state: { kind: 'ended' }, action: null });
  });

  it('lists live meetings first, then rooms to start, ended ones last, newest first', () => {
    const at = (d: number) => `2025-01-0${d}T10:00:00.000Z`;
    const ended = room({ status: 'closed', createdAt: at(9) });
    const idleOld = room({ createdAt: at(1) });
    const idleNew = room({ createdAt: at(5) });
    const live = room({ participantCount: 2, createdAt: at(2) });
    expect(sortRooms([ended, idleOld, live, idleNew])).toEqual([live, idleNew, idleOld, ended]);
  });
});
