import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalMedia, classifyMediaError, summarizeProblems } from './media';
import type { MediaEnv } from './media';
import { initialsOf } from './placeholder';
import { FakeCanvas, FakeMediaDevices, createFakeStream } from './testing/fake-media';
import { settle } from './testing/settle';

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

function fakeEnv(over: Partial<MediaEnv> = {}): Partial<MediaEnv> {
  return {
    getUserMedia: devices.getUserMedia,
    getDisplayMedia: devices.getDisplayMedia,
    enumerateDevices: devices.enumerateDevices,
    createMediaStream: createFakeStream,
    createCanvas: () => canvas as unknown as HTMLCanvasElement,
    createAudioContext: () => undefined,
    onDeviceChange: () => () => undefined,
    ...over,
  };
}

function media(opts: { placeholderWhenNoCamera?: boolean; env?: Partial<MediaEnv> } = {}) {
  const m = new LocalMedia({
    env: opts.env ?? fakeEnv(),
    displayName: 'Ada Lovelace',
    placeholderWhenNoCamera: opts.placeholderWhenNoCamera,
  });
  const sent: [string, string | null][] = [];
  m.on('track', (kind, track) => sent.push([kind, track?.label ?? null]));
  return { m, sent };
}

describe('LocalMedia acquisition and fallbacks', () => {
  it('opens camera and mic with one request when both work', async () => {
    const { m } = media();
    const state = await m.acquire();
    expect(devices.calls).toEqual([{ audio: true, video: true }]);
    expect(state).toMatchObject({ hasCamera: true, hasMic: true, problem: undefined });
    expect(state.videoTrack?.label).toBe('camera');
    expect(m.stream.getTracks().map((t) => t.label)).toEqual(['mic', 'camera']);
  });

  it('falls back to audio only with "camera-denied" when the camera is refused (NotAllowedError)', async () => {
    devices.camera = 'denied';
    const { m } = media();
    const state = await m.acquire();
    expect(devices.calls.map((c) => [c.audio, c.video])).toEqual([
      [true, true],
      [true, false],
    ]);
    expect(state).toMatchObject({ hasMic: true, hasCamera: false, problem: 'camera-denied' });
    expect(state.videoTrack).toBeNull();
    expect(m.usingPlaceholder).toBe(false);
  });

  it('falls back to audio only with "no-camera" when there is no camera (NotFoundError)', async () => {
    devices.camera = 'missing';
    const { m } = media();
    const state = await m.acquire();
    expect(state).toMatchObject({ hasMic: true, hasCamera: false, problem: 'no-camera' });
    expect(m.cameraProblem).toBe('not-found');
  });

  it('keeps the camera with "mic-denied" when only the microphone is refused', async () => {
    devices.mic = 'denied';
    const { m } = media();
    const state = await m.acquire();
    expect(state).toMatchObject({ hasMic: false, hasCamera: true, problem: 'mic-denied' });
    expect(state.audioTrack).toBeNull();
    expect(state.videoTrack?.label).toBe('camera');
  });

  it('sends a placeholder video with initials when neither camera nor mic can be opened', async () => {
    devices.camera = 'denied';
    devices.mic = 'denied';
    const { m } = media();
    const state = await m.acquire();
    expect(state).toMatchObject({ hasMic: false, hasCamera: false, problem: 'denied' });
    expect(state.videoTrack?.label).toBe('placeholder');
    expect(m.usingPlaceholder).toBe(true);
    expect(canvas.drawnText).toContain('AL');
    // Repainted so the far end keeps receiving frames.
    const painted = canvas.drawnText.length;
    await vi.advanceTimersByTimeAsync(3000);
    expect(canvas.drawnText.length).toBeGreaterThan(painted);
  });

  it('joins with no media and a clear reason when there is not even a canvas', async () => {
    devices.camera = 'missing';
    devices.mic = 'missing';
    const { m } = media({ env: fakeEnv({ createCanvas: () => undefined }) });
    const state = await m.acquire();
    expect(state).toMatchObject({
      audioTrack: null,
      videoTrack: null,
      hasMic: false,
      hasCamera: false,
      problem: 'no-mic',
    });
    expect(m.micProblem).toBe('not-found');
    expect(m.cameraProblem).toBe('not-found');
  });

  it('adds the placeholder to audio-only when placeholderWhenNoCamera is set', async () => {
    devices.camera = 'missing';
    const { m } = media({ placeholderWhenNoCamera: true });
    const state = await m.acquire();
    expect(state.audioTrack?.label).toBe('mic');
    expect(state.videoTrack?.label).toBe('placeholder');
  });

  it('retryPermissions() picks up a camera allowed later and announces the new video track', async () => {
    devices.camera = 'denied';
    const { m, sent } = media();
    await m.acquire();
    devices.camera = 'ok';
    const state = await m.retryPermissions();
    expect(state).toMatchObject({ hasCamera: true, hasMic: true, problem: undefined });
    expect(sent.at(-1)).toEqual(['video', 'camera']);
    // The working mic was not asked for again.
    expect(devices.calls.at(-1)).toEqual({ audio: false, video: true });
  });

  it('retrying from the placeholder replaces it with the real camera and stops it', async () => {
    devices.camera = 'denied';
    devices.mic = 'denied';
    const { m } = media();
    await m.acquire();
    devices.camera = 'ok';
    devices.mic = 'ok';
    await m.retryPermissions();
    expect(m.videoTrack?.label).toBe('camera');
    expect(canvas.stream.getVideoTracks()[0]!.readyState).toBe('ended');
  });
});

