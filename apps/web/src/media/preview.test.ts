// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import type { MediaEnv } from '../calls';
import { FakeMediaDevices, createFakeStream } from '../calls/testing/fake-media';
import { settle } from '../calls/testing/settle';
import { deviceFallbackNotice } from './devices';
import { useMediaPreview } from './preview';

let devices: FakeMediaDevices;

beforeEach(() => {
  devices = new FakeMediaDevices();
});
afterEach(() => {
  vi.useRealTimers();
});

function env(over: Partial<MediaEnv> = {}): Partial<MediaEnv> {
  return {
    getUserMedia: devices.getUserMedia,
    enumerateDevices: devices.enumerateDevices,
    createMediaStream: createFakeStream,
    createAudioContext: () => undefined,
    onDeviceChange: devices.onDeviceChange,
    ...over,
  };
}

function setup(opts: { cameraOn?: boolean; env?: Partial<MediaEnv> } = {}) {
  const scope = effectScope();
  const refs = {
    micOn: ref(true),
    cameraOn: ref(opts.cameraOn ?? true),
    audioInputId: ref(''),
    videoInputId: ref(''),
  };
  const preview = scope.run(() => useMediaPreview({ ...refs, env: opts.env ?? env() }))!;
  return { preview, scope, ...refs };
}

const kinds = (s: MediaStream | null) => s?.getTracks().map((t) => t.kind);

