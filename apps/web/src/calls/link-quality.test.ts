import { QUALITY_LIMITS } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock';
import {
  LinkQuality,
  NEVER_CONNECTED_FAILS_AFTER_MS,
  PATH_ATTEMPTS,
  PATH_RETRY_MS,
} from './link-quality';
import type { QualityReport } from './link-quality';
import { FakeMediaStreamTrack, asTrack } from './testing/fake-media';
import { settle } from './testing/settle';

// One report per peer link: how it came up (from the selected ICE candidate pair) or that
// it failed for good, and the time from the link's start to the peer's first video frame.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const report = (...stats: Record<string, unknown>[]) =>
  new Map(stats.map((s) => [s.id as string, s])) as unknown as RTCStatsReport;

/** A stats report whose selected pair joins a local and a remote candidate of these types. */
const path = (local: string, remote: string) =>
  report(
    { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
    { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' },
    { id: 'L', type: 'local-candidate', candidateType: local },
    { id: 'R', type: 'remote-candidate', candidateType: remote },
  );

function watch(stats: () => RTCStatsReport = () => path('host', 'srflx')) {
  const reports: QualityReport[] = [];
  const getStats = vi.fn(() => Promise.resolve(stats()));
  const q = new LinkQuality({ clock: systemClock, getStats, report: (r) => reports.push(r) });
  return { q, reports, getStats };
}

/** A remote track whose first frame has not come yet; `unmute()` is that frame. */
class MutedTrack extends EventTarget {
  muted = true;
  /** `unmute` listeners attached and not yet removed. */
  listening = 0;
  constructor(readonly kind: 'audio' | 'video') {
    super();
  }
  override addEventListener(
    type: string,
    fn: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    if (type === 'unmute') this.listening++;
    super.addEventListener(type, fn, options);
  }
  override removeEventListener(
    type: string,
    fn: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    if (type === 'unmute') this.listening--;
    super.removeEventListener(type, fn, options);
  }
  unmute(): void {
    this.muted = false;
    this.dispatchEvent(new Event('unmute'));
  }
  get asTrack(): MediaStreamTrack {
    return this as unknown as MediaStreamTrack;
  }
}

describe('LinkQuality', () => {
  it('reports a direct link once, with the time from its start to the first video frame', async () => {
    const { q, reports } = watch();
    vi.advanceTimersByTime(400);
    q.state('connecting', 0);
    q.state('connected', 0);
    await settle();
    expect(reports).toEqual([]); // waiting for a frame
    const video = new MutedTrack('video');
    q.track(asTrack(new FakeMediaStreamTrack('audio')));
    q.track(video.asTrack);
    vi.advanceTimersByTime(800);
    video.unmute();
    expect(reports).toEqual([{ outcome: 'direct', firstFrameMs: 1_200 }]);
    q.state('disconnected', 0);
    q.state('connected', 1);
    q.close();
    await settle();
    expect(reports).toHaveLength(1);
  });

  it('a frame before the link connects is reported as soon as the path is known', async () => {
    const { q, reports } = watch();
    vi.advanceTimersByTime(300);
    q.track(asTrack(new FakeMediaStreamTrack('video'))); // unmuted on arrival
    q.state('connected', 0);
    await settle();
    expect(reports).toEqual([{ outcome: 'direct', firstFrameMs: 300 }]);
  });

  it('a relay candidate at either end of the selected pair means relay', async () => {
    for (const [local, remote] of [
      ['relay', 'host'],
      ['srflx', 'relay'],
    ] as const) {
      const { q, reports } = watch(() => path(local, remote));
      q.track(asTrack(new FakeMediaStreamTrack('video')));
      q.state('connected', 0);
      await settle();
      expect(reports).toEqual([{ outcome: 'relay', firstFrameMs: 0 }]);
    }
  });

  it('asks the stats again while they name no pair, and never guesses a path', async () => {
    let stats = report({ id: 'T', type: 'transport' });
    const { q, reports, getStats } = watch(() => stats);
    q.track(asTrack(new FakeMediaStreamTrack('video')));
    q.state('connected', 0);
    await settle();
    expect(reports).toEqual([]);
    stats = path('relay', 'host');
    await vi.advanceTimersByTimeAsync(PATH_RETRY_MS);
    expect(reports).toEqual([{ outcome: 'relay', firstFrameMs: 0 }]);
    expect(getStats).toHaveBeenCalledTimes(2);

    const never = watch(() => report());
    never.q.state('connected', 0);
    await vi.advanceTimersByTimeAsync(PATH_RETRY_MS * PATH_ATTEMPTS * 2);
    expect(never.getStats).toHaveBeenCalledTimes(PATH_ATTEMPTS);
    never.q.close();
    expect(never.reports).toEqual([]);
  });

  it('a failure is final only after the ICE restart that followed the first one failed too', async () => {
    const { q, reports, getStats } = watch();
    q.state('failed', 0); // PeerLink restarts ICE now
    q.state('connecting', 1);
    expect(reports).toEqual([]);
    q.state('failed', 1);
    expect(reports).toEqual([{ outcome: 'failed' }]);
    q.state('connected', 2);
    q.close();
    await settle();
    expect(reports).toHaveLength(1);
    expect(getStats).not.toHaveBeenCalled();
  });

  it('with no video frame (camera off) the report goes without it at the limit, or when the link closes', async () => {
    const { q, reports } = watch();
    q.track(new MutedTrack('video').asTrack);
    q.state('connected', 0);
    await settle();
    await vi.advanceTimersByTimeAsync(QUALITY_LIMITS.maxFirstFrameMs - 1);
    expect(reports).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(reports).toEqual([{ outcome: 'direct' }]);

    const early = watch();
    early.q.state('connected', 0);
    await settle();
    early.q.close();
    expect(early.reports).toEqual([{ outcome: 'direct' }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a link closed sooner than the limit without ever connecting reports nothing', () => {
    const { q, reports } = watch();
    q.state('connecting', 0);
    vi.advanceTimersByTime(NEVER_CONNECTED_FAILS_AFTER_MS - 1);
    q.close();
    expect(reports).toEqual([]);
  });

  it('a link closed after trying for the limit without ever connecting reports failed, once', () => {
    const { q, reports, getStats } = watch();
    q.state('connecting', 0);
    q.state('failed', 0); // one failure, then the ICE restart that never got anywhere
    q.state('connecting', 1);
    vi.advanceTimersByTime(NEVER_CONNECTED_FAILS_AFTER_MS);
    q.close();
    q.close();
    expect(reports).toEqual([{ outcome: 'failed' }]);
    expect(getStats).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a link that connected is never counted failed on close, however long it took', async () => {
    const { q, reports } = watch(() => report()); // stats never name the pair
    vi.advanceTimersByTime(NEVER_CONNECTED_FAILS_AFTER_MS * 3);
    q.state('connected', 0);
    await settle();
    q.state('disconnected', 0);
    q.close();
    expect(reports).toEqual([]);
  });

  it('closing takes the unmute listener off a remote video track still waiting for its frame', async () => {
    const { q, reports } = watch();
    const video = new MutedTrack('video');
    q.track(video.asTrack);
    expect(video.listening).toBe(1);
    q.state('connected', 0);
    await settle();
    q.close();
    expect(video.listening).toBe(0);
    video.unmute();
    expect(reports).toEqual([{ outcome: 'direct' }]);
  });
});
