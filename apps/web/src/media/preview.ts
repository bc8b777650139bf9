import { useEventListener } from '@vueuse/core';
import { computed, onScopeDispose, shallowRef, watch } from 'vue';
import type { Ref } from 'vue';
import { classifyMediaError } from './errors';
import type { MediaProblem } from './errors';

export interface MediaPreviewOptions {
  micOn: Ref<boolean>;
  cameraOn: Ref<boolean>;
  /** '' = the browser's default; updated to the device actually opened. */
  audioInputId: Ref<string>;
  videoInputId: Ref<string>;
  mediaDevices?: MediaDevices | undefined;
}

type Kind = 'audio' | 'video';

const AUDIO: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};
const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 } };

/**
 * The camera and microphone on the pre-join page: opens them, reports why one cannot be
 * opened (so the other still works), follows device pickers and the on/off toggles, and lists
 * devices. The camera is released when switched off so its light goes out; the mic stays open
 * (muted) so its level meter can come back at once.
 */
export function useMediaPreview(opts: MediaPreviewOptions) {
  const md =
    'mediaDevices' in opts
      ? opts.mediaDevices
      : typeof navigator !== 'undefined'
        ? navigator.mediaDevices
        : undefined;

  const stream = shallowRef<MediaStream | null>(null);
  const cameraProblem = shallowRef<MediaProblem | null>(null);
  const micProblem = shallowRef<MediaProblem | null>(null);
  const starting = shallowRef(false);
  const devices = shallowRef<MediaDeviceInfo[]>([]);

  const tracks: Record<Kind, MediaStreamTrack | null> = { audio: null, video: null };
  // Bumped on each open/close of a kind; an open that finishes after a newer one is discarded.
  const generation: Record<Kind, number> = { audio: 0, video: 0 };
  let disposed = false;

  function publish() {
    const live = [tracks.audio, tracks.video].filter((t): t is MediaStreamTrack => t !== null);
    stream.value = live.length ? new MediaStream(live) : null;
  }

  function deviceIdRef(kind: Kind) {
    return kind === 'audio' ? opts.audioInputId : opts.videoInputId;
  }

  function constraints(kind: Kind): MediaTrackConstraints {
    const id = deviceIdRef(kind).value;
    // `ideal`, not `exact`: a remembered device that is gone falls back to the default.
    return { ...(kind === 'audio' ? AUDIO : VIDEO), ...(id ? { deviceId: { ideal: id } } : {}) };
  }

  function setProblem(kind: Kind, problem: MediaProblem | null) {
    (kind === 'audio' ? micProblem : cameraProblem).value = problem;
  }

  function adopt(kind: Kind, track: MediaStreamTrack) {
    tracks[kind]?.stop();
    tracks[kind] = track;
    if (kind === 'audio') track.enabled = opts.micOn.value;
    track.addEventListener('ended', () => {
      // Unplugged or revoked while previewing.
      if (tracks[kind] !== track) return;
      tracks[kind] = null;
      setProblem(kind, 'not-found');
      publish();
    });
    const actual = track.getSettings().deviceId;
    if (actual) deviceIdRef(kind).value = actual;
    setProblem(kind, null);
  }

  function close(kind: Kind) {
    generation[kind]++;
    tracks[kind]?.stop();
    tracks[kind] = null;
    publish();
  }

  async function open(kind: Kind): Promise<void> {
    const gen = ++generation[kind];
    if (!md?.getUserMedia) {
      setProblem(kind, 'unsupported');
      return;
    }
    try {
      const s = await md.getUserMedia({ [kind]: constraints(kind) });
      const track = (kind === 'audio' ? s.getAudioTracks() : s.getVideoTracks())[0];
      if (disposed || gen !== generation[kind] || !track) {
        s.getTracks().forEach((t) => t.stop());
        return;
      }
      adopt(kind, track);
    } catch (err) {
      if (gen === generation[kind]) setProblem(kind, classifyMediaError(err));
    }
    publish();
  }

  async function refreshDevices() {
    if (!md?.enumerateDevices) return;
    try {
      // Before permission is granted the browser lists placeholders without ids; skip them.
      devices.value = (await md.enumerateDevices()).filter((d) => d.deviceId !== '');
    } catch {
      devices.value = [];
    }
  }

  /** Opens what the toggles ask for: one prompt for both when possible. */
  async function start(): Promise<void> {
    if (starting.value) return;
    starting.value = true;
    try {
      const wantVideo = opts.cameraOn.value;
      if (!md?.getUserMedia) {
        micProblem.value = 'unsupported';
        cameraProblem.value = wantVideo ? 'unsupported' : null;
        return;
      }
      const gen = { audio: ++generation.audio, video: ++generation.video };
      try {
        const s = await md.getUserMedia({
          audio: constraints('audio'),
          video: wantVideo ? constraints('video') : false,
        });
        const [audio] = s.getAudioTracks();
        const [video] = s.getVideoTracks();
        if (disposed || gen.audio !== generation.audio || gen.video !== generation.video) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        if (audio) adopt('audio', audio);
        if (video) adopt('video', video);
        publish();
      } catch {
        // One of the two failed (or both): try each alone to tell which, keeping what works.
        await open('audio');
        if (wantVideo) await open('video');
      }
    } finally {
      starting.value = false;
      await refreshDevices();
    }
  }

  function stop() {
    close('audio');
    close('video');
  }

  watch(opts.micOn, (on) => {
    if (tracks.audio) tracks.audio.enabled = on;
  });

  watch(opts.cameraOn, (on) => {
    if (on) void open('video');
    else {
      close('video');
      cameraProblem.value = null;
    }
  });

  for (const kind of ['audio', 'video'] as const) {
    watch(deviceIdRef(kind), (id) => {
      const current = tracks[kind]?.getSettings().deviceId;
      if (!id || id === current) return;
      if (kind === 'video' && !opts.cameraOn.value) return;
      void open(kind);
    });
  }

  if (md) useEventListener(md, 'devicechange', () => void refreshDevices());

  onScopeDispose(() => {
    disposed = true;
    stop();
  });

  const byKind = (kind: MediaDeviceKind) =>
    computed(() => devices.value.filter((d) => d.kind === kind));

  return {
    stream,
    cameraProblem,
    micProblem,
    starting,
    start,
    stop,
    /** Open again after a failure ("Try again"). */
    retry: start,
    audioInputs: byKind('audioinput'),
    videoInputs: byKind('videoinput'),
    audioOutputs: byKind('audiooutput'),
    refreshDevices,
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

/** Whether this browser lets a page choose the speaker. */
export const canPickSpeaker =
  typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