describe('useMediaPreview (the pre-join page on LocalMedia)', () => {
  it('opens camera and mic with one request and lists the devices', async () => {
    devices.list.push({
      deviceId: '',
      kind: 'audiooutput',
      label: '',
      groupId: '',
    } as MediaDeviceInfo);
    const { preview, audioInputId, videoInputId } = setup();
    await preview.start();
    expect(devices.calls).toHaveLength(1);
    expect(kinds(preview.stream.value)).toEqual(['audio', 'video']);
    expect(preview.cameraProblem.value).toBeNull();
    expect(preview.micProblem.value).toBeNull();
    // The pickers show the devices actually opened; entries without ids are skipped.
    expect(audioInputId.value).toBe('mic-1');
    expect(videoInputId.value).toBe('cam-1');
    expect(preview.videoInputs.value.map((d) => d.deviceId)).toEqual(['cam-1', 'cam-2']);
    expect(preview.audioOutputs.value.map((d) => d.deviceId)).toEqual(['spk-1']);
  });

  it('a refused camera is reported as denied while the mic keeps working', async () => {
    devices.camera = 'denied';
    const { preview } = setup();
    await preview.start();
    expect(preview.cameraProblem.value).toBe('denied');
    expect(preview.micProblem.value).toBeNull();
    expect(kinds(preview.stream.value)).toEqual(['audio']);
  });

  it('no microphone at all is reported as not found; the camera still shows (no placeholder)', async () => {
    devices.mic = 'missing';
    const { preview } = setup();
    await preview.start();
    expect(preview.micProblem.value).toBe('not-found');
    expect(preview.cameraProblem.value).toBeNull();
    expect(kinds(preview.stream.value)).toEqual(['video']);
  });

  it('"Try again" clears the problem once the camera is allowed, without asking for the mic again', async () => {
    devices.camera = 'denied';
    const { preview } = setup();
    await preview.start();
    expect(preview.cameraProblem.value).toBe('denied');
    devices.camera = 'ok';
    await preview.retry();
    expect(preview.cameraProblem.value).toBeNull();
    expect(preview.stream.value?.getVideoTracks()).toHaveLength(1);
    expect(devices.calls.at(-1)).toMatchObject({ audio: false, video: true });
  });

  it('switching the camera off releases it; switching it on opens it again', async () => {
    const { preview, cameraOn } = setup();
    await preview.start();
    cameraOn.value = false;
    await nextTick();
    expect(devices.liveTracks('video')).toEqual([]);
    expect(preview.stream.value?.getVideoTracks()).toEqual([]);

    cameraOn.value = true;
    await vi.waitFor(() => expect(preview.stream.value?.getVideoTracks()).toHaveLength(1));
  });

  it('switching the camera off while it is still opening: it is stopped when it arrives', async () => {
    devices.hold = true;
    const { preview, cameraOn } = setup();
    const starting = preview.start();
    cameraOn.value = false;
    await nextTick();
    devices.release(true);
    await starting;
    await settle();
    expect(devices.liveTracks('video')).toEqual([]);
    expect(kinds(preview.stream.value)).toEqual(['audio']);
  });

  it('muting the mic disables its track without closing it', async () => {
    const { preview, micOn } = setup();
    await preview.start();
    micOn.value = false;
    await nextTick();
    const [mic] = devices.liveTracks('audio');
    expect(mic?.enabled).toBe(false);
  });

  it('starts muted when the mic toggle is off', async () => {
    const { preview, micOn } = setup();
    micOn.value = false;
    await nextTick();
    await preview.start();
    expect(devices.liveTracks('audio')[0]?.enabled).toBe(false);
  });

  it('picking another camera opens exactly that device and stops the old one', async () => {
    const { preview, videoInputId } = setup();
    await preview.start();
    const [old] = devices.liveTracks('video');
    videoInputId.value = 'cam-2';
    await vi.waitFor(() =>
      expect(preview.stream.value?.getVideoTracks()[0]?.getSettings().deviceId).toBe('cam-2'),
    );
    expect(old?.readyState).toBe('ended');
  });

  it('a picked device that fails to open puts the picker back on the one that is open', async () => {
    const { preview, audioInputId } = setup();
    await preview.start();
    audioInputId.value = 'mic-gone';
    await vi.waitFor(() => expect(audioInputId.value).toBe('mic-1'));
    expect(devices.liveTracks('audio')).toHaveLength(1);
  });

  it('starting with the camera off asks only for the mic', async () => {
    const { preview } = setup({ cameraOn: false });
    await preview.start();
    expect(devices.calls).toEqual([expect.objectContaining({ audio: true, video: false })]);
  });

  it('stops every track when its scope ends (leaving the page)', async () => {
    const { preview, scope } = setup();
    await preview.start();
    scope.stop();
    expect(devices.liveTracks()).toEqual([]);
  });

  it('leaving the page while the devices are still opening stops them when they arrive', async () => {
    devices.hold = true;
    const { preview, scope } = setup();
    const starting = preview.start();
    scope.stop();
    devices.release(true);
    await starting;
    await settle();
    expect(devices.liveTracks()).toEqual([]);
  });

  it('without getUserMedia (plain HTTP) both are reported as unsupported', async () => {
    const { preview } = setup({
      env: env({
        getUserMedia: () =>
          Promise.reject(new DOMException('No media devices', 'NotSupportedError')),
      }),
    });
    await preview.start();
    expect(preview.micProblem.value).toBe('unsupported');
    expect(preview.cameraProblem.value).toBe('unsupported');
  });
});

describe('deviceFallbackNotice', () => {
  it('names the device switched to, the default when the label is hidden, or none', () => {
    expect(
      deviceFallbackNotice({
        kind: 'videoinput',
        lost: 'USB',
        now: { deviceId: 'c', label: 'HD' },
      }),
    ).toEqual({ key: 'devices.fallback.videoinput.switched', params: { device: 'HD' } });
    expect(
      deviceFallbackNotice({ kind: 'audioinput', lost: '', now: { deviceId: 'm', label: '' } }),
    ).toEqual({ key: 'devices.fallback.audioinput.default', params: {} });
    expect(deviceFallbackNotice({ kind: 'audioinput', lost: 'x', now: null })).toEqual({
      key: 'devices.fallback.audioinput.none',
      params: {},
    });
  });
});
