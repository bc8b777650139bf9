import { afterEach, describe, expect, it, vi } from 'vitest';
import { StatsSampler, linkStats, pathThroughRelay, qualityOf, snapshotFromReport } from './stats';
import type { LinkStats, StatsSnapshot } from './stats';

afterEach(() => {
  vi.useRealTimers();
});

const report = (...stats: Record<string, unknown>[]) =>
  new Map(
    stats.map((s, i) => [typeof s.id === 'string' ? s.id : `s${i}`, s]),
  ) as unknown as RTCStatsReport;

const snap = (over: Partial<StatsSnapshot>): StatsSnapshot => ({
  at: 0,
  rttMs: undefined,
  packetsReceived: 0,
  packetsLost: 0,
  bytesReceived: 0,
  bytesSent: 0,
  availableOutgoingBitrate: undefined,
  outboundVideo: [],
  ...over,
});

/** Two snapshots 2 s apart with `received`/`lost` packets in between. */
const interval = (rttMs: number | undefined, received: number, lost: number) =>
  linkStats(
    snap({ at: 1000, packetsReceived: 1000, packetsLost: 10 }),
    snap({ at: 3000, rttMs, packetsReceived: 1000 + received, packetsLost: 10 + lost }),
  );

describe('quality thresholds', () => {
  it('is unknown for the first snapshot (nothing to compare with)', () => {
    expect(linkStats(undefined, snap({ at: 1, rttMs: 20 })).quality).toBe('unknown');
  });

  it('is good under 250 ms RTT and under 3% loss', () => {
    expect(interval(40, 500, 0).quality).toBe('good');
    expect(interval(249, 1000, 29).quality).toBe('good'); // 2.8%
  });

  it('is fair from 250 ms RTT or from 3% loss', () => {
    expect(interval(250, 500, 0).quality).toBe('fair');
    expect(interval(40, 970, 30).quality).toBe('fair'); // exactly 3%
    expect(interval(40, 950, 50).quality).toBe('fair'); // 5%
  });

  it('is poor from 500 ms RTT or from 10% loss', () => {
    expect(interval(500, 500, 0).quality).toBe('poor');
    expect(interval(40, 900, 100).quality).toBe('poor');
    expect(interval(300, 880, 120).quality).toBe('poor');
  });

  it('takes the worse of RTT and loss', () => {
    expect(qualityOf({ rttMs: 600, loss: 0 })).toBe('poor');
    expect(qualityOf({ rttMs: 10, loss: 0.2 })).toBe('poor');
    expect(qualityOf({ rttMs: 300, loss: 0.01 })).toBe('fair');
  });

  it('does not judge loss on fewer than 20 packets, and is unknown with neither RTT nor loss', () => {
    const few = interval(undefined, 5, 5);
    expect(few.loss).toBeUndefined();
    expect(few.quality).toBe('unknown');
    expect(interval(40, 5, 5).quality).toBe('good');
  });

  it('computes loss and bitrates from the deltas over elapsed time', () => {
    const s = linkStats(
      snap({ at: 0, packetsReceived: 100, packetsLost: 0, bytesReceived: 0, bytesSent: 1000 }),
      snap({
        at: 2000,
        packetsReceived: 190,
        packetsLost: 10,
        bytesReceived: 250_000,
        bytesSent: 126_000,
      }),
    );
    expect(s.loss).toBeCloseTo(0.1);
    expect(s.inboundBps).toBe(1_000_000);
    expect(s.outboundBps).toBe(500_000);
  });

  it('never reports negative loss when packetsLost goes down (late packets)', () => {
    const s = linkStats(
      snap({ at: 0, packetsReceived: 100, packetsLost: 10 }),
      snap({ at: 2000, rttMs: 30, packetsReceived: 200, packetsLost: 8 }),
    );
    expect(s.loss).toBe(0);
    expect(s.quality).toBe('good');
  });
});

