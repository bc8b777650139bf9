import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/harness.js';
import { JoinRefused } from '../signaling/test-client.js';
import type { Person } from '../signaling/test-server.js';
import { CallsServer, flush } from './test-calls.js';

// A direct call's room belongs to its two parties: nobody else can find, join, read or
// be invited into it, and nobody (the parties included) can moderate it.

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

describe.each(dialects)('the room of a direct call on %s', (dialect) => {
  let c: CallsServer;
  beforeAll(async () => {
    c = await CallsServer.start(dialect);
  });
  afterEach(async () => {
    await c.closeClients();
  });
  afterAll(async () => {
    await c.close();
  });

  const answer = async (method: Method, url: string, who: Person, body?: unknown) => {
    const res = await c.s.api(method, url, who, body);
    const code = (res.body.error as { code?: string } | undefined)?.code;
    return code ? `${res.status} ${code}` : String(res.status);
  };

  async function callRoom() {
    const [alice, bob] = [await c.member('alice'), await c.member('bob')];
    const call = await c.accepted(alice, bob);
    return { alice, bob, call, room: call.room! };
  }

  it('a third person gets exactly the answer for a room that does not exist, by HTTP and by socket', async () => {
    const { alice, bob, room } = await callRoom();
    const eve = await c.member('eve');
    const unknown = 'bcd-fghj-kmnp';
    const asks = (ref: string): [Method, string, unknown?][] => [
      ['GET', `/api/rooms/${ref}`],
      ['POST', `/api/rooms/${ref}/join`, {}],
    ];
    const byRef = async (ref: string) =>
      Promise.all(asks(ref).map(([m, url, body]) => answer(m, url, eve, body)));
    const expected = await byRef(unknown);
    expect(expected).toEqual(['404 ROOM_NOT_FOUND', '404 ROOM_NOT_FOUND']);
    expect(await byRef(room.code)).toEqual(expected);
    expect(await byRef(room.id)).toEqual(expected);

    const byId: [Method, string, unknown?][] = [
      ['GET', `/api/rooms/${room.id}/messages`],
      ['POST', `/api/rooms/${room.id}/invites`, { expiresInMinutes: 10 }],
      ['PATCH', `/api/rooms/${room.id}`, { name: 'Mine now' }],
      ['DELETE', `/api/rooms/${room.id}`],
      ['POST', `/api/rooms/${room.id}/participants/${bob.id}/kick`],
      ['POST', `/api/rooms/${room.id}/leave`],
    ];
    for (const [m, url, body] of byId) {
      expect([m, url, await answer(m, url, eve, body)]).toEqual([m, url, '404 ROOM_NOT_FOUND']);
    }

    // The socket's gate wants an approved seat, which nobody else can get.
    const e = await c.connect(eve);
    const refused = await e.join(room.id).then(
      () => 'joined',
      (err: unknown) => (err instanceof JoinRefused ? err.code : String(err)),
    );
    expect(refused).toBe('ROOM_NOT_FOUND');

    const seats = await c.db
      .selectFrom('room_participants')
      .select(['user_id', 'status'])
      .where('room_id', '=', room.id)
      .orderBy('user_id')
      .execute();
    expect(seats).toEqual(
      [alice.id, bob.id].sort().map((user_id) => ({ user_id, status: 'approved' })),
    );
  });

  it('the parties see it and talk in it, but cannot moderate it: the call ends through /api/calls', async () => {
    const { alice, bob, room } = await callRoom();
    const seen = await c.s.api('GET', `/api/rooms/${room.code}`, alice);
    expect(seen.body.room).toMatchObject({
      kind: 'direct',
      myStatus: 'approved',
      maxParticipants: 2,
      locked: true,
    });
    expect(await answer('GET', `/api/rooms/${room.id}/messages`, bob)).toBe('200');

    for (const who of [alice, bob]) {
      const other = who === alice ? bob : alice;
      const moderation: [Method, string, unknown?][] = [
        ['PATCH', `/api/rooms/${room.id}`, { locked: false }],
        ['DELETE', `/api/rooms/${room.id}`],
        ['POST', `/api/rooms/${room.id}/invites`, { expiresInMinutes: 10 }],
        ...(['admit', 'deny', 'kick', 'promote'] as const).map(
          (a) =>
            ['POST', `/api/rooms/${room.id}/participants/${other.id}/${a}`] as [Method, string],
        ),
      ];
      for (const [m, url, body] of moderation) {
        expect([m, url, await answer(m, url, who, body)]).toEqual([m, url, '403 NOT_HOST']);
      }
    }
    const row = await c.db
      .selectFrom('rooms')
      .select(['status', 'locked', 'name'])
      .where('id', '=', room.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'open', locked: 1 });
  });

  it('is not listed among my rooms or the public ones', async () => {
    const { alice, room } = await callRoom();
    await c.s.createRoom(alice, { name: 'A meeting', visibility: 'public' });
    for (const url of ['/api/rooms', '/api/rooms/public']) {
      const listed = await c.s.api('GET', url, alice);
      const rooms = listed.body.rooms as { id: string; kind: string }[];
      expect(rooms.map((r) => r.id)).not.toContain(room.id);
      expect(rooms.every((r) => r.kind === 'meeting')).toBe(true);
    }
    const mine = await c.s.api('GET', '/api/rooms', alice);
    expect((mine.body.rooms as unknown[]).length).toBe(1);
  });

  it('a party who left comes back by HTTP join, the lock notwithstanding; after the end nobody does', async () => {
    const { alice, bob, call, room } = await callRoom();
    const a = await c.inRoom(alice, room.id);
    a.send({ type: 'room.leave' });
    await flush(a);
    const seat = () =>
      c.db
        .selectFrom('room_participants')
        .select('status')
        .where('room_id', '=', room.id)
        .where('user_id', '=', alice.id)
        .executeTakeFirstOrThrow();
    expect((await seat()).status).toBe('left');
    await expect(a.join(room.id)).rejects.toMatchObject({ code: 'NOT_APPROVED' });

    const back = await c.s.api('POST', `/api/rooms/${room.code}/join`, alice, {});
    expect(back.body).toMatchObject({ status: 'approved', role: 'participant', isHost: false });
    expect((await seat()).status).toBe('approved');
    expect((await a.join(room.id)).room.kind).toBe('direct');

    await c.did(bob, call.id, 'end');
    expect(await answer('POST', `/api/rooms/${room.id}/join`, alice, {})).toBe('410 ROOM_CLOSED');
    expect(await answer('POST', `/api/rooms/${room.id}/join`, await c.member(), {})).toBe(
      '404 ROOM_NOT_FOUND',
    );
  });
});
