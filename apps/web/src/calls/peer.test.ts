import { afterEach, describe, expect, it, vi } from 'vitest';
import { DISCONNECTED_GRACE_MS, isPolite } from './peer';
import { FakeMediaStreamTrack, asTrack } from './testing/fake-media';
import { makeEnd, pump } from './testing/peer-pair';
import type { End } from './testing/peer-pair';
import { settle } from './testing/settle';

afterEach(() => {
  vi.useRealTimers();
});

function expectConnected(x: End, y: End): void {
  for (const end of [x, y]) {
    expect(end.pc.signalingState).toBe('stable');
    expect(end.link.connectionState).toBe('connected');
    expect(end.errors).toEqual([]);
    const remote = end.link.remoteStream.getTracks().map((t) => t.kind);
    expect(remote.sort()).toEqual(['audio', 'video']);
  }
}

describe('isPolite', () => {
  it('makes exactly one side polite: the connection id that sorts first', () => {
    expect(isPolite('c_1', 'c_2')).toBe(true);
    expect(isPolite('c_2', 'c_1')).toBe(false);
    expect(isPolite('B', 'a')).toBe(true); // plain code-unit order, not locale order
  });
});

describe('PeerLink perfect negotiation', () => {
  it('connects without a collision when one side offers first: nothing rolled back or ignored', async () => {
    const a = makeEnd('a', 'b');
    await settle();
    expect(a.outbox[0]?.description?.type).toBe('offer');
    const b = makeEnd('b', 'a');
    // A's offer reaches B before B's own negotiation starts.
    for (const m of a.outbox.splice(0)) void b.link.handleSignal(m);
    await pump(a, b);
    expectConnected(a, b);
    for (const end of [a, b]) {
      expect(end.link.counters.rolledBack).toBe(0);
      expect(end.link.counters.ignored).toBe(0);
      expect(end.pc.rollbacks).toBe(0);
    }
  });

  it.each([
    ['a', 'b'],
    ['b', 'a'],
  ])(
    'resolves glare (both offer at once, %s vs %s) into one stable connection with no errors',
    async (first, second) => {
      const x = makeEnd(first, second);
      const y = makeEnd(second, first);
      await settle();
      // Glare is staged: both sent an offer before either saw the other's.
      expect(x.outbox[0]?.description?.type).toBe('offer');
      expect(y.outbox[0]?.description?.type).toBe('offer');
      await pump(x, y);
      expectConnected(x, y);
      // Each side sends on its own two sections and receives on the other's two.
      expect(x.pc.getTransceivers()).toHaveLength(4);
      expect(y.pc.getTransceivers()).toHaveLength(4);
    },
  );

  it('in glare the polite peer rolls its offer back and answers the other', async () => {
    const polite = makeEnd('a', 'b');
    const impolite = makeEnd('b', 'a');
    await settle();
    await pump(polite, impolite);
    expect(polite.link.polite).toBe(true);
    expect(polite.link.counters.rolledBack).toBe(1);
    expect(polite.pc.rollbacks).toBe(1);
    expect(polite.pc.log).toContain('implicit rollback');
    expect(polite.link.counters.ignored).toBe(0);
  });

  it('in glare the impolite peer ignores the colliding offer and keeps its own', async () => {
    const polite = makeEnd('a', 'b');
    const impolite = makeEnd('b', 'a');
    await settle();
    await pump(polite, impolite);
    expect(impolite.link.polite).toBe(false);
    expect(impolite.link.counters.ignored).toBe(1);
    expect(impolite.link.counters.rolledBack).toBe(0);
    expect(impolite.pc.rollbacks).toBe(0);
    // Its own first offer was the one answered.
    expect(impolite.pc.log.slice(0, 3)).toEqual(['negotiationneeded', 'SLD offer', 'SRD answer']);
  });

  it.each([
    ['polite', 'a', 'b'],
    ['impolite', 'b', 'a'],
  ])(
    'an offer arriving while the %s side is still making its own counts as a collision',
    async (_role, localId, remoteId) => {
      const remote = makeEnd(remoteId, localId);
      await settle();
      const offer = remote.outbox.splice(0);
      const local = makeEnd(localId, remoteId);
      // Runs right after PeerLink's own handler started setLocalDescription (makingOffer).
      local.pc.addEventListener(
        'negotiationneeded',
        () => {
          for (const m of offer) void local.link.handleSignal(m);
        },
        { once: true },
      );
      await settle();
      const c = local.link.counters;
      expect(c.rolledBack + c.ignored).toBe(1);
      expect(local.link.polite ? c.rolledBack : c.ignored).toBe(1);
      await pump(local, remote);
      expectConnected(local, remote);
    },
  );

  it('restarts ICE when the connection fails and reconnects after renegotiating', async () => {
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    const offersBefore = a.link.counters.offers;
    a.pc.simulateIceState('failed');
    expect(a.pc.restartIceCalls).toBe(1);
    expect(a.link.counters.iceRestarts).toBe(1);
    await pump(a, b);
    expect(a.link.counters.offers).toBe(offersBefore + 1);
    expect(a.states.slice(-2)).toEqual(['failed', 'connected']);
    expectConnected(a, b);
  });

  it('restarts ICE after `disconnected` lasts longer than 3 s, not after a shorter blip', async () => {
    vi.useFakeTimers();
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    a.pc.simulateIceState('disconnected');
    await vi.advanceTimersByTimeAsync(DISCONNECTED_GRACE_MS - 1);
    a.pc.simulateIceState('connected');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(a.pc.restartIceCalls).toBe(0);

    a.pc.simulateIceState('disconnected');
    await vi.advanceTimersByTimeAsync(DISCONNECTED_GRACE_MS);
    expect(a.pc.restartIceCalls).toBe(1);
    await pump(a, b);
    expect(a.pc.signalingState).toBe('stable');
  });

  it('replaceTrack swaps what a sender sends without a new offer', async () => {
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    const offers = a.link.counters.offers;
    const screen = asTrack(new FakeMediaStreamTrack('video', 'screen'));
    await a.link.replaceTrack('video', screen);
    await a.link.replaceTrack('audio', null);
    await settle();
    expect(a.link.sender('video').track).toBe(screen);
    expect(a.link.sender('audio').track).toBeNull();
    expect(a.link.counters.offers).toBe(offers);
    expect(a.outbox).toEqual([]);
  });

  it('creates the video sender with the bitrate cap and lowers it with setParameters', async () => {
    const a = makeEnd('a', 'b', undefined, 1_500_000);
    const b = makeEnd('b', 'a');
    const sender = () => a.pc.transceiverOf('video')!.sender;
    expect(sender().maxBitrate).toBe(1_500_000);
    await settle();
    await pump(a, b);
    await Promise.all([a.link.setMaxVideoBitrate(800_000), a.link.setMaxVideoBitrate(500_000)]);
    expect(sender().maxBitrate).toBe(500_000);
    expect(a.errors).toEqual([]);
  });

  it('reads the remote speaking level from the receivers’ synchronization sources', async () => {
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    expect(a.link.audioLevel()).toBe(0);
    const remoteAudio = a.pc.transceiverOf('audio', true)!;
    remoteAudio.receiver.sources = [
      { source: 1, audioLevel: 0.4, timestamp: 0, rtpTimestamp: 0 },
    ] as RTCRtpSynchronizationSource[];
    expect(a.link.audioLevel()).toBe(0.4);
  });

  it('close() closes the connection and ignores later signals', async () => {
    const a = makeEnd('a', 'b');
    const b = makeEnd('b', 'a');
    await settle();
    await pump(a, b);
    a.link.close();
    expect(a.pc.closed).toBe(true);
    expect(a.link.connectionState).toBe('closed');
    await a.link.handleSignal({ description: { type: 'offer', sdp: 'v=0' } });
    expect(a.errors).toEqual([]);
  });
});
