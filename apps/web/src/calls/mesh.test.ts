import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SignalPayload } from '@parley/protocol';
import { NEVER_CONNECTED_FAILS_AFTER_MS } from './link-quality';
import type { QualityReport } from './link-quality';
import { Mesh } from './mesh';
import { PeerLink } from './peer';
import { FakeMediaStreamTrack, asTrack, createFakeStream } from './testing/fake-media';
import { FakeRTCPeerConnection, fakePeerConnectionFactory } from './testing/fake-rtc';
import { settle } from './testing/settle';

function mesh(reports?: QualityReport[]) {
  const factory = fakePeerConnectionFactory();
  const outbox: [string, SignalPayload][] = [];
  const changes: number[] = [];
  const m = new Mesh({
    ...(reports ? { reportQuality: (r: QualityReport) => reports.push(r) } : {}),
    local: {
      audioTrack: asTrack(new FakeMediaStreamTrack('audio')),
      videoTrack: asTrack(new FakeMediaStreamTrack('video')),
      stream: createFakeStream(),
    },
    send: (to, p) => outbox.push([to, p]),
    configuration: {},
    RTCPeerConnectionImpl: factory.ctor,
    createMediaStream: () => createFakeStream(),
    onChange: () => changes.push(1),
    onError: (e) => {
      throw e;
    },
  });
  return { m, outbox, pcs: factory.instances };
}

describe('Mesh', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('opens a link for an offer that arrives before the roster names its sender', async () => {
    const { m, outbox } = mesh();
    m.setLocalId('c_2');
    const remoteFactory = fakePeerConnectionFactory();
    const toMesh: SignalPayload[] = [];
    const remote = new PeerLink({
      localId: 'c_1',
      remoteId: 'c_2',
      send: (p) => toMesh.push(p),
      audioTrack: null,
      videoTrack: null,
      RTCPeerConnectionImpl: remoteFactory.ctor,
      createMediaStream: () => createFakeStream(),
    });
    for (let i = 0; i < 20; i++) {
      await settle();
      for (const p of toMesh.splice(0)) m.route('c_1', p);
      for (const [, p] of outbox.splice(0)) void remote.handleSignal(p);
    }
    expect(m.ids()).toEqual(['c_1']);
    expect(m.get('c_1')!.link.connectionState).toBe('connected');
    expect(remote.connectionState).toBe('connected');
  });

  it('samples a link’s stats once it connects, not while it negotiates', async () => {
    vi.useFakeTimers();
    const getStats = vi.spyOn(FakeRTCPeerConnection.prototype, 'getStats');
    const { m, outbox } = mesh();
    m.setLocalId('c_1');
    m.ensure('c_2');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(getStats).not.toHaveBeenCalled();
    const remote = new PeerLink({
      localId: 'c_2',
      remoteId: 'c_1',
      role: 'answerer',
      send: (p) => m.route('c_2', p),
      audioTrack: null,
      videoTrack: null,
      RTCPeerConnectionImpl: fakePeerConnectionFactory().ctor,
      createMediaStream: () => createFakeStream(),
    });
    for (const [, p] of outbox.splice(0)) void remote.handleSignal(p);
    await vi.advanceTimersByTimeAsync(0);
    for (const [, p] of outbox.splice(0)) void remote.handleSignal(p);
    await vi.advanceTimersByTimeAsync(0);
    expect(m.get('c_2')!.link.connectionState).toBe('connected');
    expect(getStats).toHaveBeenCalled();
  });

  it('does not open a link before it knows its own connection id, nor to itself', () => {
    const { m } = mesh();
    expect(m.ensure('c_1')).toBeUndefined();
    m.setLocalId('c_1');
    expect(m.ensure('c_1')).toBeUndefined();
    expect(m.ensure('c_2')).toBeDefined();
  });

  it('closes links negotiated under an earlier connection id of ours', () => {
    const { m, pcs } = mesh();
    m.setLocalId('c_1');
    m.ensure('c_7');
    m.setLocalId('c_5');
    expect(m.ids()).toEqual([]);
    expect(pcs[0]!.closed).toBe(true);
  });

  it('retainOnly closes the links to everyone not listed', () => {
    const { m, pcs } = mesh();
    m.setLocalId('c_1');
    m.ensure('c_2');
    m.ensure('c_3');
    m.retainOnly(new Set(['c_3']));
    expect(m.ids()).toEqual(['c_3']);
    expect(pcs.map((pc) => pc.closed)).toEqual([true, false]);
  });
});

describe('Mesh call-quality reports', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Two meshes, c_1 and c_2, joined by a wire the test pumps (or not). */
  function pair() {
    const reports = { c_1: [] as QualityReport[], c_2: [] as QualityReport[] };
    const a = mesh(reports.c_1);
    const b = mesh(reports.c_2);
    a.m.setLocalId('c_1');
    b.m.setLocalId('c_2');
    const pump = async () => {
      for (let i = 0; i < 20; i++) {
        await settle();
        for (const [, p] of a.outbox.splice(0)) b.m.route('c_1', p);
        for (const [, p] of b.outbox.splice(0)) a.m.route('c_2', p);
      }
    };
    return { a, b, reports, pump };
  }

  const directPair = new Map<string, Record<string, unknown>>([
    ['T', { type: 'transport', selectedCandidatePairId: 'P' }],
    ['P', { type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' }],
    ['L', { type: 'local-candidate', candidateType: 'host' }],
    ['R', { type: 'remote-candidate', candidateType: 'srflx' }],
  ]);

  it('each link is reported once, by its polite end (the lower connection id)', async () => {
    const { a, b, reports, pump } = pair();
    // The newcomer offers, the other side waits for it (PROTOCOL.md, who offers).
    a.m.ensure('c_2');
    b.m.expect('c_1');
    for (const pc of [...a.pcs, ...b.pcs]) pc.stats = directPair;
    await pump();
    expect(a.m.get('c_2')!.link.connectionState).toBe('connected');
    expect(b.m.get('c_1')!.link.connectionState).toBe('connected');
    a.m.closeAll();
    b.m.closeAll();
    expect(reports).toEqual({ c_1: [{ outcome: 'direct', firstFrameMs: 0 }], c_2: [] });
  });

  it('a link that never connects is reported failed once it was closed after the limit, by its polite end', () => {
    const { a, b, reports } = pair();
    a.m.ensure('c_2');
    b.m.expect('c_1');
    // Nothing is delivered: ICE never gets a chance.
    vi.advanceTimersByTime(NEVER_CONNECTED_FAILS_AFTER_MS);
    a.m.close('c_2');
    b.m.close('c_1');
    expect(reports).toEqual({ c_1: [{ outcome: 'failed' }], c_2: [] });
  });

  it('a link closed sooner than the limit without connecting is not reported', () => {
    const { a, reports } = pair();
    a.m.ensure('c_2');
    vi.advanceTimersByTime(NEVER_CONNECTED_FAILS_AFTER_MS - 1);
    a.m.close('c_2');
    expect(reports).toEqual({ c_1: [], c_2: [] });
  });
});
