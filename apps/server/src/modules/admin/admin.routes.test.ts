import type {
  AdminCallsPage,
  AdminRoom,
  AdminRoomDetail,
  AdminRoomsPage,
  ServerMessageOf,
} from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../../test/harness.js';
import { CallsServer, flush } from '../calls/test-calls.js';
import { eventually } from '../signaling/test-server.js';
import type { Person } from '../signaling/test-server.js';
import { createUsersRepo } from '../users/index.js';

// The admin pages' rooms and calls over HTTP, on every dialect, with real sockets in the
// calls: "active" is who is in a call now, closing a room ends it for everyone in it.

describe.each(dialects)('admin rooms and calls on %s', (dialect) => {
  let c: CallsServer;
  let admin: Person;

  beforeEach(async () => {
    c = await CallsServer.start(dialect);
    admin = await c.member('admin');
    await createUsersRepo(c.db).setRole(admin.id, 'admin');
  });
  afterEach(async () => {
    await c.close();
  });

  const get = async <T>(url: string): Promise<T> => {
    const res = await c.api('GET', url, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as T;
  };
  const rooms = (q: string) => get<AdminRoomsPage>(`/api/admin/rooms${q}`);
  const ids = (p: AdminRoomsPage) => p.rooms.map((r) => r.id);
  /** A meeting made a second after the last, so "newest first" is a known order. */
  async function meeting(host: Person, name: string): Promise<string> {
    c.clock.advance(1_000);
    return c.s.createRoom(host, { name });
  }

  describe('rooms', () => {
    it('active lists the rooms with someone in the call now, with a head count; open and closed the rest', async () => {
      const [ann, bob] = await c.members('ann', 'bob');
      const busy = await meeting(ann, 'Busy');
      const idle = await meeting(ann, 'Idle');
      const ended = await meeting(ann, 'Ended');
      await c.s.end(ann, ended);
      await c.s.enter(bob, busy);
      const inCall = [await c.inRoom(ann, busy), await c.inRoom(bob, busy)];

      await eventually(async () => ids(await rooms('')).includes(busy), 'Busy is active');
      const active = await rooms('?status=active');
      expect(ids(active)).toEqual([busy]);
      expect(active.rooms[0]).toMatchObject({
        name: 'Busy',
        kind: 'meeting',
        status: 'open',
        host: { id: ann.id, displayName: ann.displayName },
        participantCount: 2,
        closedAt: null,
        closeReason: null,
      } satisfies Partial<AdminRoom>);
      expect(JSON.stringify(active)).not.toMatch(/password/i);
      expect(ids(await rooms('?status=open'))).toEqual([idle, busy]);
      expect((await rooms('?status=closed')).rooms).toMatchObject([
        { id: ended, status: 'closed', closeReason: 'ended', participantCount: 0 },
      ]);

      // The last one out: no longer active.
      for (const client of inCall) await client.close();
      await eventually(async () => ids(await rooms('')).length === 0, 'Busy is no longer active');
    });

    it('active pages are full while live rooms remain, however many stale ones lie between; the last has no cursor', async () => {
      const [ann, bob] = await c.members('ann', 'bob');
      const older = await meeting(ann, 'Older live');
      const old = await meeting(ann, 'Old live');
      // Newer than both: rooms still marked occupied whose people are gone (a process died).
      const stale = [];
      for (let i = 0; i < 60; i++) stale.push(await meeting(ann, `Stale ${i}`));
      await c.db.updateTable('rooms').set({ empty_since: null }).where('id', 'in', stale).execute();
      await c.s.enter(bob, old);
      await c.s.enter(bob, older);
      await c.inRoom(ann, old);
      await c.inRoom(bob, older);
      await eventually(
        async () => ids(await rooms('?status=open&limit=100')).length === 62,
        'the rooms exist',
      );

      const first = await rooms('?status=active&limit=1');
      expect(ids(first)).toEqual([old]);
      expect(first.nextCursor).not.toBeNull();
      const second = await rooms(`?status=active&limit=1&cursor=${first.nextCursor}`);
      expect(ids(second)).toEqual([older]);
      expect(second.nextCursor).toBeNull();
      const both = await rooms('?status=active&limit=2');
      expect(ids(both)).toEqual([old, older]);
      expect(both.nextCursor).toBeNull();
    });

    it('pages newest first by cursor', async () => {
      const ann = await c.member('ann');
      const made = [];
      for (const n of ['A', 'B', 'C']) made.push(await meeting(ann, n));
      const first = await rooms('?status=open&limit=2');
      expect(ids(first)).toEqual([made[2], made[1]]);
      const second = await rooms(`?status=open&limit=2&cursor=${first.nextCursor}`);
      expect(ids(second)).toEqual([made[0]]);
      expect(second.nextCursor).toBeNull();
    });

    it("one room: the connections in its call now and everyone's seat, waiting ones included", async () => {
      const [ann, bob, cat] = await c.members('ann', 'bob', 'cat');
      const roomId = await c.s.createRoom(ann, { entry: 'approval' });
      const host = await c.inRoom(ann, roomId);
      c.clock.advance(1_000);
      expect(await c.s.enter(bob, roomId)).toBe('pending');
      await c.s.decide(ann, roomId, bob.id, 'admit');
      c.clock.advance(1_000);
      const bobTabs = [await c.inRoom(bob, roomId), await c.inRoom(bob, roomId)];
      expect(await c.s.enter(cat, roomId)).toBe('pending');
      await flush(host);

      await eventually(
        async () =>
          (await get<AdminRoomDetail>(`/api/admin/rooms/${roomId}`)).connected.length === 3,
        'three connections',
      );
      const detail = await get<AdminRoomDetail>(`/api/admin/rooms/${roomId}`);
      expect(detail.room.participantCount).toBe(2);
      expect(new Set(detail.connected.map((e) => e.connectionId)).size).toBe(3);
      expect(detail.seats.map((s) => [s.displayName, s.role, s.status, s.connections])).toEqual([
        [ann.displayName, 'host', 'approved', 1],
        [bob.displayName, 'participant', 'approved', 2],
        [cat.displayName, 'participant', 'pending', 0],
      ]);
      for (const t of bobTabs) await t.close();
      const missing = await c.api(
        'GET',
        '/api/admin/rooms/00000000-0000-4000-8000-000000000000',
        admin,
      );
      expect([missing.status, (missing.body.error as { code: string }).code]).toEqual([
        404,
        'ROOM_NOT_FOUND',
      ]);
    });

    it('close ends the meeting for everyone in the call and the lobby, is audited, and only once', async () => {
      const [ann, bob, cat] = await c.members('ann', 'bob', 'cat');
      const roomId = await c.s.createRoom(ann, { entry: 'approval' });
      const host = await c.inRoom(ann, roomId);
      await c.s.enter(bob, roomId);
      await c.s.decide(ann, roomId, bob.id, 'admit');
      const guest = await c.inRoom(bob, roomId);
      expect(await c.s.enter(cat, roomId)).toBe('pending');
      const waiting = await c.connect(cat);
      await flush(waiting);

      const res = await c.api('POST', `/api/admin/rooms/${roomId}/close`, admin);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect((res.body.room as AdminRoom).status).toBe('closed');
      const closed: ServerMessageOf<'room.closed'> = {
        type: 'room.closed',
        roomId,
        reason: 'ended',
      };
      for (const client of [host, guest, waiting]) {
        expect(await client.next('room.closed')).toMatchObject(closed);
      }
      // Their call is over: nobody is left in the roster, the REST view says ended.
      await eventually(
        async () => (await c.s.t.live.roster.list(roomId)).length === 0,
        'roster empty',
      );
      expect((await c.api('GET', `/api/rooms/${roomId}`, ann)).body.room).toMatchObject({
        status: 'closed',
      });
      await eventually(async () => {
        const rows = await c.db
          .selectFrom('audit_events')
          .selectAll()
          .where('type', '=', 'room.closed')
          .where('target_id', '=', roomId)
          .execute();
        return (
          rows.length === 1 &&
          rows[0]!.actor_id === admin.id &&
          JSON.parse(rows[0]!.details).by === 'admin'
        );
      }, 'one room.closed audit event by the admin');

      const again = await c.api('POST', `/api/admin/rooms/${roomId}/close`, admin);
      expect([again.status, (again.body.error as { code: string }).code]).toEqual([
        410,
        'ROOM_CLOSED',
      ]);
    });

    it("a direct call's room is not closed here (409): the call ends by hanging up", async () => {
      const [ann, bob] = await c.members('ann', 'bob');
      const call = await c.accepted(ann, bob);
      const res = await c.api('POST', `/api/admin/rooms/${call.room!.id}/close`, admin);
      expect([res.status, (res.body.error as { code: string }).code]).toEqual([409, 'CONFLICT']);
      expect((await c.row(call.id)).state).toBe('accepted');
    });
  });

  describe('calls', () => {
    it('lists every direct call newest first, with both names, status and the measured duration', async () => {
      const [ann, bob, cat] = await c.members('ann', 'bob', 'cat');
      const missed = await c.place(ann, cat);
      await c.did(ann, missed.id, 'cancel');
      c.clock.advance(1_000);
      const talked = await c.accepted(ann, bob);
      const a = await c.inRoom(ann, talked.room!.id);
      const b = await c.inRoom(bob, talked.room!.id);
      await eventually(async () => (await c.row(talked.id)).connected_at !== null, 'connected');
      c.clock.advance(42_000);
      await c.did(bob, talked.id, 'end');
      await Promise.all([a.close(), b.close()]);

      const page = await get<AdminCallsPage>('/api/admin/calls');
      expect(page.calls.map((x) => [x.id, x.state])).toEqual([
        [talked.id, 'ended'],
        [missed.id, 'cancelled'],
      ]);
      expect(page.calls[0]).toMatchObject({
        caller: { id: ann.id, displayName: ann.displayName },
        callee: { id: bob.id, displayName: bob.displayName },
        durationSeconds: 42,
        endReason: 'hangup',
      });
      expect(page.calls[1]!.durationSeconds).toBeNull();
      const cancelled = await get<AdminCallsPage>('/api/admin/calls?status=cancelled');
      expect(cancelled.calls.map((x) => x.id)).toEqual([missed.id]);
      const first = await get<AdminCallsPage>('/api/admin/calls?limit=1');
      const rest = await get<AdminCallsPage>(`/api/admin/calls?limit=1&cursor=${first.nextCursor}`);
      expect([...first.calls, ...rest.calls].map((x) => x.id)).toEqual([talked.id, missed.id]);
      expect(rest.nextCursor).toBeNull();
    });
  });

  it('is documented in the OpenAPI document: parameters, responses, bearer security', async () => {
    const doc = (await c.s.t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const op = (path: string, method: string) => doc.paths[path]?.[method];
    const params = (o: { parameters: { name: string }[] }) => o.parameters.map((p) => p.name);
    expect(params(op('/api/admin/users', 'get'))).toEqual(
      expect.arrayContaining(['q', 'role', 'status', 'guests', 'cursor', 'limit']),
    );
    expect(params(op('/api/admin/rooms', 'get'))).toEqual(
      expect.arrayContaining(['status', 'kind', 'cursor', 'limit']),
    );
    expect(params(op('/api/admin/calls', 'get'))).toEqual(
      expect.arrayContaining(['status', 'cursor', 'limit']),
    );
    expect(Object.keys(op('/api/admin/rooms/{id}/close', 'post').responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '410',
    ]);
    for (const [path, method] of [
      ['/api/admin/users', 'get'],
      ['/api/admin/rooms', 'get'],
      ['/api/admin/rooms/{id}', 'get'],
      ['/api/admin/rooms/{id}/close', 'post'],
      ['/api/admin/calls', 'get'],
    ] as const) {
      expect(op(path, method)?.security, path).toEqual([{ bearerAuth: [] }]);
    }
  });

  it('every route is for admins only: 401 without a token, 403 for a member, before the query is read', async () => {
    const ann = await c.member('ann');
    const roomId = await c.s.createRoom(ann);
    const routes: ['GET' | 'POST', string][] = [
      ['GET', '/api/admin/rooms?status=bogus'],
      ['GET', `/api/admin/rooms/${roomId}`],
      ['POST', `/api/admin/rooms/${roomId}/close`],
      ['GET', '/api/admin/calls?nonsense=1'],
    ];
    for (const [method, url] of routes) {
      expect((await c.api(method, url)).status, url).toBe(401);
      const res = await c.api(method, url, ann);
      expect([res.status, (res.body.error as { code: string }).code], url).toEqual([
        403,
        'FORBIDDEN',
      ]);
    }
    expect((await c.api('GET', `/api/rooms/${roomId}`, ann)).body.room).toMatchObject({
      status: 'open',
    });
  });
});
