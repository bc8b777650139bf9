/**
 * Links heal themselves (PROTOCOL.md, "Links heal themselves"): a link not connected within
 * its bound (8 s; 4 s while another of our links is connected) is repaired by the impolite
 * side (ICE restart, then a new RTCPeerConnection one bound later), by the polite side only
 * at three bounds. Driven on fake time; the stalls are made at the relay (lost candidates,
 * a lost offer) or in a fake RTCPeerConnection that never connects (`wedged`).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { joinAll, person } from './testing/call-rig';
import { FakeServer } from './testing/fake-server';
import { MeshNet, sessionOf, ufragOf } from './testing/mesh-net';
import type { Node } from './testing/mesh-net';
import { settle } from './testing/settle';

const BOUND = 8_000;
const FAST_BOUND = 4_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Moves fake time on by `ms` and lets every negotiation it set off finish. */
async function after(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

/** `log` holds `steps` in this order (other entries may come between). */
function expectInOrder(log: readonly string[] | undefined, steps: string[]): void {
  let at = 0;
  for (const entry of log ?? []) if (entry === steps[at]) at += 1;
  expect({ log, reached: steps.slice(0, at) }).toEqual({ log, reached: steps });
}

/**
 * A drop rule for the candidates of the first ICE generation of one link, both ways, as a
 * network that blocks the first path would: per direction, the first ufrag seen is lost,
 * later generations (an ICE restart, a new connection) pass.
 */
function firstGeneration(
  isLink: (from: string, to: string) => boolean,
): (from: string, to: string, ufrag: string | undefined) => boolean {
  const first = new Map<string, string>();
  return (from, to, ufrag) => {
    if (!isLink(from, to) || ufrag === undefined) return false;
    const key = `${from}>${to}`;
    if (!first.has(key)) first.set(key, ufrag);
    return first.get(key) === ufrag;
  };
}

function dropFirstGeneration(net: MeshNet, x: Node, y: Node): () => void {
  const drop = firstGeneration(
    (from, to) => [from, to].sort().join() === [x.id, y.id].sort().join(),
  );
  return net.dropSignals((from, to, payload) => drop(from, to, ufragOf(payload)));
}

describe('link repair (Mesh, fake time)', () => {
  it('a link whose first candidates are lost: the impolite side restarts ICE at 8 s and it connects, well within 15 s', async () => {
    const net = new MeshNet();
    const ada = net.add('c1'); // polite
    const bob = net.add('c2'); // impolite, and the newcomer: it offers
    const start = Date.now();
    net.join(bob, ada);
    dropFirstGeneration(net, ada, bob);
    await settle();
    expect(net.sent('c2', 'c1', 'offer')).toHaveLength(1);
    expect(net.sent('c1', 'c2', 'answer')).toHaveLength(1);
    expect(net.connected(ada, bob)).toBe(false);

    await after(BOUND - 1);
    expect(net.connected(ada, bob)).toBe(false);
    expect(net.pc(bob, ada).restartIceCalls).toBe(0);
    expect(net.sent('c2', 'c1', 'offer')).toHaveLength(1);

    await after(1);
    expect(net.pc(bob, ada).restartIceCalls).toBe(1);
    expect(net.peer(bob, ada).link.counters.iceRestarts).toBe(1);
    expect(net.connected(ada, bob)).toBe(true);
    // The restart re-offered on the same connection (same origin session id), and only
    // the impolite side acted: nothing was rebuilt, the polite side offered nothing.
    const offers = net.sent('c2', 'c1', 'offer');
    expect(offers).toHaveLength(2);
    expect(sessionOf(offers[1]!.payload)).toBe(sessionOf(offers[0]!.payload));
    expect(net.sent('c1', 'c2', 'offer')).toEqual([]);
    expect([ada.pcs.length, bob.pcs.length]).toEqual([1, 1]);
    expect([net.peer(ada, bob).rebuilds, net.peer(bob, ada).rebuilds]).toEqual([0, 0]);

    const connectedAt = Math.max(bob.connectedAt.get('c1')![0]!, ada.connectedAt.get('c2')![0]!);
    expect(connectedAt - start).toBeGreaterThanOrEqual(BOUND);
    expect(connectedAt - start).toBeLessThan(15_000);
    expectInOrder(bob.health.get('c1'), [
      'connecting/none',
      'repairing/ice-restart',
      'connected/none',
    ]);
    expect(net.peer(bob, ada).health).toMatchObject({ state: 'connected', repairs: 1 });
    expect(net.peer(ada, bob).health.state).toBe('connected');
    expect([ada.errors, bob.errors]).toEqual([[], []]);
  });

  it('the bound is 4 s when another of our links is connected', async () => {
    const net = new MeshNet();
    // Ids chosen so that the one already connected elsewhere is the impolite end.
    const ann = net.add('c9');
    const ben = net.add('c2');
    net.join(ben, ann);
    await settle();
    expect(net.connected(ann, ben)).toBe(true);

    const cyd = net.add('c5'); // polite towards ann (c5 < c9)
    net.join(cyd, ann, ben);
    dropFirstGeneration(net, ann, cyd);
    await settle();
    expect(net.connected(ben, cyd)).toBe(true);
    expect(net.connected(ann, cyd)).toBe(false);

    await after(FAST_BOUND - 1);
    expect(net.pc(ann, cyd).restartIceCalls).toBe(0);
    await after(1);
    expect(net.pc(ann, cyd).restartIceCalls).toBe(1);
    expect(net.connected(ann, cyd)).toBe(true);
    // The polite end did nothing; the healthy links were not touched.
    expect(net.sent('c5', 'c9', 'offer')).toHaveLength(1); // its join offer only
    expect(net.pc(ann, ben).restartIceCalls).toBe(0);
    expect(net.pc(ben, cyd).restartIceCalls + net.pc(cyd, ben).restartIceCalls).toBe(0);
    expectInOrder(ann.health.get('c5'), ['repairing/ice-restart', 'connected/none']);
  });

  it('a connection that never connects: the ICE restart does not help, the impolite side rebuilds at 16 s and the polite side follows', async () => {
    const net = new MeshNet();
    const ada = net.add('c1');
    const bob = net.add('c2');
    bob.factory.onCreate = (pc, index) => {
      if (index === 0) pc.wedged = true; // only bob's first RTCPeerConnection is stuck
    };
    net.join(bob, ada);
    await settle();
    const firstSession = sessionOf(net.sent('c2', 'c1', 'offer')[0]!.payload);

    await after(BOUND);
    expect(bob.pcs[0]!.restartIceCalls).toBe(1);
    expect(net.connected(ada, bob)).toBe(false);

    await after(BOUND - 1);
    expect(net.connected(ada, bob)).toBe(false);
    expect(bob.pcs).toHaveLength(1);

    await after(1);
    // A new RTCPeerConnection on each side; the old ones closed.
    expect(bob.pcs).toHaveLength(2);
    expect(ada.pcs).toHaveLength(2);
    expect(bob.pcs[0]!.closed).toBe(true);
    expect(ada.pcs[0]!.closed).toBe(true);
    const offers = net.sent('c2', 'c1', 'offer');
    expect(offers).toHaveLength(3); // join, ICE restart, rebuild
    expect(sessionOf(offers[1]!.payload)).toBe(firstSession);
    expect(sessionOf(offers[2]!.payload)).not.toBe(firstSession);
    expect(sessionOf(offers[2]!.payload)).toBe(bob.pcs[1]!.sessionId);
    expect(net.sent('c1', 'c2', 'offer')).toEqual([]);
    expect(net.connected(ada, bob)).toBe(true);
    expect(net.peer(bob, ada).rebuilds).toBe(1);
    expect(net.peer(ada, bob).rebuilds).toBe(1);
    // The rebuilt link is one offer and one answer again.
    expect(net.pc(bob, ada).getTransceivers()).toHaveLength(2);
    expect(net.pc(ada, bob).getTransceivers()).toHaveLength(2);
    expectInOrder(bob.health.get('c1'), [
      'repairing/ice-restart',
      'repairing/rebuild',
      'connected/none',
    ]);
    expect([ada.errors, bob.errors]).toEqual([[], []]);
  });

  it('a rebuilt link gets a fresh schedule: if it does not connect either, it is restarted and rebuilt again one and two bounds later', async () => {
    const net = new MeshNet();
    const ada = net.add('c1');
    const bob = net.add('c2');
    bob.factory.onCreate = (pc, index) => {
      if (index < 2) pc.wedged = true; // the first rebuild does not help either
    };
    net.join(bob, ada);
    await settle();
    await after(2 * BOUND);
    expect(bob.pcs).toHaveLength(2);
    expect(bob.pcs[1]!.restartIceCalls).toBe(0);

    await after(BOUND - 1);
    expect(bob.pcs[1]!.restartIceCalls).toBe(0);
    await after(1);
    expect(bob.pcs[1]!.restartIceCalls).toBe(1);
    expect(net.connected(ada, bob)).toBe(false);

    await after(BOUND);
    expect(bob.pcs).toHaveLength(3);
    expect(net.connected(ada, bob)).toBe(true);
    expect(net.peer(bob, ada).rebuilds).toBe(2);
    expect(net.peer(bob, ada).health).toMatchObject({ state: 'connected', repairs: 4 });
  });

  it('a link that was up and fails for good gets a fresh schedule from the failure: restarted, then rebuilt', async () => {
    const net = new MeshNet();
    const ada = net.add('c1');
    const bob = net.add('c2');
    net.join(bob, ada);
    await settle();
    expect(net.connected(ada, bob)).toBe(true);
    await after(60_000); // long after the join's bounds: nothing scheduled on a healthy link
    expect(net.sent(undefined, undefined, 'offer')).toHaveLength(1);

    // The path dies under both ends and no ICE restart can bring it back.
    for (const pc of [net.pc(ada, bob), net.pc(bob, ada)]) {
      pc.wedged = true;
      pc.simulateIceState('failed');
    }
    await settle();
    expect(net.connected(ada, bob)).toBe(false);
    const restartsAtFailure = bob.pcs[0]!.restartIceCalls;

    await after(BOUND);
    expect(bob.pcs[0]!.restartIceCalls).toBeGreaterThan(restartsAtFailure);
    expect(bob.pcs).toHaveLength(1);
    await after(BOUND - 1);
    expect(bob.pcs).toHaveLength(1);
    await after(1);
    expect(bob.pcs).toHaveLength(2);
    expect(ada.pcs).toHaveLength(2);
    expect(net.connected(ada, bob)).toBe(true);
    expectInOrder(bob.health.get('c1'), [
      'connected/none',
      'repairing/ice-restart',
      'repairing/rebuild',
      'connected/none',
    ]);
  });

  it('when the impolite side does not repair, the polite side rebuilds at 24 s', async () => {
    const net = new MeshNet();
    const ada = net.add('c1'); // polite, default bounds
    // An impolite peer that never repairs (an old client, or one whose timers stopped).
    const bob = net.add('c2', { repairBoundMs: 1e9, repairBoundFastMs: 1e9 });
    ada.factory.onCreate = (pc, index) => {
      if (index === 0) pc.wedged = true;
    };
    net.join(bob, ada);
    await settle();
    const said = net.wire.length;

    await after(3 * BOUND - 1);
    expect(net.wire.slice(said).filter((r) => r.kind !== 'candidate')).toEqual([]);
    expect(ada.pcs).toHaveLength(1);
    expect(net.connected(ada, bob)).toBe(false);

    await after(1);
    expect(ada.pcs).toHaveLength(2);
    expect(ada.pcs[0]!.closed).toBe(true);
    const offers = net.sent('c1', 'c2', 'offer');
    expect(offers).toHaveLength(1);
    expect(sessionOf(offers[0]!.payload)).toBe(ada.pcs[1]!.sessionId);
    expect(net.connected(ada, bob)).toBe(true);
    expect(net.peer(ada, bob).rebuilds).toBe(1);
    // bob took the offer from the new connection as a new link.
    expect(bob.pcs).toHaveLength(2);
    expect(bob.pcs[0]!.closed).toBe(true);
    expect(bob.pcs[0]!.restartIceCalls).toBe(0);
    // The new link is one offer (ada's) and one answer, two m-sections each side.
    expect(net.sent('c2', 'c1', 'answer')).toHaveLength(1);
    expect(net.sent('c2', 'c1', 'offer')).toHaveLength(1); // bob's join offer only
    expect(net.pc(ada, bob).getTransceivers()).toHaveLength(2);
    expect(net.pc(bob, ada).getTransceivers()).toHaveLength(2);
    expectInOrder(ada.health.get('c2'), ['repairing/rebuild', 'connected/none']);
  });

  it.each([
    ['impolite', 'c2', 'c1'],
    ['polite', 'c1', 'c2'],
  ] as const)(
    'the newcomer’s offer is lost (the newcomer is %s): the link is still built at 8 s',
    async (_newcomerIs, newcomerId, presentId) => {
      const net = new MeshNet();
      const present = net.add(presentId);
      const newcomer = net.add(newcomerId);
      let lost = 0;
      net.dropSignals((from, _to, p) => {
        if (from !== newcomerId || p.description?.type !== 'offer' || lost > 0) return false;
        lost += 1;
        return true;
      });
      net.join(newcomer, present);
      await settle();
      expect(lost).toBe(1);
      // The candidates behind the lost offer arrived and opened no negotiation.
      expect(net.sent(presentId, newcomerId)).toEqual([]);

      await after(BOUND - 1);
      expect(net.connected(present, newcomer)).toBe(false);
      await after(1);
      expect(net.connected(present, newcomer)).toBe(true);
      // Whoever is impolite acted: it rebuilt (a restart needs a remote description).
      const impolite = newcomerId > presentId ? newcomer : present;
      const polite = impolite === newcomer ? present : newcomer;
      expect(net.peer(impolite, polite).rebuilds).toBe(1);
      expect(net.sent(impolite.id, polite.id, 'offer').length).toBeGreaterThan(0);
      // And it is still one negotiation: one offer and one answer after the lost one, two
      // m-sections on each side (no rollback and re-offer of a second pair of sections).
      const said = net.wire.filter((r) => r.kind === 'offer' || r.kind === 'answer');
      expect(said.filter((r) => !r.dropped).map((r) => r.kind)).toEqual(['offer', 'answer']);
      expect(net.pc(present, newcomer).getTransceivers()).toHaveLength(2);
      expect(net.pc(newcomer, present).getTransceivers()).toHaveLength(2);
      expect([present.errors, newcomer.errors]).toEqual([[], []]);
    },
  );
});

describe('link repair in a call (CallSession over the fake server)', () => {
  let server: FakeServer;
  beforeEach(() => {
    server = new FakeServer();
  });

  it('a link whose candidates the server drops reconnects within 15 s without user action', async () => {
    const [ada, bob, cat] = ['ada', 'bob', 'cat'].map((n) => person(server, n));
    await joinAll(ada!, bob!);
    // cat's link to bob (cat offers: the newcomer) loses its first candidates both ways.
    const drop = firstGeneration((from, to) => [from, to].sort().join() === 'bob,cat');
    server.dropSignals((from, to, payload) => {
      const candidate = payload.candidate as { usernameFragment?: string } | null | undefined;
      return drop(from.name, to.name, candidate?.usernameFragment);
    });
    const start = Date.now();
    await joinAll(cat!);
    const bobId = server.connOf('bob')!.id;
    const catId = server.connOf('cat')!.id;
    const state = () => [
      cat!.call.participants.get(bobId)!.connectionState,
      bob!.call.participants.get(catId)!.connectionState,
    ];
    expect(state()).not.toEqual(['connected', 'connected']);
    expect(cat!.call.participants.get(server.connOf('ada')!.id)!.connectionState).toBe('connected');

    // What cat's tile would show for bob, on every change.
    const shown: string[] = [];
    cat!.call.on('change', () => {
      const h = cat!.call.participants.get(bobId)?.health;
      const now = h ? `${h.state}/${h.step}` : 'none';
      if (shown.at(-1) !== now) shown.push(now);
    });
    let healedAt: number | undefined;
    for (let t = 0; t < 15_000 && healedAt === undefined; t += 250) {
      await after(250);
      if (state().every((s) => s === 'connected')) healedAt = Date.now();
    }
    expect(healedAt).toBeDefined();
    expect(healedAt! - start).toBeLessThan(15_000);
    expectInOrder(shown, ['repairing/ice-restart', 'connected/none']);
    expect(cat!.call.participants.get(bobId)!.health.repairs).toBe(1);
    // Only cat↔bob was repaired (an ICE restart by cat, the impolite end): the other links
    // kept their single offer and answer.
    const counts = server.signalCounts();
    expect(counts['cat>bob']!.offer).toBe(2);
    expect(counts['bob>cat']!.offer).toBe(0);
    expect(counts['cat>ada']!.offer).toBe(1);
    expect(counts['bob>ada']!.offer).toBe(1);
    expect(server.signalsBetween('bob', 'cat', 'candidate').some((s) => s.dropped)).toBe(true);
    for (const p of [ada!, bob!, cat!]) {
      for (const v of p.call.participants.values()) expect(v.connectionState).toBe('connected');
      expect(p.errors).toEqual([]);
    }
  });
});
