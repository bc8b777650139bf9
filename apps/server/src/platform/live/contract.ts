import type { RosterEntry, ServerMessage } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import type { Envelope, LiveState } from './index.js';
import { PRESENCE_KEY } from './presence.js';

/**
 * The behaviour every live-state implementation owes the app, written once. The memory
 * implementation runs it in live.contract.test.ts; the Redis one will run the same suite.
 * Time is the app clock's (a ManualClock here), never the store's own.
 */
export function liveStateContract(name: string, make: (clock: ManualClock) => Promise<LiveState>) {
  describe(`live state contract: ${name}`, () => {
    let clock: ManualClock;
    let live: LiveState;
    beforeEach(async () => {
      clock = new ManualClock();
      live = await make(clock);
    });
    afterEach(async () => {
      await live.close();
    });

    const roomId = '00000000-0000-4000-8000-000000000001';
    const entry = (connectionId: string, userId: string): RosterEntry => ({
      connectionId,
      userId,
      displayName: userId,
      isGuest: false,
      role: 'participant',
      media: { audio: true, video: true, screen: false, handRaised: false },
      joinedAt: clock.now().toISOString(),
      handRaisedAt: null,
    });
    const uid = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;

    describe('bus', () => {
      it('serializes a message once and hands every subscriber the same envelope', async () => {
        const seen: Envelope[][] = [[], []];
        const offs = seen.map((list) => live.bus.subscribe((e) => list.push(e)));
        const msg: ServerMessage = { type: 'lobby.admitted', roomId };
        await live.bus.toUser(uid(1), msg);
        await live.bus.toRoom(roomId, msg, { exceptConnectionId: 'c1' });
        await live.bus.toConnection('c2', msg);
        await waitFor(() => seen[1]?.length === 3);
        expect(seen[0]).toEqual(seen[1]);
        expect(seen[0]?.map((e) => e.to)).toEqual([
          { kind: 'user', userId: uid(1) },
          { kind: 'room', roomId, exceptConnectionId: 'c1' },
          { kind: 'connection', connectionId: 'c2' },
        ]);
        expect(JSON.parse(seen[0]?.[0]?.payload ?? '')).toEqual(msg);
        expect(seen[0]?.[0]?.type).toBe('lobby.admitted');
        expect(seen[0]?.[0]?.effect).toBeUndefined();
        offs.forEach((off) => off());
      });

      it('marks a kick and a closed room with the effect sockets must apply, from typed fields', async () => {
        const seen: Envelope[] = [];
        const off = live.bus.subscribe((e) => seen.push(e));
        await live.bus.toUser(uid(1), { type: 'participant.kicked', roomId });
        await live.bus.toRoom(roomId, { type: 'room.closed', roomId, reason: 'ended' });
        await waitFor(() => seen.length === 2);
        expect(seen.map((e) => e.effect)).toEqual([
          { kind: 'leave-room', roomId, because: 'kicked' },
          { kind: 'leave-room', roomId, because: 'room-closed' },
        ]);
        off();
      });

      it('delivers domain events to the handlers of that type only; a failing handler does not reach the emitter', async () => {
        const got: string[] = [];
        live.bus.on('room.closed', () => {
          throw new Error('handler bug');
        });
        live.bus.on('room.closed', (e) => {
          got.push(`closed ${e.roomId}`);
        });
        const off = live.bus.on('user.disabled', (e) => {
          got.push(`disabled ${e.userId}`);
        });
        await live.bus.emit({ type: 'room.closed', roomId, reason: 'ended' });
        await live.bus.emit({ type: 'user.disabled', userId: uid(2) });
        // Redis delivers after emit returns: the handler comes off once it has heard uid(2).
        await waitFor(() => got.length >= 2);
        off();
        await live.bus.emit({ type: 'user.disabled', userId: uid(3) });
        // Events keep their order: once a later one is heard, uid(3)'s has been dispatched.
        const laterRoom = '00000000-0000-4000-8000-000000000099';
        await live.bus.emit({ type: 'room.closed', roomId: laterRoom, reason: 'ended' });
        await waitFor(() => got.length >= 3);
        expect(got).toEqual([`closed ${roomId}`, `disabled ${uid(2)}`, `closed ${laterRoom}`]);
      });
    });

    describe('roster', () => {
      it('adds and removes atomically, returning the counts of the room and of the user', async () => {
        const { roster } = live;
        expect(await roster.add(roomId, entry('c1', uid(1)), 'p1')).toEqual({
          connections: 1,
          userConnections: 1,
        });
        expect(await roster.add(roomId, entry('c2', uid(1)), 'p2')).toEqual({
          connections: 2,
          userConnections: 2,
        });
        expect(await roster.add(roomId, entry('c3', uid(2)), 'p1')).toEqual({
          connections: 3,
          userConnections: 1,
        });
        expect(await roster.countUsers(roomId)).toBe(2);
        expect(await roster.countUserConnections(roomId, uid(1))).toBe(2);
        const removed = await roster.remove(roomId, 'c1');
        expect(removed?.entry.connectionId).toBe('c1');
        expect(removed?.counts).toEqual({ connections: 2, userConnections: 1 });
        // The second remover learns it was already gone: the notice goes out once.
        expect(await roster.remove(roomId, 'c1')).toBeUndefined();
        expect((await roster.list(roomId)).map((e) => e.connectionId).sort()).toEqual(['c2', 'c3']);
      });

      it('counts a connection added again (replaced) once, and forgets a user with none left', async () => {
        const { roster } = live;
        await roster.add(roomId, entry('c1', uid(1)), 'p1');
        expect(await roster.add(roomId, entry('c1', uid(1)), 'p2')).toEqual({
          connections: 1,
          userConnections: 1,
        });
        await roster.add(roomId, entry('c2', uid(2)), 'p1');
        expect(await roster.remove(roomId, 'c1')).toMatchObject({
          counts: { connections: 1, userConnections: 0 },
        });
        expect(await roster.countUserConnections(roomId, uid(1))).toBe(0);
        expect(await roster.countUsers(roomId)).toBe(1);
        expect(await roster.countUsersOfRooms([roomId])).toEqual([1]);
        await roster.remove(roomId, 'c2');
        expect(await roster.countUsers(roomId)).toBe(0);
        // The room starts afresh.
        expect(await roster.add(roomId, entry('c3', uid(2)), 'p1')).toEqual({
          connections: 1,
          userConnections: 1,
        });
      });

      it('updates media and roles in place, and clear empties the room', async () => {
        const { roster } = live;
        await roster.add(roomId, entry('c1', uid(1)), 'p1');
        await roster.add(roomId, entry('c2', uid(1)), 'p1');
        const media = { audio: false, video: false, screen: true, handRaised: true };
        expect((await roster.update(roomId, 'c1', { media }))?.media).toEqual(media);
        expect(await roster.update(roomId, 'nope', { media })).toBeUndefined();
        expect((await roster.get(roomId, 'c1'))?.media).toEqual(media);
        const changed = await roster.setRoleForUser(roomId, uid(1), 'cohost');
        expect(changed.map((e) => e.role)).toEqual(['cohost', 'cohost']);
        expect(await roster.setRoleForUser(roomId, uid(1), 'cohost')).toEqual([]);
        await roster.clear(roomId);
        expect(await roster.list(roomId)).toEqual([]);
        expect(await roster.countUsers(roomId)).toBe(0);
      });

      it("sweeps exactly the entries of a process whose lease ran out, once, with the rooms' new counts", async () => {
        const { roster } = live;
        const now = clock.now().getTime();
        expect(await roster.heartbeat('alive', now + 30_000)).toBe(false); // the first one
        expect(await roster.heartbeat('alive', now + 30_000)).toBe(true);
        await roster.heartbeat('dead', now + 30_000);
        await roster.add(roomId, entry('c1', uid(1)), 'alive');
        await roster.add(roomId, entry('c2', uid(2)), 'dead');
        await roster.add(roomId, entry('c3', uid(2)), 'dead');
        expect(await roster.sweep(now + 10_000)).toEqual([]);

        await roster.heartbeat('alive', now + 60_000); // 'dead' stops renewing
        // A process never sweeps itself, however late its own renewal is.
        expect(await roster.sweep(now + 31_000, 'dead')).toEqual([]);
        const swept = await roster.sweep(now + 31_000);
        expect(swept.map((s) => s.entry.connectionId).sort()).toEqual(['c2', 'c3']);
        expect(swept.every((s) => s.roomId === roomId)).toBe(true);
        // The last of the user's entries to go reports that the user is gone.
        expect(swept.map((s) => s.counts.userConnections).sort()).toEqual([0, 1]);
        expect(await roster.sweep(now + 31_000)).toEqual([]);
        expect((await roster.list(roomId)).map((e) => e.connectionId)).toEqual(['c1']);
        // Back after being swept: the process learns it lost its lease (and its entries).
        expect(await roster.heartbeat('dead', now + 90_000)).toBe(false);
        expect(await roster.heartbeat('alive', now + 90_000)).toBe(true);
      });

      it('an entry added again by another process (a resumed connection) moves to it: sweeping the old owner leaves it', async () => {
        const { roster } = live;
        const now = clock.now().getTime();
        await roster.heartbeat('old', now + 1_000);
        await roster.heartbeat('new', now + 60_000);
        await roster.add(roomId, entry('c1', uid(1)), 'old');
        expect(await roster.add(roomId, entry('c1', uid(1)), 'new')).toEqual({
          connections: 1,
          userConnections: 1,
        });
        expect(await roster.sweep(now + 2_000)).toEqual([]);
        expect((await roster.list(roomId)).map((e) => e.connectionId)).toEqual(['c1']);
        // The old owner leaving late does not take it out; the new owner can.
        expect(await roster.remove(roomId, 'c1', 'old')).toBeUndefined();
        expect((await roster.remove(roomId, 'c1', 'new'))?.entry.connectionId).toBe('c1');
      });

      it('totals count rooms with anyone in them, distinct people per room and people online, across processes', async () => {
        const { roster } = live;
        const now = clock.now().getTime();
        await roster.heartbeat('p1', now + 30_000);
        await roster.heartbeat('p2', now + 30_000);
        expect(await roster.totals()).toEqual({ rooms: 0, participants: 0, usersOnline: 0 });
        const other = '00000000-0000-4000-8000-000000000002';
        await roster.add(roomId, entry('c1', uid(1)), 'p1');
        await roster.add(roomId, entry('c2', uid(1)), 'p2'); // the same person in two tabs
        await roster.add(roomId, entry('c3', uid(2)), 'p2');
        await roster.add(other, entry('c4', uid(1)), 'p1');
        await roster.add(PRESENCE_KEY, entry('c1', uid(1)), 'p1');
        await roster.add(PRESENCE_KEY, entry('c3', uid(2)), 'p2');
        await roster.add(PRESENCE_KEY, entry('c5', uid(3)), 'p2');
        expect(await roster.totals()).toEqual({ rooms: 2, participants: 3, usersOnline: 3 });
        await roster.clear(other);
        await roster.remove(roomId, 'c3');
        expect(await roster.totals()).toEqual({ rooms: 1, participants: 1, usersOnline: 3 });
      });
    });

    describe('roster reads in batches', () => {
      it('counts the people of many rooms and the connections of many users in one call, in the order asked', async () => {
        const { roster } = live;
        const other = '00000000-0000-4000-8000-000000000002';
        const empty = '00000000-0000-4000-8000-000000000003';
        await roster.add(roomId, entry('c1', uid(1)), 'p1');
        await roster.add(roomId, entry('c2', uid(1)), 'p2'); // one person, two tabs
        await roster.add(roomId, entry('c3', uid(2)), 'p1');
        await roster.add(other, entry('c4', uid(3)), 'p2');
        expect(await roster.countUsersOfRooms([empty, roomId, other])).toEqual([0, 2, 1]);
        expect(await roster.countUsersOfRooms([])).toEqual([]);
        expect(await roster.countConnectionsOfUsers(roomId, [uid(2), uid(3), uid(1)])).toEqual([
          1, 0, 2,
        ]);
        expect(await roster.countConnectionsOfUsers(empty, [uid(1)])).toEqual([0]);
        expect(await roster.countConnectionsOfUsers(roomId, [])).toEqual([]);
      });
    });

    describe('socket counts', () => {
      it('counts sockets per key up to the limit, atomically; a released socket frees its place', async () => {
        const { socketCounts: counts } = live;
        const taken = await Promise.all(
          ['s1', 's2', 's3', 's4', 's5'].map((id, i) =>
            counts.take('ip:192.0.2.1', id, i % 2 ? 'p1' : 'p2', 3),
          ),
        );
        // However the five raced, exactly three got a place.
        expect(taken.filter(Boolean)).toHaveLength(3);
        expect(await counts.count('ip:192.0.2.1')).toBe(3);
        const inside = ['s1', 's2', 's3', 's4', 's5'].filter((_, i) => taken[i]);
        // Taking again what is counted is no second place, and is not refused.
        expect(await counts.take('ip:192.0.2.1', inside[0]!, 'p1', 3)).toBe(true);
        expect(await counts.count('ip:192.0.2.1')).toBe(3);
        // Keys are counted apart.
        expect(await counts.take('user:u1', 's1', 'p1', 1)).toBe(true);
        expect(await counts.take('user:u1', 's9', 'p1', 1)).toBe(false);

        await counts.release('ip:192.0.2.1', inside[1]!);
        await counts.release('ip:192.0.2.1', 'never-counted');
        expect(await counts.count('ip:192.0.2.1')).toBe(2);
        expect(await counts.take('ip:192.0.2.1', 's6', 'p1', 3)).toBe(true);
        expect(await counts.take('ip:192.0.2.1', 's7', 'p1', 3)).toBe(false);
      });

      it('sweeps the sockets of a process whose lease ran out (never self, never one not yet leased); drop gives all back', async () => {
        const { socketCounts: counts } = live;
        const now = clock.now().getTime();
        expect(await counts.heartbeat('alive', now + 30_000)).toBe(false); // the first one
        expect(await counts.heartbeat('alive', now + 30_000)).toBe(true);
        await counts.heartbeat('dead', now + 30_000);
        await counts.take('ip:a', 's1', 'alive', 10);
        await counts.take('ip:a', 's2', 'dead', 10);
        await counts.take('ip:b', 's3', 'dead', 10);
        await counts.take('ip:a', 's4', 'starting', 10); // no lease yet
        expect(await counts.sweep(now + 10_000)).toBe(0);

        await counts.heartbeat('alive', now + 60_000); // 'dead' stops renewing
        expect(await counts.sweep(now + 31_000, 'dead')).toBe(0);
        expect(await counts.sweep(now + 31_000)).toBe(2);
        expect(await counts.sweep(now + 31_000)).toBe(0);
        expect(await counts.count('ip:a')).toBe(2); // s1 and the starting process's s4
        expect(await counts.count('ip:b')).toBe(0);
        // Back after being swept: the process learns it must count its sockets again.
        expect(await counts.heartbeat('dead', now + 90_000)).toBe(false);

        await counts.drop('alive');
        expect(await counts.count('ip:a')).toBe(1);
        expect(await counts.heartbeat('alive', now + 90_000)).toBe(false);
      });
    });

    describe('locks', () => {
      it('runs the tasks of one key one at a time in order, even after a failure; other keys run alongside', async () => {
        const log: string[] = [];
        const gates = new Map<string, () => void>();
        const task =
          (name: string, fail = false) =>
          async () => {
            log.push(`${name}:start`);
            await new Promise<void>((resolve) => gates.set(name, resolve));
            log.push(`${name}:end`);
            if (fail) throw new Error(name);
            return name;
          };
        const results = Promise.allSettled([
          live.locks.run('a', task('a1', true)),
          live.locks.run('a', task('a2')),
          live.locks.run('b', task('b1')),
        ]);
        await waitFor(() => gates.has('a1') && gates.has('b1'));
        expect(gates.has('a2')).toBe(false); // a2 waits for a1
        gates.get('b1')?.();
        gates.get('a1')?.();
        await waitFor(() => gates.has('a2'));
        gates.get('a2')?.();
        expect((await results).map((r) => r.status)).toEqual([
          'rejected',
          'fulfilled',
          'fulfilled',
        ]);
        expect(log.indexOf('a1:end')).toBeLessThan(log.indexOf('a2:start'));
      });
    });

    describe('deadlines', () => {
      it('hands each due key to exactly one taker; moving and cancelling work, prefixes too', async () => {
        const d = live.deadlines('test');
        const other = live.deadlines('other');
        const t = clock.now().getTime();
        await d.set('r1/u1', t + 100);
        await d.set('r1/u2', t + 100);
        await d.set('r2/u1', t + 100);
        await d.set('r3/u1', t + 100);
        await d.set('r3/u1', t + 500); // moved
        await other.set('r1/u1', t); // another namespace
        await d.cancel('r1/u2');
        expect(await d.get('r1/u1')).toBe(t + 100);
        expect(await d.takeDue(t + 99, 10)).toEqual([]);
        const [a, b] = await Promise.all([d.takeDue(t + 100, 10), d.takeDue(t + 100, 10)]);
        expect([...(a ?? []), ...(b ?? [])].sort()).toEqual(['r1/u1', 'r2/u1']);
        expect(await d.get('r1/u1')).toBeUndefined();
        await d.set('r4/u1', t);
        await d.set('r4/u2', t);
        await d.cancelPrefix('r4/');
        expect(await d.takeDue(t + 1000, 10)).toEqual(['r3/u1']);
        expect(await other.takeDue(t, 10)).toEqual(['r1/u1']);
      });

      it('takes at most `limit` keys at a time', async () => {
        const d = live.deadlines('test');
        const t = clock.now().getTime();
        for (let i = 0; i < 5; i++) await d.set(`k${i}`, t);
        expect(await d.takeDue(t, 2)).toHaveLength(2);
        expect(await d.takeDue(t, 10)).toHaveLength(3);
      });
    });

    describe('limits', () => {
      it('attempts: blocks a key after the limit until the window ends; reset forgives', async () => {
        const a = live.attempts('test', { limit: 3, windowMs: 60_000 });
        for (let i = 0; i < 3; i++) {
          expect(await a.blockedFor('k')).toBe(0);
          expect(await a.fail('k')).toEqual({ count: i + 1, resetInMs: 60_000 - i * 1000 });
          clock.advance(1000);
        }
        clock.advance(-3000);
        expect(await a.blockedFor('k')).toBe(60);
        expect(await a.blockedFor('other')).toBe(0);
        clock.advance(59_000);
        expect(await a.blockedFor('k')).toBe(1);
        clock.advance(1_000);
        expect(await a.blockedFor('k')).toBe(0);
        for (let i = 0; i < 3; i++) await a.fail('k');
        await a.reset('k');
        expect(await a.blockedFor('k')).toBe(0);
      });

      it('backoff: free failures, then a lockout that doubles up to the cap; forgotten after a quiet spell; reset forgives', async () => {
        const b = live.backoff('test', {
          after: 3,
          baseMs: 10_000,
          maxMs: 35_000,
          forgetAfterMs: 600_000,
        });
        const other = live.backoff('other', {
          after: 1,
          baseMs: 1000,
          maxMs: 1000,
          forgetAfterMs: 1000,
        });
        expect(await b.fail('k')).toEqual({ count: 1, lockedForMs: 0 });
        expect(await b.fail('k')).toEqual({ count: 2, lockedForMs: 0 });
        expect(await b.blockedFor('k')).toBe(0);
        expect(await b.fail('k')).toEqual({ count: 3, lockedForMs: 10_000 });
        expect(await b.blockedFor('k')).toBe(10);
        expect(await b.blockedFor('j')).toBe(0);
        expect(await other.blockedFor('k')).toBe(0);
        clock.advance(9_500);
        expect(await b.blockedFor('k')).toBe(1);
        clock.advance(500);
        expect(await b.blockedFor('k')).toBe(0);
        expect(await b.fail('k')).toEqual({ count: 4, lockedForMs: 20_000 });
        expect(await b.fail('k')).toEqual({ count: 5, lockedForMs: 35_000 });
        expect(await b.blockedFor('k')).toBe(35);
        expect(await b.fail('k')).toEqual({ count: 6, lockedForMs: 35_000 });
        // Ten quiet minutes after the last failure: a fresh start.
        clock.advance(600_000);
        expect(await b.blockedFor('k')).toBe(0);
        expect(await b.fail('k')).toEqual({ count: 1, lockedForMs: 0 });
        for (let i = 0; i < 3; i++) await b.fail('r');
        expect(await b.blockedFor('r')).toBe(10);
        await b.reset('r');
        expect(await b.blockedFor('r')).toBe(0);
        expect(await b.fail('r')).toEqual({ count: 1, lockedForMs: 0 });
      });

      it('rates: a burst, then one per refill period, with the wait in milliseconds', async () => {
        const r = live.rates('test', { burst: 2, perSecond: 1 });
        expect(await r.take('k')).toBe(0);
        expect(await r.take('k')).toBe(0);
        expect(await r.take('k')).toBe(1000);
        clock.advance(1000);
        expect(await r.take('k')).toBe(0);
        expect(await r.take('j')).toBe(0);
      });
    });

    describe('store', () => {
      it('updates as one step from the initial value; a throwing change stores nothing', async () => {
        const s = live.store<{ n: number }>('test');
        expect(await s.get('a')).toBeUndefined();
        const results = await Promise.all(
          Array.from({ length: 10 }, () => s.update('a', { n: 0 }, (c) => ({ n: c.n + 1 }))),
        );
        expect(results.map((r) => r.n).sort((x, y) => x - y)).toEqual([
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        ]);
        await expect(
          s.update('a', { n: 0 }, () => {
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        expect(await s.get('a')).toEqual({ n: 10 });
        expect(await s.size()).toBe(1);
        await s.delete('a');
        expect(await s.get('a')).toBeUndefined();
        expect(await s.size()).toBe(0);
      });
    });
  });
}

/** Polls a condition (a Redis implementation delivers asynchronously); the bound only ends a failing test. */
async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