describe('pathThroughRelay', () => {
  const candidates = (local: string, remote: string) => [
    { id: 'L', type: 'local-candidate', candidateType: local },
    { id: 'R', type: 'remote-candidate', candidateType: remote },
  ];
  it('reads the candidate types of the selected pair (transport-named, or Firefox `selected`)', () => {
    const pairs = [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P2' },
      { id: 'P1', type: 'candidate-pair', localCandidateId: 'X', remoteCandidateId: 'R' },
      { id: 'P2', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' },
      { id: 'X', type: 'local-candidate', candidateType: 'relay' },
    ];
    expect(pathThroughRelay(report(...pairs, ...candidates('host', 'srflx')))).toBe(false);
    expect(pathThroughRelay(report(...pairs, ...candidates('relay', 'srflx')))).toBe(true);
    const firefox = {
      id: 'P',
      type: 'candidate-pair',
      selected: true,
      localCandidateId: 'L',
      remoteCandidateId: 'R',
    };
    expect(pathThroughRelay(report(firefox, ...candidates('prflx', 'relay')))).toBe(true);
  });

  it('is undefined while no pair, or no candidate of it, is known', () => {
    expect(pathThroughRelay(report())).toBeUndefined();
    const pair = {
      id: 'P',
      type: 'candidate-pair',
      selected: true,
      localCandidateId: 'L',
      remoteCandidateId: 'R',
    };
    expect(pathThroughRelay(report(pair))).toBeUndefined();
  });
});

describe('snapshotFromReport', () => {
  it('takes RTT from the candidate pair the transport selected', () => {
    const s = snapshotFromReport(
      report(
        { id: 'T', type: 'transport', selectedCandidatePairId: 'P2' },
        { id: 'P1', type: 'candidate-pair', currentRoundTripTime: 0.9, nominated: true },
        { id: 'P2', type: 'candidate-pair', currentRoundTripTime: 0.08 },
      ),
      5,
    );
    expect(s.rttMs).toBe(80);
    expect(s.at).toBe(5);
  });

  it('falls back to a selected (Firefox) pair, then to remote-inbound-rtp roundTripTime', () => {
    expect(
      snapshotFromReport(
        report({ type: 'candidate-pair', selected: true, currentRoundTripTime: 0.05 }),
        0,
      ).rttMs,
    ).toBe(50);
    expect(
      snapshotFromReport(report({ type: 'remote-inbound-rtp', roundTripTime: 0.2 }), 0).rttMs,
    ).toBe(200);
    expect(snapshotFromReport(report(), 0).rttMs).toBeUndefined();
  });

  it('sums packets and bytes over audio and video streams', () => {
    const s = snapshotFromReport(
      report(
        {
          type: 'inbound-rtp',
          kind: 'audio',
          packetsReceived: 10,
          packetsLost: 1,
          bytesReceived: 100,
        },
        {
          type: 'inbound-rtp',
          kind: 'video',
          packetsReceived: 20,
          packetsLost: 2,
          bytesReceived: 900,
        },
        { type: 'outbound-rtp', kind: 'video', bytesSent: 700 },
        { type: 'outbound-rtp', kind: 'audio', bytesSent: 300 },
      ),
      0,
    );
    expect(s).toMatchObject({
      packetsReceived: 30,
      packetsLost: 3,
      bytesReceived: 1000,
      bytesSent: 1000,
    });
  });
});

describe('send-side numbers', () => {
  it('takes availableOutgoingBitrate from the selected pair only, undefined when not reported', () => {
    const chrome = report(
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P2' },
      { id: 'P1', type: 'candidate-pair', nominated: true, availableOutgoingBitrate: 9_000_000 },
      { id: 'P2', type: 'candidate-pair', availableOutgoingBitrate: 1_234_000 },
    );
    expect(snapshotFromReport(chrome, 0).availableOutgoingBitrate).toBe(1_234_000);
    const nominated = report({
      type: 'candidate-pair',
      nominated: true,
      state: 'succeeded',
      availableOutgoingBitrate: 700_000,
    });
    expect(snapshotFromReport(nominated, 0).availableOutgoingBitrate).toBe(700_000);
    // Firefox: a selected pair without the field.
    const firefox = report({ type: 'candidate-pair', selected: true, currentRoundTripTime: 0.02 });
    expect(snapshotFromReport(firefox, 0).availableOutgoingBitrate).toBeUndefined();
    // A pair that is not in use says nothing about the link.
    const unused = report({ type: 'candidate-pair', availableOutgoingBitrate: 5_000_000 });
    expect(snapshotFromReport(unused, 0).availableOutgoingBitrate).toBeUndefined();
  });

  it('lists outbound videos camera first (numeric mid order), without audio', () => {
    const s = snapshotFromReport(
      report(
        { type: 'outbound-rtp', kind: 'video', mid: 'x', frameHeight: 1 },
        {
          type: 'outbound-rtp',
          kind: 'video',
          mid: '10',
          frameHeight: 1080,
          framesPerSecond: 5,
          qualityLimitationReason: 'none',
        },
        { type: 'outbound-rtp', kind: 'audio', mid: '0' },
        {
          type: 'outbound-rtp',
          kind: 'video',
          mid: '2',
          frameHeight: 360,
          framesPerSecond: 30,
          qualityLimitationReason: 'bandwidth',
        },
        { type: 'outbound-rtp', mediaType: 'video', frameHeight: 2 },
      ),
      0,
    );
    // "10" after "2": numbers, not strings; streams without a numeric mid last, in report order.
    expect(s.outboundVideo.map((v) => v.mid)).toEqual(['2', '10', 'x', undefined]);
    expect(s.outboundVideo[0]).toEqual({
      mid: '2',
      frameHeight: 360,
      framesPerSecond: 30,
      qualityLimitationReason: 'bandwidth',
    });
    expect(s.outboundVideo.map((v) => v.frameHeight)).toEqual([360, 1080, 1, 2]);
  });

  it('drops a qualityLimitationReason it does not know', () => {
    const s = snapshotFromReport(
      report({ type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'weather' }),
      0,
    );
    expect(s.outboundVideo[0]?.qualityLimitationReason).toBeUndefined();
  });

  it('passes the latest estimate and videos through, on the first sample too', () => {
    const video = {
      mid: '1',
      frameHeight: 720,
      framesPerSecond: 30,
      qualityLimitationReason: 'none' as const,
    };
    const first = linkStats(
      undefined,
      snap({ at: 0, availableOutgoingBitrate: 800_000, outboundVideo: [video] }),
    );
    expect(first.availableOutgoingBitrate).toBe(800_000);
    expect(first.outboundVideo).toEqual([video]);
    const next = linkStats(
      snap({ at: 0, availableOutgoingBitrate: 800_000 }),
      snap({ at: 2000, availableOutgoingBitrate: 300_000, outboundVideo: [video] }),
    );
    expect(next.availableOutgoingBitrate).toBe(300_000);
    expect(next.outboundVideo).toEqual([video]);
  });
});

describe('StatsSampler', () => {
  it('polls every 2 s and reports quality from consecutive reports', async () => {
    vi.useFakeTimers();
    let received = 0;
    const getStats = vi.fn(() => {
      received += 100;
      return Promise.resolve(
        report(
          {
            id: 'P',
            type: 'candidate-pair',
            selected: true,
            currentRoundTripTime: 0.03,
            availableOutgoingBitrate: 1_000_000 + received,
          },
          {
            type: 'inbound-rtp',
            packetsReceived: received,
            packetsLost: 0,
            bytesReceived: received * 1000,
          },
        ),
      );
    });
    const samples: LinkStats[] = [];
    const sampler = new StatsSampler({ getStats, onSample: (s) => samples.push(s) });
    sampler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(samples.map((s) => s.quality)).toEqual(['unknown']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(samples.map((s) => s.quality)).toEqual(['unknown', 'good']);
    expect(samples[1]!.inboundBps).toBe(400_000);
    expect(samples.map((s) => s.availableOutgoingBitrate)).toEqual([1_000_100, 1_000_200]);
    await vi.advanceTimersByTimeAsync(4000);
    expect(getStats).toHaveBeenCalledTimes(4);
    sampler.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(getStats).toHaveBeenCalledTimes(4);
  });
});
