import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalMedia, MUTED_SPEECH, MutedSpeechDetector } from './media';
import type { DeviceFallback, MediaEnv } from './media';
import type { LevelMeter } from './mic-meter';
import { FakeCanvas, FakeMediaDevices, createFakeStream } from './testing/fake-media';
import { settle } from './testing/settle';

// What LocalMedia does when things happen in an awkward order (the camera turned off while it
// is still opening, the page left during start-up, a device unplugged mid-call) and the
// "you are muted" hint. The happy paths are in media.test.ts.

let devices: FakeMediaDevices;
let canvas: FakeCanvas;

beforeEach(() => {
  vi.useFakeTimers();
  devices = new FakeMediaDevices();
  canvas = new FakeCanvas();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A level source the test sets by hand, in place of Web Audio. */
class FakeMeter implements LevelMeter {
  value = 0;
  track: MediaStreamTrack | null = null;
  closed = false;
  setTrack(track: MediaStreamTrack | null): void {
    this.track = track;
  }
  level(): number {
    return this.track?.readyState === 'live' ? this.value : 0;
  }
  close(): void {
    this.closed = true;
  }
}

function setup(over: Partial<MediaEnv> = {}) {
  const meter = new FakeMeter();
  const m = new LocalMedia({
    env: {
      getUserMedia: devices.getUserMedia,
      getDisplayMedia: devices.getDisplayMedia,
      enumerateDevices: devices.enumerateDevices,
      createMediaStream: createFakeStream,
      createCanvas: () => canvas as unknown as HTMLCanvasElement,
      createAudioContext: () => undefined,
      onDeviceChange: devices.onDeviceChange,
      ...over,
    },
    displayName: 'Ada Lovelace',
    meter,
  });
  const sent: [string, string | null][] = [];
  m.on('track', (kind, track) => sent.push([kind, track?.getSettings().deviceId ?? null]));
  const fallbacks: DeviceFallback[] = [];
  m.on('device-fallback', (e) => fallbacks.push(e));
  let mutedSpeech = 0;
  m.on('muted-speech', () => mutedSpeech++);
  return { m, meter, sent, fallbacks, mutedSpeech: () => mutedSpeech };
}

describe('LocalMedia: an open overtaken before it finishes', () => {
  it('a camera turned off while it is still opening is stopped when it arrives (light off, state off)', async () => {
    const { m } = setup();
    devices.hold = true;
    const acquiring = m.acquire();
    expect(devices.heldCount).toBe(1);
    // The prompt was accepted: the camera is open in the browser, the page does not have it yet.
    expect(devices.liveTracks('video')).toHaveLength(1);

    await m.setCameraEnabled(false);
    devices.release();
    const state = await acquiring;

    expect(devices.liveTracks('video')).toEqual([]);
    expect(m.cameraEnabled).toBe(false);
    expect(m.hasCamera).toBe(false);
    expect(state.videoTrack).toBeNull();
    expect(m.mediaFlags.video).toBe(false);
    // The mic from the same request is kept.
    expect(m.hasMic).toBe(true);
    expect(m.cameraProblem).toBeUndefined();
  });

  it('camera on, then off again before it opened: the late camera is stopped', async () => {
    const { m } = setup();
    await m.acquire({ video: false });
    devices.hold = true;
    const turningOn = m.setCameraEnabled(true);
    await m.setCameraEnabled(false);
    devices.release();
    expect(await turningOn).toBe(false);
    expect(devices.liveTracks('video')).toEqual([]);
    expect(m.videoTrack).toBeNull();
    expect(m.cameraEnabled).toBe(false);
  });

  it('off then on again while the first open is pending: exactly one camera ends up live', async () => {
    const { m } = setup();
    await m.acquire({ video: false });
    devices.hold = true;
    const first = m.setCameraEnabled(true);
    await m.setCameraEnabled(false);
    const second = m.setCameraEnabled(true);
    devices.release(true);
    expect(await first).toBe(true); // the camera is on by the time it resolves
    expect(await second).toBe(true);
    expect(devices.liveTracks('video')).toHaveLength(1);
    expect(m.videoTrack).toBe(devices.liveTracks('video')[0]);
  });

  it('leaving the page during start-up (stop() in acquire()) stops every track that arrives afterwards', async () => {
    const { m } = setup();
    devices.hold = true;
    const acquiring = m.acquire();
    expect(devices.liveTracks()).toHaveLength(2);
    m.stop();
    devices.release(true);
    await acquiring;
    await settle();

    expect(devices.liveTracks()).toEqual([]);
    expect(m.stream.getTracks()).toEqual([]);
    expect(m.hasMic).toBe(false);
    expect(m.hasCamera).toBe(false);
    // No placeholder drawn for a page that is gone, and devicechange is no longer watched.
    expect(m.usingPlaceholder).toBe(false);
    expect(devices.deviceChangeListeners).toBe(0);
  });

  it('leaving while the fallback requests run (the combined one failed) asks for nothing more', async () => {
    devices.camera = 'denied';
    const { m } = setup();
    devices.hold = true;
    const acquiring = m.acquire();
    devices.release(); // the combined request fails: the mic alone is asked next
    await settle();
    expect(devices.heldCount).toBe(1);
    m.stop();
    devices.release(true);
    await acquiring;
    await settle();
    expect(devices.liveTracks()).toEqual([]);
    // The camera alone is not asked for after the page is gone.
    expect(devices.calls.map((c) => [c.audio, c.video])).toEqual([
      [true, true],
      [true, false],
    ]);
    // Nor is a placeholder drawn.
    expect(canvas.drawnText).toEqual([]);
  });

  it('a mic that arrives after stop() is stopped as well', async () => {
    devices.camera = 'missing';
    const { m } = setup();
    devices.hold = true;
    const acquiring = m.acquire({ video: false });
    m.stop();
    devices.release(true);
    await acquiring;
    expect(devices.liveTracks('audio')).toEqual([]);
    expect(m.audioTrack).toBeNull();
  });

  it('a camera switch overtaken by a newer one: only the newer device stays open and is sent', async () => {
    const { m, sent } = setup();
    await m.acquire();
    devices.hold = true;
    const toCam2 = m.switchDevice('videoinput', 'cam-2');
    const backToCam1 = m.switchDevice('videoinput', 'cam-1');
    devices.release(true);
    expect(await toCam2).toBeUndefined();
    const track = await backToCam1;
    expect(track?.getSettings().deviceId).toBe('cam-1');
    expect(devices.liveTracks('video')).toEqual([track]);
    expect(m.videoTrack).toBe(track);
    expect(sent.filter(([kind]) => kind === 'video').map(([, id]) => id)).not.toContain('cam-2');
  });

  it('the camera turned off during a camera switch stays off', async () => {
    const { m } = setup();
    await m.acquire();
    devices.hold = true;
    const switching = m.switchDevice('videoinput', 'cam-2');
    await m.setCameraEnabled(false);
    devices.release();
    expect(await switching).toBeUndefined();
    expect(devices.liveTracks('video')).toEqual([]);
    expect(m.videoTrack).toBeNull();
  });

  it('a mic switch that arrives after stop() is stopped, and the mic switch in flight is dropped by a newer one', async () => {
    const { m } = setup();
    await m.acquire();
    devices.hold = true;
    const a = m.switchDevice('audioinput', 'mic-2');
    const b = m.switchDevice('audioinput', 'mic-1');
    devices.release(true);
    expect(await a).toBeUndefined();
    expect((await b)?.getSettings().deviceId).toBe('mic-1');
    expect(devices.liveTracks('audio')).toHaveLength(1);

    const c = m.switchDevice('audioinput', 'mic-2');
    m.stop();
    devices.release();
    expect(await c).toBeUndefined();
    expect(devices.liveTracks()).toEqual([]);
  });

  it('a camera switch to a device that fails reopens the previous camera and rethrows', async () => {
    const { m } = setup();
    await m.acquire();
    await expect(m.switchDevice('videoinput', 'cam-gone')).rejects.toMatchObject({
      name: 'OverconstrainedError',
    });
    expect(m.videoTrack?.getSettings().deviceId).toBe('cam-1');
    expect(devices.liveTracks('video')).toHaveLength(1);
  });
});

describe('LocalMedia: a device unplugged mid-call', () => {
  it('an unplugged camera stops being sent at once, then the default camera replaces it, with a notice event', async () => {
    const { m, sent, fallbacks } = setup();
    await m.acquire({ videoDeviceId: 'cam-2' });
    expect(m.deviceId('videoinput')).toBe('cam-2');

    devices.unplug('cam-2');
    // Synchronously: the dead track is no longer what we send.
    expect(sent.at(-1)).toEqual(['video', null]);
    expect(m.videoTrack).toBeNull();

    await settle();
    expect(m.videoTrack?.getSettings().deviceId).toBe('cam-1');
    expect(sent.at(-1)).toEqual(['video', 'cam-1']);
    expect(m.deviceId('videoinput')).toBe('cam-1');
    expect(devices.liveTracks('video')).toEqual([m.videoTrack]);
    expect(fallbacks).toEqual([
      { kind: 'videoinput', lost: 'camera', now: { deviceId: 'cam-1', label: 'camera' } },
    ]);
    expect(m.devices.videoinput.map((d) => d.deviceId)).toEqual(['cam-1']);
  });

  it('an unplugged mic falls back to the default mic and keeps it muted if it was', async () => {
    const { m, fallbacks } = setup();
    await m.acquire({ audioDeviceId: 'mic-2' });
    m.setMicEnabled(false);
    devices.unplug('mic-2');
    expect(m.audioTrack).toBeNull();
    await settle();
    expect(m.audioTrack?.getSettings().deviceId).toBe('mic-1');
    expect(m.audioTrack?.enabled).toBe(false);
    expect(fallbacks.map((f) => [f.kind, f.now?.deviceId])).toEqual([['audioinput', 'mic-1']]);
  });

  it('a device that only leaves the device list (its track stays "live") is let go the same way', async () => {
    const { m, fallbacks } = setup();
    await m.acquire({ videoDeviceId: 'cam-2' });
    const old = m.videoTrack!;
    devices.unplug('cam-2', { endTracks: false });
    await settle();
    expect(old.readyState).toBe('ended');
    expect(m.videoTrack?.getSettings().deviceId).toBe('cam-1');
    expect(fallbacks).toHaveLength(1);
  });

  it('with no camera left the problem says not-found and nothing dead is sent', async () => {
    const { m, fallbacks } = setup();
    await m.acquire();
    devices.list = devices.list.filter((d) => d.deviceId !== 'cam-2');
    devices.unplug('cam-1');
    await settle();
    expect(m.videoTrack).toBeNull();
    expect(m.cameraProblem).toBe('not-found');
    expect(m.problem).toBe('no-camera');
    expect(fallbacks).toEqual([{ kind: 'videoinput', lost: 'camera', now: null }]);
    expect(devices.liveTracks('video')).toEqual([]);
  });

  it('another device coming or going only refreshes the list', async () => {
    const { m, fallbacks } = setup();
    const lists: number[] = [];
    m.on('devices', (l) => lists.push(l.audioinput.length));
    await m.acquire();
    const camera = m.videoTrack;
    devices.unplug('mic-2');
    await settle();
    expect(m.videoTrack).toBe(camera);
    expect(fallbacks).toEqual([]);
    expect(lists.at(-1)).toBe(1);
    expect(m.devices.audioinput.map((d) => d.deviceId)).toEqual(['mic-1']);
  });

  it('lists no device without an id (the browser hides them before permission)', async () => {
    devices.list = [
      { deviceId: '', kind: 'audioinput', label: '', groupId: '' } as MediaDeviceInfo,
      ...devices.list,
    ];
    const { m } = setup();
    await m.acquire();
    expect(m.devices.audioinput.map((d) => d.deviceId)).toEqual(['mic-1', 'mic-2']);
  });
});

describe('"You are muted" hint', () => {
  const speak = async (meter: FakeMeter, level: number, ms: number) => {
    meter.value = level;
    await vi.advanceTimersByTimeAsync(ms);
  };

  it('speaking for ~300 ms while muted emits muted-speech once; the sent track stays disabled', async () => {
    const { m, meter, mutedSpeech } = setup();
    await m.acquire();
    m.setMicEnabled(false);
    await speak(meter, 0.8, 200);
    expect(mutedSpeech()).toBe(0);
    await speak(meter, 0.8, 200);
    expect(mutedSpeech()).toBe(1);
    expect(m.audioTrack?.enabled).toBe(false);
    expect(m.micLevel()).toBe(0); // the self view shows a muted mic as silent
    // Still talking: at most once every 10 s.
    await speak(meter, 0.8, 9_000);
    expect(mutedSpeech()).toBe(1);
    await speak(meter, 0.8, MUTED_SPEECH.cooldownMs);
    expect(mutedSpeech()).toBe(2);
  });

  it('room noise below the threshold, or a short sound, is not speech', async () => {
    const { m, meter, mutedSpeech } = setup();
    await m.acquire();
    m.setMicEnabled(false);
    await speak(meter, MUTED_SPEECH.threshold - 0.05, 2_000);
    await speak(meter, 0.9, 200); // a cough
    await speak(meter, 0, 1_000);
    expect(mutedSpeech()).toBe(0);
  });

  it('is never emitted while the mic is on, nor after the page is left', async () => {
    const { m, meter, mutedSpeech } = setup();
    await m.acquire();
    await speak(meter, 0.9, 2_000);
    expect(mutedSpeech()).toBe(0);
    m.setMicEnabled(false);
    m.stop();
    await speak(meter, 0.9, 2_000);
    expect(mutedSpeech()).toBe(0);
  });

  it('unmuting mid-sentence starts the next stretch from zero', async () => {
    const { m, meter, mutedSpeech } = setup();
    await m.acquire();
    m.setMicEnabled(false);
    await speak(meter, 0.9, 200);
    m.setMicEnabled(true);
    m.setMicEnabled(false);
    await speak(meter, 0.9, 200);
    expect(mutedSpeech()).toBe(0);
  });
});

describe('MutedSpeechDetector', () => {
  it('bridges the short dips between syllables but not a pause', () => {
    const d = new MutedSpeechDetector();
    expect(d.sample(0.8, 0)).toBe(false);
    expect(d.sample(0.1, 100)).toBe(false);
    expect(d.sample(0.8, 200)).toBe(false);
    expect(d.sample(0.8, 300)).toBe(true);

    const e = new MutedSpeechDetector();
    e.sample(0.8, 0);
    e.sample(0.8, 100);
    expect(e.sample(0.8, 400)).toBe(false); // 300 ms of silence in between: a new stretch
    expect(e.sample(0.8, 500)).toBe(false);
    expect(e.sample(0.8, 700)).toBe(true);
  });
});
