// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { classifyMediaError } from './errors';
import { useMediaPreview } from './preview';

class FakeTrack {
  static count = 0;
  readonly id = `track-${++FakeTrack.count}`;
  enabled = true;
  stopped = false;
  private listeners: (() => void)[] = [];
  constructor(
    readonly kind: 'audio' | 'video',
    readonly deviceId: string,
  ) {}
  stop() {
    this.stopped = true;
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
  addEventListener(_type: 'ended', fn: () => void) {
    this.listeners.push(fn);
  }
  end() {
    this.listeners.forEach((fn) => fn());
  }
}

class FakeStream {
  constructor(private readonly tracks: FakeTrack[] = []) {}
  getTracks() {
    return this.tracks;
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === 'video');
  }
}

const denied = () => new DOMException('Permission denied', 'NotAllowedError');
const missing = () => new DOMException('Requested device not found', 'NotFoundError');

/** getUserMedia that grants or refuses each kind; records every request. */
function fakeDevices(opts: { camera?: () => DOMException; mic?: () => DOMException } = {}) {
  const requests: MediaStreamConstraints[] = [];
  const opened: FakeTrack[] = [];
  const devices = {
    requests,
    opened,
    getUserMedia: vi.fn(async (c: MediaStreamConstraints) => {
      await Promise.resolve(); // the browser answers asynchronously
      requests.push(c);
      if (c.video && opts.camera) throw opts.camera();
      if (c.audio && opts.mic) throw opts.mic();
      const tracks: FakeTrack[] = [];
      const id = (x: unknown, fallback: string) =>
        ((x as MediaTrackConstraints).deviceId as { ideal?: string } | undefined)?.ideal ??
        fallback;
      if (c.audio) tracks.push(new FakeTrack('audio', id(c.audio, 'mic-default')));
      if (c.video) tracks.push(new FakeTrack('video', id(c.video, 'cam-default')));
      opened.push(...tracks);
      return new FakeStream(tracks);
    }),
    enumerateDevices: vi.fn(() =>
      Promise.resolve([
        { kind: 'audioinput', deviceId: 'mic-default', label: 'Built-in mic', groupId: 'g' },
        { kind: 'videoinput', deviceId: 'cam-default', label: 'Built-in camera', groupId: 'g' },
        { kind: 'videoinput', deviceId: 'cam-usb', label: 'USB camera', groupId: 'h' },
        { kind: 'audiooutput', deviceId: '', label: '', groupId: '' },
      ]),
    ),
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  };
  return devices;
}

function setup(devices: ReturnType<typeof fakeDevices>, opts: { cameraOn?: boolean } = {}) {
  const scope = effectScope();
  const refs = {
    micOn: ref(true),
    cameraOn: ref(opts.cameraOn ?? true),
    audioInputId: ref(''),
    videoInputId: ref(''),
  };
  const preview = scope.run(() =>
    useMediaPreview({ ...refs, mediaDevices: devices as unknown as MediaDevices }),
  )!;
  return { preview, scope, ...refs };
}