describe('LocalMedia controls', () => {
  it('mic off only disables the track: same track, no new getUserMedia', async () => {
    const { m } = media();
    await m.acquire();
    const mic = m.audioTrack!;
    m.setMicEnabled(false);
    expect(mic.enabled).toBe(false);
    expect(m.audioTrack).toBe(mic);
    expect(m.mediaFlags.audio).toBe(false);
    m.setMicEnabled(true);
    expect(mic.enabled).toBe(true);
    expect(devices.calls).toHaveLength(1);
  });

  it('camera off stops the camera track (light off) and sends nothing; camera on reopens it', async () => {
    const { m, sent } = media();
    await m.acquire();
    await m.setCameraEnabled(false);
    expect(devices.liveTracks('video')).toHaveLength(0);
    expect(m.videoTrack).toBeNull();
    expect(m.mediaFlags.video).toBe(false);
    expect(sent.at(-1)).toEqual(['video', null]);
    expect(await m.setCameraEnabled(true)).toBe(true);
    expect(devices.liveTracks('video')).toHaveLength(1);
    expect(sent.at(-1)).toEqual(['video', 'camera']);
  });

  it('switchDevice opens exactly the chosen device and stops the old track', async () => {
    const { m } = media();
    await m.acquire();
    const oldMic = m.audioTrack!;
    const track = await m.switchDevice('audioinput', 'mic-2');
    expect(track?.getSettings().deviceId).toBe('mic-2');
    expect(m.audioTrack).toBe(track);
    expect(oldMic.readyState).toBe('ended');
    const cam = await m.switchDevice('videoinput', 'cam-2');
    expect(cam?.getSettings().deviceId).toBe('cam-2');
    expect(devices.liveTracks('video')).toEqual([cam]);
  });

  it('a new mic from switchDevice keeps the muted state', async () => {
    const { m } = media();
    await m.acquire();
    m.setMicEnabled(false);
    const track = await m.switchDevice('audioinput', 'mic-2');
    expect(track?.enabled).toBe(false);
  });

  it('screen share goes beside the camera in a stream of its own, and its `ended` event (browser "Stop sharing") stops it', async () => {
    const { m, sent } = media();
    await m.acquire();
    const camera = m.videoTrack;
    expect(await m.startScreenShare()).toBe(true);
    expect(m.videoTrack).toBe(camera);
    expect(m.screenTrack?.label).toBe('screen');
    expect(m.screenStream?.getTracks()).toEqual([m.screenTrack]);
    expect(m.stream.getTracks()).not.toContain(m.screenTrack);
    expect(m.mediaFlags.screen).toBe(true);
    expect(sent.at(-1)).toEqual(['screen', 'screen']);
    const screenStream = m.screenStream;
    devices.lastScreenTrack!.endFromOutside();
    expect(m.videoTrack).toBe(camera);
    expect(m.sharingScreen).toBe(false);
    expect(m.screenTrack).toBeNull();
    expect(sent.at(-1)).toEqual(['screen', null]);
    // Sharing again uses the same stream, so the sender that carries it can be reused.
    await m.startScreenShare();
    expect(m.screenStream).toBe(screenStream);
    expect(screenStream?.getTracks()).toEqual([m.screenTrack]);
  });

  it('a cancelled screen picker resolves false and changes nothing', async () => {
    devices.screen = 'denied';
    const { m, sent } = media();
    await m.acquire();
    const before = sent.length;
    expect(await m.startScreenShare()).toBe(false);
    expect(m.videoTrack?.label).toBe('camera');
    expect(sent).toHaveLength(before);
  });

  it('stop() ends every track it opened', async () => {
    const { m } = media();
    await m.acquire();
    await m.startScreenShare();
    m.stop();
    await settle();
    expect(devices.liveTracks()).toEqual([]);
    expect(devices.lastScreenTrack!.readyState).toBe('ended');
    expect(m.stream.getTracks()).toEqual([]);
  });

  it('a screen chosen after the page was left (stop() while the picker was open) is let go', async () => {
    const { m, sent } = media();
    await m.acquire();
    const sharing = m.startScreenShare();
    m.stop();
    expect(await sharing).toBe(false);
    expect(devices.lastScreenTrack!.readyState).toBe('ended');
    expect(m.sharingScreen).toBe(false);
    expect(sent.filter(([kind]) => kind === 'screen')).toEqual([]);
  });

  it('lists devices by kind', async () => {
    const { m } = media();
    const list = await m.refreshDevices();
    expect(list.audioinput.map((d) => d.deviceId)).toEqual(['mic-1', 'mic-2']);
    expect(list.videoinput.map((d) => d.deviceId)).toEqual(['cam-1', 'cam-2']);
    expect(list.audiooutput).toHaveLength(1);
  });
});

