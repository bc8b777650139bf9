import type { ParticipantRole } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { handoverCandidates, leaveChoice } from './leave';
import type { RemoteTile } from './types';

function tile(
  name: string,
  o: { role?: ParticipantRole; isGuest?: boolean; joinedAt?: string; userId?: string } = {},
): RemoteTile {
  return {
    connectionId: `c-${name}-${o.joinedAt ?? ''}`,
    userId: o.userId ?? `u-${name}`,
    name,
    isGuest: o.isGuest ?? false,
    role: o.role ?? 'participant',
    joinedAt: o.joinedAt ?? '2025-01-01T10:00:00.000Z',
    audio: true,
    video: true,
    screen: false,
    handRaisedAt: null,
    videoTrack: undefined,
    screenTrack: undefined,
    audioTrack: undefined,
    connectionState: 'connected',
    health: { state: 'connected', step: 'none', repairs: 0 },
    quality: 'good',
    stats: undefined,
  };
}

const host = { userId: 'u-me', role: 'host' as const };

describe('what Leave asks', () => {
  it('a participant is not asked', () => {
    expect(leaveChoice({ userId: 'u-me', role: 'participant' }, [tile('bob')])).toBeNull();
  });

  it('a host alone, or with another host or co-host staying, chooses between leaving and ending', () => {
    expect(leaveChoice(host, [])).toEqual({ kind: 'leave-or-end' });
    expect(leaveChoice(host, [tile('bob', { role: 'cohost' }), tile('cat')])).toEqual({
      kind: 'leave-or-end',
    });
  });

  it('my own other tab staying keeps moderation in the call', () => {
    expect(leaveChoice(host, [tile('me', { userId: 'u-me', role: 'host' }), tile('bob')])).toEqual({
      kind: 'leave-or-end',
    });
  });

  it('the last moderator with others present is asked whom to hand over to', () => {
    expect(leaveChoice(host, [tile('bob')])).toEqual({
      kind: 'handover',
      candidates: [{ userId: 'u-bob', name: 'bob', isGuest: false }],
      suggested: 'u-bob',
    });
  });
});

describe('hand-over candidates', () => {
  it('accounts before guests, each longest present first, one entry per person', () => {
    const list = handoverCandidates([
      tile('guest-early', { isGuest: true, joinedAt: '2025-01-01T09:00:00.000Z' }),
      tile('bob', { joinedAt: '2025-01-01T10:05:00.000Z' }),
      tile('cat', { joinedAt: '2025-01-01T10:01:00.000Z' }),
      tile('bob', { joinedAt: '2025-01-01T10:00:00.000Z' }),
    ]);
    expect(list.map((c) => c.name)).toEqual(['bob', 'cat', 'guest-early']);
  });
});
