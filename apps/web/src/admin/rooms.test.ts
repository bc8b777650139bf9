import type { AdminRoomDetail } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { AdminRooms, canClose } from './rooms';
import type { RoomsFilter } from './rooms';
import { deferred, makeRoom } from './testing/fixtures';

function setup() {
  const asked: RoomsFilter[] = [];
  const closed: string[] = [];
  const details = new Map<string, ReturnType<typeof deferred<AdminRoomDetail>>>();
  const rooms = [makeRoom(1), makeRoom(2)];
  const model = new AdminRooms({
    list: (f) => {
      asked.push(f);
      return Promise.resolve({ rooms, nextCursor: null });
    },
    get: (id) => {
      const d = deferred<AdminRoomDetail>();
      details.set(id, d);
      return d.promise;
    },
    close: (id) => {
      closed.push(id);
      return Promise.resolve({
        ...rooms.find((r) => r.id === id)!,
        status: 'closed',
        participantCount: 0,
      });
    },
  });
  return { model, asked, closed, details, rooms };
}

const detailOf = (room: ReturnType<typeof makeRoom>): AdminRoomDetail => ({
  room,
  connected: [],
  seats: [],
});

describe('AdminRooms', () => {
  it('starts on the rooms active now and switches to open or closed ones', async () => {
    const { model, asked } = setup();
    await model.list.load();
    await model.show('closed');
    expect(asked).toEqual([{ status: 'active' }, { status: 'closed' }]);
  });

  it("a room's panel loads when opened, closes on a second toggle, and a late answer does not reopen it", async () => {
    const { model, details, rooms } = setup();
    const opening = model.toggle(rooms[0]!.id);
    expect(model.state.open[rooms[0]!.id]).toEqual({ kind: 'loading' });
    details.get(rooms[0]!.id)!.resolve(detailOf(rooms[0]!));
    await opening;
    expect(model.state.open[rooms[0]!.id]).toMatchObject({ kind: 'ready' });

    await model.toggle(rooms[0]!.id);
    expect(model.state.open).toEqual({});

    const again = model.toggle(rooms[1]!.id);
    await model.toggle(rooms[1]!.id);
    details.get(rooms[1]!.id)!.resolve(detailOf(rooms[1]!));
    await again;
    expect(model.state.open).toEqual({});
  });

  it('closing asks first, then the room leaves the active list and its panel closes', async () => {
    const { model, closed, details, rooms } = setup();
    await model.list.load();
    const opening = model.toggle(rooms[0]!.id);
    details.get(rooms[0]!.id)!.resolve(detailOf(rooms[0]!));
    await opening;

    model.confirmation.ask(rooms[0]!);
    expect(closed).toEqual([]);
    await model.confirmation.confirm();
    expect(closed).toEqual([rooms[0]!.id]);
    expect(model.list.state.items.map((r) => r.id)).toEqual([rooms[1]!.id]);
    expect(model.state.open).toEqual({});
  });

  it('on the closed list a closed room is shown closed in place', async () => {
    const { model, rooms } = setup();
    await model.show('closed');
    model.confirmation.ask(rooms[1]!);
    await model.confirmation.confirm();
    expect(model.list.state.items.map((r) => [r.id, r.status])).toEqual([
      [rooms[0]!.id, 'open'],
      [rooms[1]!.id, 'closed'],
    ]);
  });

  it('only an open meeting can be closed here', () => {
    expect(canClose(makeRoom(1))).toBe(true);
    expect(canClose(makeRoom(1, { kind: 'direct' }))).toBe(false);
    expect(canClose(makeRoom(1, { kind: 'appointment' }))).toBe(false);
    expect(canClose(makeRoom(1, { status: 'closed' }))).toBe(false);
  });
});
