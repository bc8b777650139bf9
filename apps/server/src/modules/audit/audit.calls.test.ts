import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/harness.js';
import { CallsServer, flush } from '../calls/test-calls.js';
import { entries, only } from './test-audit.js';

// Every direct call ends with exactly one `call.ended` entry: its final status, who ended
// it (nobody for the server's timeouts), and the duration the server measured.

const RING_MS = 30_000;
const ABANDON_MS = 120_000;

describe.each(dialects)('audit of direct calls on %s', (dialect) => {
  let c: CallsServer;
  beforeAll(async () => {
    c = await CallsServer.start(dialect, {
      calls: { ringTimeoutMs: RING_MS, abandonAfterMs: ABANDON_MS, reapIntervalMs: 50 },
    });
  });
  afterEach(async () => {
    await c.closeClients();
  });
  afterAll(async () => {
    await c.close();
  });

  const ended = (callId: string) => only(c.db, 'call.ended', callId);

  it('a declined call: status rejected, by the callee', async () => {
    const [alice, bob] = await c.members('alice', 'bob');
    const call = await c.place(alice, bob, 'audio');
    await c.did(bob, call.id, 'reject');
    expect(await ended(call.id)).toMatchObject({
      actorId: bob.id,
      targetType: 'call',
      details: {
        status: 'rejected',
        durationSeconds: null,
        callerId: alice.id,
        calleeId: bob.id,
        media: 'audio',
      },
    });
  });

  it('a cancelled call: status cancelled, by the caller; a late reject adds nothing', async () => {
    const [alice, bob] = await c.members('alice', 'bob');
    const call = await c.place(alice, bob);
    await c.did(alice, call.id, 'cancel');
    expect((await c.act(bob, call.id, 'reject')).status).toBe(409);
    expect(await ended(call.id)).toMatchObject({
      actorId: alice.id,
      details: { status: 'cancelled' },
    });
  });

  it('an unanswered call: status missed, by nobody, once however often the upkeep runs', async () => {
    const [alice, bob] = await c.members('alice', 'bob');
    const call = await c.place(alice, bob);
    c.clock.advance(RING_MS + 1_000);
    await c.tick();
    await c.tick();
    expect(await ended(call.id)).toMatchObject({
      actorId: null,
      ip: null,
      details: { status: 'missed', durationSeconds: null },
    });
  });

  it('a call to someone not to be disturbed: status busy at once', async () => {
    const [alice, bob] = await c.members('alice', 'bob');
    await c.doNotDisturb(bob);
    const call = await c.place(alice, bob);
    expect(call.state).toBe('busy');
    expect(await ended(call.id)).toMatchObject({ actorId: null, details: { status: 'busy' } });
  });

  it('a hang-up: status ended with the duration from both connected, on the server clock', async () => {
    const [alice, bob] = await c.members('alice', 'bob');
    const call = await c.accepted(alice, bob);
    await c.inRoom(alice, call.room!.id);
    await c.inRoom(bob, call.room!.id);
    c.clock.advance(42_000);
    await c.did(alice, call.id, 'end');
    expect(await ended(call.id)).toMatchObject({
      actorId: alice.id,
      details: { status: 'ended', reason: 'hangup', durationSeconds: 42 },
    });
    // Its room closing is its own entry, by the same person.
    const roomClosed = await only(c.db, 'room.closed', call.room!.id);
    expect(roomClosed).toMatchObject({ actorId: alice.id, details: { reason: 'ended' } });
  });

  it('a call its parties left: ended by the reaper once, status ended, reason abandoned', async () => {
    const [alice, bob] = await c.members('alice', 'bob');
    const call = await c.accepted(alice, bob);
    const [a, b] = [await c.inRoom(alice, call.room!.id), await c.inRoom(bob, call.room!.id)];
    c.clock.advance(10_000);
    for (const s of [a, b]) {
      s.send({ type: 'room.leave' });
      await flush(s);
    }
    c.clock.advance(ABANDON_MS + 1_000);
    await c.tick();
    await c.tick();
    const e = await ended(call.id);
    expect(e).toMatchObject({
      actorId: null,
      details: { status: 'ended', reason: 'abandoned', durationSeconds: 10 },
    });
    expect(await entries(c.db, { type: 'call.ended', targetId: call.id })).toHaveLength(1);
  });
});
