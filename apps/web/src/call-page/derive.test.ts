import { describe, expect, it } from 'vitest';
import { aloneHint, meetingTime, peopleOf, same } from './derive';
import type { LocalState, RemoteTile } from './types';

describe('derived rules of the call page', () => {
  it('the meeting time counts from the server’s start; 00:00 until it is known', () => {
    expect(meetingTime(null, 5_000)).toBe('00:00');
    expect(meetingTime(1_000, 66_000)).toBe('01:05');
    expect(meetingTime(0, 3_725_000)).toBe('1:02:05');
    // A start a little ahead of the estimated server time never shows a negative time.
    expect(meetingTime(10_000, 9_500)).toBe('00:00');
  });

  it('an unchanged list keeps its identity; a changed one is new', () => {
    const prev = [{ a: 1, b: 'x' }];
    expect(same(prev, [{ a: 1, b: 'x' }])).toBe(prev);
    const changed = [{ a: 2, b: 'x' }];
    expect(same(prev, changed)).toBe(changed);
    expect(same(prev, [...prev, { a: 3, b: 'y' }])).not.toBe(prev);
    const obj = { x: 1 };
    expect(same(obj, { x: 1 })).toBe(obj);
    expect(same<{ x: number } | undefined>(obj, undefined)).toBeUndefined();
  });

  it('a field that is a fresh copy of the same record does not make a tile new', () => {
    const prev = [{ id: 'c_1', health: { state: 'connected', repairs: 0 } }];
    expect(same(prev, [{ id: 'c_1', health: { state: 'connected', repairs: 0 } }])).toBe(prev);
    const repaired = [{ id: 'c_1', health: { state: 'connected', repairs: 1 } }];
    expect(same(prev, repaired)).toBe(repaired);
    // Anything not a plain record (a track, a stream, a list) still compares by identity.
    class Track {}
    const withTrack = [{ id: 'c_1', track: new Track() }];
    const otherTrack = [{ id: 'c_1', track: new Track() }];
    expect(same(withTrack, otherTrack)).toBe(otherTrack);
    const withList = [{ id: 'c_1', videos: [1] }];
    const otherList = [{ id: 'c_1', videos: [1] }];
    expect(same(withList, otherList)).toBe(otherList);
  });

  it('a set keeps its identity while its members are the same', () => {
    const prev = new Set(['u-1', 'u-2']);
    expect(same(prev, new Set(['u-2', 'u-1']))).toBe(prev);
    const other = new Set(['u-1', 'u-3']);
    expect(same(prev, other)).toBe(other);
    const fewer = new Set(['u-1']);
    expect(same(prev, fewer)).toBe(fewer);
    const empty = new Set<string>();
    expect(same(new Set<string>(), empty)).not.toBe(empty);
  });

  it('each person’s place in the raised-hand queue is computed once, mine by the server’s echo', () => {
    const remote = (name: string, handRaisedAt: number | null) =>
      ({
        connectionId: `c_${name}`,
        userId: `u-${name}`,
        name,
        isGuest: false,
        role: 'participant',
        joinedAt: '2025-01-01T10:00:00.000Z',
        audio: true,
        video: true,
        screen: false,
        handRaisedAt,
      }) as RemoteTile;
    const local = { handRaised: true, micOn: true, cameraOn: true, sharing: false } as LocalState;
    const me = (handRaisedAt: string | null | undefined) => ({
      connectionId: 'c_me',
      userId: 'u-me',
      name: 'Me',
      isGuest: false,
      role: 'participant' as const,
      handRaisedAt,
    });
    const remotes = [remote('Ann', 3_000), remote('Bob', null), remote('Cleo', 1_000)];
    const places = (handRaisedAt: string | null | undefined) =>
      peopleOf(remotes, me(handRaisedAt), local).map((p) => [p.name, p.handPosition]);
    // The server says my hand went up between Cleo's and Ann's.
    expect(places(new Date(2_000).toISOString())).toEqual([
      ['Ann', 3],
      ['Bob', null],
      ['Cleo', 1],
      ['Me', 2],
    ]);
    // Raised but not echoed yet: last.
    expect(places(undefined)).toEqual([
      ['Ann', 2],
      ['Bob', null],
      ['Cleo', 1],
      ['Me', 3],
    ]);
  });

  it('alone in a connected call: a direct call waits for the other, a meeting shows the card', () => {
    const base = {
      state: { kind: 'in-call' } as const,
      connection: 'connected' as const,
      others: 0,
      dismissed: false,
      direct: false,
      appointmentRoom: false,
    };
    expect(aloneHint(base)).toBe('card');
    expect(aloneHint({ ...base, direct: true })).toBe('direct-waiting');
    expect(aloneHint({ ...base, dismissed: true })).toBeNull();
    expect(aloneHint({ ...base, appointmentRoom: true })).toBeNull();
    expect(aloneHint({ ...base, others: 1 })).toBeNull();
    expect(aloneHint({ ...base, connection: 'reconnecting' })).toBeNull();
    expect(aloneHint({ ...base, state: { kind: 'joining' } })).toBeNull();
  });
});
