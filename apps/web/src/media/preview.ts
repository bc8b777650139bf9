import { computed, onScopeDispose, shallowRef, watch } from 'vue';
import type { Ref } from 'vue';
import { LocalMedia, browserMediaEnv } from '../calls';
import type { DeviceList, MediaEnv, MediaProblem } from '../calls';
import { holdTracks } from './handoff';

export interface MediaPreviewOptions {
  micOn: Ref<boolean>;
  cameraOn: Ref<boolean>;
  /** '' = the browser's default; updated to the device actually opened. */
  audioInputId: Ref<string>;
  videoInputId: Ref<string>;
  /** The browser's media APIs; tests pass fakes. */
  env?: Partial<MediaEnv> | undefined;
  /**
   * Asked when the preview closes: true when the person is on the way into the call, whose
   * page then takes the open camera and mic instead of opening them again (media/handoff).
   */
  handOver?: (() => boolean) | undefined;
}

type InputKind = 'audioinput' | 'videoinput';

/**
 * The camera and microphone on the pre-join page, as Vue state over the call's own
 * LocalMedia (one local-media stack for both pages: the same fallbacks, problems, guards
 * and meter). Reports why one cannot be opened (so the other still works), follows the
 * device pickers and the on/off toggles, and lists devices. The camera is released when
 * switched off so its light goes out; the mic stays open (muted) so its level meter can come
 * back at once. Leaving the page (the scope ends) stops everything, also what is still
 * opening.
 */
export function useMediaPreview(opts: MediaPreviewOptions) {
  const env: MediaEnv = { ...browserMediaEnv(), ...opts.env };
  // No placeholder video: the preview shows the person's initial itself.
  const media = new LocalMedia({ env, placeholder: false });

  const stream = shallowRef<MediaStream | null>(null);
  const cameraProblem = shallowRef<MediaProblem | null>(null);
  const micProblem = shallowRef<MediaProblem | null>(null);
  const starting = shallowRef(false);
  const devices = shallowRef<DeviceList>(media.devices);

  const idRef = (kind: InputKind) =>
    kind === 'audioinput' ? opts.audioInputId : opts.videoInputId;

  /** Mirrors LocalMedia into the refs the page draws. */
  function read() {
    const live = [media.audioTrack, media.cameraEnabled ? media.cameraTrack : null].filter(
      (t): t is MediaStreamTrack => t !== null && t.readyState === 'live',
    );
    // A new stream only when the tracks change, so the <video> rebinds to a new camera.
    const now = stream.value?.getTracks() ?? [];
    if (live.length !== now.length || live.some((t, i) => t !== now[i])) {
      stream.value = live.length ? env.createMediaStream(live) : null;
    }
    micProblem.value = media.micProblem ?? null;
    cameraProblem.value = opts.cameraOn.value ? (media.cameraProblem ?? null) : null;
    devices.value = media.devices;
    // The pickers show the devices actually opened.
    for (const kind of ['audioinput', 'videoinput'] as const) {
      const track = kind === 'audioinput' ? media.audioTrack : media.cameraTrack;
      const actual = track?.readyState === 'live' ? track.getSettings().deviceId : undefined;
      if (actual && actual !== idRef(kind).value) idRef(kind).value = actual;
    }
  }
  const off = media.on('change', read);

  /** Opens what the toggles ask for: one prompt for both when possible. */
  async function start(): Promise<void> {
    if (starting.value) return;
    starting.value = true;
    try {
      media.setMicEnabled(opts.micOn.value);
      await media.acquire({
        audio: true,
        video: opts.cameraOn.value,
        audioDeviceId: opts.audioInputId.value || undefined,
        videoDeviceId: opts.videoInputId.value || undefined,
      });
    } finally {
      starting.value = false;
      read();
    }
  }

  /** Asks again for what is missing ("Try again"). */
  async function retry(): Promise<void> {
    if (starting.value) return;
    starting.value = true;
    try {
      await media.retryPermissions();
    } finally {
      starting.value = false;
      read();
    }
  }

  watch(opts.micOn, (on) => media.setMicEnabled(on));
  watch(opts.cameraOn, (on) => void media.setCameraEnabled(on).finally(read));

  for (const kind of ['audioinput', 'videoinput'] as const) {
    watch(idRef(kind), (id) => {
      if (!id || id === media.deviceId(kind)) return;
      media.switchDevice(kind, id).catch(() => {
        // That device would not open (unplugged since the list was made): the picker goes
        // back to what is open.
        const current = media.deviceId(kind);
        if (current) idRef(kind).value = current;
      });
    });
  }

  function stop() {
    media.stop();
  }

  onScopeDispose(() => {
    off();
    if (opts.handOver?.()) {
      holdTracks([media.audioTrack, opts.cameraOn.value ? media.cameraTrack : null]);
    }
    media.stop();
  });

  const byKind = (kind: MediaDeviceKind) => computed(() => devices.value[kind]);

  return {
    stream,
    cameraProblem,
    micProblem,
    starting,
    /** The mic's level now (0..1, 0 while muted), for the meter to sample. */
    micLevel: () => media.micLevel(),
    start,
    stop,
    retry,
    audioInputs: byKind('audioinput'),
    videoInputs: byKind('videoinput'),
    audioOutputs: byKind('audiooutput'),
    refreshDevices: () => media.refreshDevices(),
  };
}

/** Plays a short tone through the chosen speaker, where the browser can pick one. */
export async function playTestSound(sinkId: string): Promise<void> {
  const rate = 22_050;
  const seconds = 0.6;
  const samples = Math.floor(rate * seconds);
  const data = new DataView(new ArrayBuffer(44 + samples * 2));
  const text = (at: number, s: string) =>
    [...s].forEach((c, i) => data.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  data.setUint32(4, 36 + samples * 2, true);
  text(8, 'WAVEfmt ');
  data.setUint32(16, 16, true);
  data.setUint16(20, 1, true); // PCM
  data.setUint16(22, 1, true); // mono
  data.setUint32(24, rate, true);
  data.setUint32(28, rate * 2, true);
  data.setUint16(32, 2, true);
  data.setUint16(34, 16, true);
  text(36, 'data');
  data.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) {
    // Two soft notes with a fade in and out, so it does not click.
    const t = i / rate;
    const freq = t < seconds / 2 ? 660 : 880;
    const envelope = Math.min(1, t / 0.02, (seconds - t) / 0.05);
    data.setInt16(44 + i * 2, Math.sin(2 * Math.PI * freq * t) * envelope * 0.3 * 32767, true);
  }
  const url = URL.createObjectURL(new Blob([data.buffer], { type: 'audio/wav' }));
  const audio = new Audio(url);
  try {
    if (sinkId && 'setSinkId' in audio) await audio.setSinkId(sinkId);
    await audio.play();
    await new Promise((resolve) => audio.addEventListener('ended', resolve, { once: true }));
  } finally {
    URL.revokeObjectURL(url);
  }
}