beforeEach(() => {
  vi.stubGlobal('MediaStream', FakeStream);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('useMediaPreview', () => {
  it('opens camera and mic with one request and lists the devices', async () => {
    const devices = fakeDevices();
    const { preview, audioInputId, videoInputId } = setup(devices);
    await preview.start();
    expect(devices.requests).toHaveLength(1);
    expect(preview.stream.value?.getTracks().map((t) => t.kind)).toEqual(['audio', 'video']);
    expect(preview.cameraProblem.value).toBeNull();
    expect(preview.micProblem.value).toBeNull();
    // The pickers show the devices actually opened; placeholder entries without ids are skipped.
    expect(audioInputId.value).toBe('mic-default');
    expect(videoInputId.value).toBe('cam-default');
    expect(preview.videoInputs.value.map((d) => d.deviceId)).toEqual(['cam-default', 'cam-usb']);
    expect(preview.audioOutputs.value).toEqual([]);
  });

  it('a refused camera is reported as denied while the mic keeps working', async () => {
    const devices = fakeDevices({ camera: denied });
    const { preview } = setup(devices);
    await preview.start();
    expect(preview.cameraProblem.value).toBe('denied');
    expect(preview.micProblem.value).toBeNull();
    expect(preview.stream.value?.getTracks().map((t) => t.kind)).toEqual(['audio']);
  });

  it('no microphone at all is reported as not found; the camera still shows', async () => {
    const devices = fakeDevices({ mic: missing });
    const { preview } = setup(devices);
    await preview.start();
    expect(preview.micProblem.value).toBe('not-found');
    expect(preview.cameraProblem.value).toBeNull();
    expect(preview.stream.value?.getTracks().map((t) => t.kind)).toEqual(['video']);
  });

  it('"Try again" clears the problem once the camera is allowed', async () => {
    let refuse = true;
    const devices = fakeDevices({ camera: () => (refuse ? denied() : (null as never)) });
    const { preview } = setup(devices);
    await preview.start();
    expect(preview.cameraProblem.value).toBe('denied');
    refuse = false;
    devices.getUserMedia.mockImplementation(async (c: MediaStreamConstraints) => {
      await Promise.resolve();
      const tracks = [
        ...(c.audio ? [new FakeTrack('audio', 'mic-default')] : []),
        ...(c.video ? [new FakeTrack('video', 'cam-default')] : []),
      ];
      return new FakeStream(tracks);
    });
    await preview.retry();
    expect(preview.cameraProblem.value).toBeNull();
    expect(preview.stream.value?.getVideoTracks()).toHaveLength(1);
  });

  it('switching the camera off releases it; switching it on opens it again', async () => {
    const devices = fakeDevices();
    const { preview, cameraOn } = setup(devices);
    await preview.start();
    const firstCamera = devices.opened.find((t) => t.kind === 'video');

    cameraOn.value = false;
    await nextTick();
    expect(firstCamera?.stopped).toBe(true);
    expect(preview.stream.value?.getVideoTracks()).toEqual([]);

    cameraOn.value = true;
    await vi.waitFor(() => expect(preview.stream.value?.getVideoTracks()).toHaveLength(1));
  });

  it('muting the mic disables its track without closing it', async () => {
    const devices = fakeDevices();
    const { preview, micOn } = setup(devices);
    await preview.start();
    const mic = devices.opened.find((t) => t.kind === 'audio');
    micOn.value = false;
    await nextTick();
    expect(mic?.enabled).toBe(false);
    expect(mic?.stopped).toBe(false);
  });

  it('picking another camera reopens it with that device and stops the old one', async () => {
    const devices = fakeDevices();
    const { preview, videoInputId } = setup(devices);
    await preview.start();
    const old = devices.opened.find((t) => t.kind === 'video');
    videoInputId.value = 'cam-usb';
    await vi.waitFor(() =>
      expect(preview.stream.value?.getVideoTracks()[0]?.getSettings().deviceId).toBe('cam-usb'),
    );
    expect(old?.stopped).toBe(true);
  });

  it('starting with the camera off asks only for the mic', async () => {
    const devices = fakeDevices();
    const { preview } = setup(devices, { cameraOn: false });
    await preview.start();
    expect(devices.requests).toEqual([{ audio: expect.any(Object), video: false }]);
  });

  it('stops every track when its scope ends (leaving the page)', async () => {
    const devices = fakeDevices();
    const { preview, scope } = setup(devices);
    await preview.start();
    scope.stop();
    expect(devices.opened.every((t) => t.stopped)).toBe(true);
  });

  it('without getUserMedia (plain HTTP) both are reported as unsupported', async () => {
    const scope = effectScope();
    const preview = scope.run(() =>
      useMediaPreview({
        micOn: ref(true),
        cameraOn: ref(true),
        audioInputId: ref(''),
        videoInputId: ref(''),
        mediaDevices: undefined,
      }),
    )!;
    await preview.start();
    expect(preview.micProblem.value).toBe('unsupported');
    expect(preview.cameraProblem.value).toBe('unsupported');
  });
});

describe('classifyMediaError', () => {
  it.each([
    ['NotAllowedError', 'denied'],
    ['SecurityError', 'denied'],
    ['NotFoundError', 'not-found'],
    ['OverconstrainedError', 'not-found'],
    ['NotReadableError', 'in-use'],
    ['WeirdError', 'unknown'],
  ])('%s means %s', (name, problem) => {
    expect(classifyMediaError(new DOMException('x', name))).toBe(problem);
  });
});
