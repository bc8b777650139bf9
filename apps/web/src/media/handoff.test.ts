// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, ref } from 'vue';
import { FakeMediaDevices, createFakeStream } from '../calls/testing/fake-media';
import { HOLD_MS, holdTracks, releaseHeld, withHeldTracks } from './handoff';
import { useMediaPreview } from './preview';

let devices: FakeMediaDevices;

beforeEach(() => {
  devices = new FakeMediaDevices();
  vi.useFakeTimers();
});
afterEach(() => {
  releaseHeld();
  vi.useRealTimers();
});

async function previewGoingToCall(opts: { micOn?: boolean; cameraOn?: boolean } = {}) {
  const scope = effectScope();
  const refs = {
    micOn: ref(opts.micOn ?? true),
    cameraOn: ref(opts.cameraOn ?? true),
    audioInputId: ref(''),
    videoInputId: ref(''),
  };
  const preview = scope.run(() =>
    useMediaPreview({
      ...refs,
      env: {
        getUserMedia: devices.getUserMedia,
        enumerateDevices: devices.enumerateDevices,
        createMediaStream: createFakeStream,
        createAudioContext: () => undefined,
        onDeviceChange: devices.onDeviceChange,
      },
      handOver: () => true,
    }),
  )!;
  await preview.start();
  scope.stop();
  return refs;
}

const callGum = () => withHeldTracks(devices.getUserMedia, createFakeStream);

describe('the preview hands its open devices to the call page', () => {
  it('the call takes both tracks without opening the devices again', async () => {
    const refs = await previewGoingToCall({ micOn: false });
    expect(devices.calls).toHaveLength(1);
    const s = await callGum()({
      audio: { deviceId: { ideal: refs.audioInputId.value } },
      video: { deviceId: { ideal: refs.videoInputId.value } },
    });
    expect(devices.calls).toHaveLength(1);
    expect(s.getTracks().map((t) => [t.kind, t.readyState])).toEqual([
      ['audio', 'live'],
      ['video', 'live'],
    ]);
    // Muted in the preview; the call applies its own choice to what it takes.
    expect(s.getAudioTracks()[0]?.enabled).toBe(true);
    // Only what the call holds is still open: the preview stopped its own.
    expect(devices.liveTracks()).toHaveLength(2);
    // Taken once: a later request opens the devices.
    await callGum()({ audio: true });
    expect(devices.calls).toHaveLength(2);
  });

  it('what the call does not ask for is stopped at once', async () => {
    await previewGoingToCall();
    const s = await callGum()({ audio: true });
    expect(s.getTracks().map((t) => t.kind)).toEqual(['audio']);
    expect(devices.liveTracks('video')).toHaveLength(0);
  });

  it('another device than the one held goes to the browser, and the held tracks stop', async () => {
    await previewGoingToCall();
    await callGum()({ audio: true, video: { deviceId: { exact: 'cam-2' } } });
    expect(devices.calls).toHaveLength(2);
    expect(devices.liveTracks()).toHaveLength(2); // the new pair only
  });

  it('no camera light stays on for a call that never came', async () => {
    await previewGoingToCall();
    expect(devices.liveTracks()).toHaveLength(2);
    vi.advanceTimersByTime(HOLD_MS);
    expect(devices.liveTracks()).toHaveLength(0);
  });

  it('a camera switched off in the preview is not handed over', async () => {
    await previewGoingToCall({ cameraOn: false });
    const s = await callGum()({ audio: true, video: true });
    // Not everything asked for is held: the browser opens both.
    expect(devices.calls).toHaveLength(2);
    expect(s.getTracks()).toHaveLength(2);
  });

  it('a preview closed for another page holds nothing', () => {
    holdTracks([]);
    const scope = effectScope();
    scope.run(() =>
      useMediaPreview({
        micOn: ref(true),
        cameraOn: ref(true),
        audioInputId: ref(''),
        videoInputId: ref(''),
        env: { getUserMedia: devices.getUserMedia, createMediaStream: createFakeStream },
        handOver: () => false,
      }),
    );
    scope.stop();
    expect(devices.liveTracks()).toHaveLength(0);
  });
});
