import type { Room } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { entryStep } from './entry-step';

const HOST = '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11';
const ME = '7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

function room(
  entry: Room['entry'],
  mine: Partial<Pick<Room, 'myStatus' | 'myRole'>> = {},
): Pick<Room, 'entry' | 'hostId' | 'myStatus' | 'myRole'> {
  return { entry, hostId: HOST, myStatus: null, myRole: null, ...mine };
}

describe('the pre-join entry step', () => {
  it('newcomers follow the room: straight in, password, or a knock', () => {
    expect(entryStep(room('open'), ME)).toBe('join');
    expect(entryStep(room('password'), ME)).toBe('password');
    expect(entryStep(room('approval'), ME)).toBe('knock');
    expect(entryStep(room('approval'), undefined)).toBe('knock');
  });

  it('the host never knocks on their own room, nor types its password', () => {
    for (const entry of ['approval', 'password'] as const) {
      expect(entryStep(room(entry, { myStatus: 'approved', myRole: 'host' }), HOST)).toBe('join');
      // Left the call earlier: still the host.
      expect(entryStep(room(entry, { myStatus: 'left', myRole: 'host' }), HOST)).toBe('join');
      // Even before the server has a standing for them.
      expect(entryStep(room(entry), HOST)).toBe('join');
    }
  });

  it('a co-host who left comes back without knocking', () => {
    expect(entryStep(room('approval', { myStatus: 'left', myRole: 'cohost' }), ME)).toBe('join');
  });

  it('people admitted earlier who left keep the admission: no knock, no password', () => {
    expect(entryStep(room('approval', { myStatus: 'left', myRole: 'participant' }), ME)).toBe(
      'join',
    );
    expect(entryStep(room('password', { myStatus: 'left', myRole: 'participant' }), ME)).toBe(
      'join',
    );
    expect(entryStep(room('approval', { myStatus: 'approved', myRole: 'participant' }), ME)).toBe(
      'join',
    );
  });

  it('someone already in the lobby (an invite of an approval room) waits there', () => {
    expect(entryStep(room('approval', { myStatus: 'pending' }), ME)).toBe('waiting');
  });
});