describe('media problems', () => {
  it('classifies getUserMedia errors by name', () => {
    const e = (name: string) => new DOMException('x', name);
    expect(classifyMediaError(e('NotAllowedError'))).toBe('denied');
    expect(classifyMediaError(e('SecurityError'))).toBe('denied');
    expect(classifyMediaError(e('NotFoundError'))).toBe('not-found');
    expect(classifyMediaError(e('OverconstrainedError'))).toBe('not-found');
    expect(classifyMediaError(e('NotReadableError'))).toBe('in-use');
    expect(classifyMediaError(e('NotSupportedError'))).toBe('unsupported');
    expect(classifyMediaError(new TypeError('x'))).toBe('unsupported');
    expect(classifyMediaError(e('WeirdError'))).toBe('unknown');
    expect(classifyMediaError('not an error')).toBe('unknown');
  });

  it('names a refusal before a missing device, since the person can fix it', () => {
    expect(summarizeProblems('not-found', 'denied')).toBe('camera-denied');
    expect(summarizeProblems('denied', 'not-found')).toBe('mic-denied');
    expect(summarizeProblems('denied', 'denied')).toBe('denied');
    expect(summarizeProblems(undefined, 'in-use')).toBe('no-camera');
    expect(summarizeProblems('unsupported', 'unsupported')).toBe('no-mic');
    expect(summarizeProblems(undefined, undefined)).toBeUndefined();
  });

  it('initials take the first letters of the first and last names', () => {
    expect(initialsOf('Ada Lovelace')).toBe('AL');
    expect(initialsOf('grace')).toBe('G');
    expect(initialsOf('  Jean Paul Sartre ')).toBe('JS');
    expect(initialsOf('')).toBe('?');
  });
});
