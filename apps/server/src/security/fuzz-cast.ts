import { randomBytes } from 'node:crypto';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { expect } from 'vitest';
import { newAccount } from '../test/harness.js';
import type { TestApp } from '../test/harness.js';
import type { FrameContext } from './fuzz-frames.js';
import { FuzzSocket } from './fuzz-client.js';

/** One person of the fuzz run, with the socket they have now. */
export type Member = {
  name: string;
  id: string;
  token: string;
  /** Their call (absent: waiting in a lobby), and what marks everything sent in it. */
  roomId: string | undefined;
  tag: string;
  peer: Member | undefined;
  sock: FuzzSocket;
  connectionId: string;
};

type Signed = { user: { id: string }; tokens: { accessToken: string } };

/** Where a message from one room showed up in another. */
export type Leak = { to: string; tag: string; frame: string };

/**
 * The people of the run: three calls of two (the third an approval room whose second
 * person was admitted), a guest waiting in that room's lobby, and a witness pair in a call
 * of their own. Every socket's incoming frames are searched for the other rooms' tags.
 */
export async function castOf(t: TestApp, wsUrl: string) {
  const leaks: Leak[] = [];
  const tags: string[] = [];
  let refs = 0;
  const nextRef = (kind: string) => `${kind}${++refs}`;

  const call = async <T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    url: string,
    token?: string,
    body?: unknown,
  ) => {
    const res = await t.app.inject({
      method,
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, body: res.json<T>() };
  };
  const member = async () => {
    const res = await call<Signed>('POST', '/api/auth/register', undefined, newAccount('fuzz'));
    expect(res.status).toBe(201);
    return { id: res.body.user.id, token: res.body.tokens.accessToken };
  };
  const newTag = () => {
    const tag = `TAG${randomBytes(6).toString('hex')}`;
    tags.push(tag);
    return tag;
  };

  function inspect(m: Pick<Member, 'name' | 'tag'>, raw: string): void {
    for (const tag of tags) {
      if (tag !== m.tag && raw.includes(tag))
        leaks.push({ to: m.name, tag, frame: raw.slice(0, 300) });
    }
  }

  /** A REST join: approved at once in an open room, or after a left seat. */
  async function enter(who: { token: string }, roomId: string): Promise<string> {
    const res = await call('POST', `/api/rooms/${roomId}/join`, who.token, {});
    expect(res.status).toBe(200);
    return res.body.status as string;
  }

  /** Opens a socket and says hello; in a call, joins it again. */
  async function connect(m: Member): Promise<void> {
    const sock = await FuzzSocket.open(wsUrl, (raw) => inspect(m, raw));
    const ref = nextRef('hello');
    sock.send(
      JSON.stringify({ type: 'hello', token: m.token, protocolVersion: PROTOCOL_VERSION, ref }),
    );
    const welcome = await sock.waitFor((x) => x.ref === ref, 'welcome');
    expect(welcome.type).toBe('welcome');
    m.sock = sock;
    m.connectionId = welcome.connectionId as string;
    sock.take();
    if (m.roomId) await rejoin(m);
  }

  /**
   * Back in the call after a batch: nothing to do if still in it; a `room.leave` in the
   * batch gave the seat up, so the REST join takes it again first.
   */
  async function rejoin(m: Member): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const ref = nextRef('join');
      m.sock.send(JSON.stringify({ type: 'room.join', roomId: m.roomId, ref }));
      const reply = await m.sock.waitFor((x) => x.ref === ref, `room.join ${ref}`);
      if (reply.type === 'room.joined' || reply.code === 'ALREADY_IN_ROOM') {
        // Nothing of ours is in flight now: what arrived meanwhile is others' news.
        m.sock.take();
        return;
      }
      expect(reply.code).toBe('NOT_APPROVED');
      expect(await enter(m, m.roomId!)).toBe('approved');
    }
    throw new Error(`${m.name} could not get back into the call`);
  }

  async function pair(name: string, entry: 'open' | 'approval'): Promise<[Member, Member]> {
    const host = await member();
    const created = await call<{ room: { id: string } }>('POST', '/api/rooms', host.token, {
      name,
      visibility: 'private',
      entry,
    });
    expect(created.status).toBe(201);
    const roomId = created.body.room.id;
    const guest = await member();
    if (entry === 'approval') {
      expect(await enter(guest, roomId)).toBe('pending');
      const ok = await call(
        'POST',
        `/api/rooms/${roomId}/participants/${guest.id}/admit`,
        host.token,
      );
      expect(ok.status).toBe(200);
    } else {
      expect(await enter(guest, roomId)).toBe('approved');
    }
    const tag = newTag();
    const blank = { roomId, tag, peer: undefined, sock: undefined!, connectionId: '' };
    const a: Member = { ...blank, ...host, name: `${name}/host` };
    const b: Member = { ...blank, ...guest, name: `${name}/guest` };
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  const rooms = [await pair('R1', 'open'), await pair('R2', 'open'), await pair('R3', 'approval')];
  // A guest account knocking on R3: it stays in the lobby, its socket `ready`.
  const guestRes = await call<Signed>('POST', '/api/auth/guest', undefined, {
    displayName: 'Knocker',
  });
  const knocker: Member = {
    name: 'lobby',
    id: guestRes.body.user.id,
    token: guestRes.body.tokens.accessToken,
    roomId: undefined,
    tag: newTag(),
    peer: undefined,
    sock: undefined!,
    connectionId: '',
  };
  expect(await enter(knocker, rooms[2]![0].roomId!)).toBe('pending');
  const witnesses = await pair('W', 'open');
  const fuzzers = [...rooms.flat(), knocker];
  for (const m of [...fuzzers, ...witnesses]) await connect(m);
  // The first of each pair hears the second arrive; after that, the witnesses' inboxes
  // hold only what the run sends them.
  for (const [first, second] of [...rooms, witnesses]) {
    await first.sock.waitFor(
      (x) =>
        x.type === 'participant.joined' &&
        (x.participant as { connectionId: string }).connectionId === second.connectionId,
      `${first.name}: ${second.name} joining`,
    );
    first.sock.take();
  }

  /** What `m` may aim at now: its peer, and everything it must never reach. */
  function contextOf(m: Member): FrameContext {
    const others = [...fuzzers, ...witnesses].filter((o) => o.roomId !== m.roomId || !m.roomId);
    return {
      tag: m.tag,
      ownToken: m.token,
      ownConnection: m.connectionId,
      roomId: m.roomId,
      peerConnection: m.peer?.connectionId,
      foreignRooms: [...new Set(others.flatMap((o) => (o.roomId ? [o.roomId] : [])))],
      foreignConnections: others.filter((o) => o !== m).map((o) => o.connectionId),
    };
  }

  return { fuzzers, witnesses, knocker, leaks, nextRef, connect, rejoin, contextOf, inspect };
}
