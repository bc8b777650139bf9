import { systemClock } from './clock';
import type { Clock } from './clock';
import { Emitter } from './emitter';
import { MicMeter } from './mic-meter';
import { createPlaceholderVideo } from './placeholder';
import type { PlaceholderVideo } from './placeholder';

/** The browser APIs LocalMedia uses; tests pass fakes, the defaults are the browser's. */
export interface MediaEnv {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia(options: DisplayMediaStreamOptions): Promise<MediaStream>;
  enumerateDevices(): Promise<MediaDeviceInfo[]>;
  createMediaStream(tracks?: MediaStreamTrack[]): MediaStream;
  /** Undefined where there is no canvas: then there is no placeholder video. */
  createCanvas(): HTMLCanvasElement | undefined;
  createAudioContext(): AudioContext | undefined;
  onDeviceChange(fn: () => void): () => void;
}

/** Reaches navigator/document only when a method is called, never at import. */
export function browserMediaEnv(): MediaEnv {
  const devices = () => {
    // Missing on an insecure origin (plain http other than localhost).
    if (!navigator.mediaDevices) throw new DOMException('No media devices', 'NotSupportedError');
    return navigator.mediaDevices;
  };
  return {
    getUserMedia: async (c) => devices().getUserMedia(c),
    getDisplayMedia: async (o) => devices().getDisplayMedia(o),
    enumerateDevices: async () => devices().enumerateDevices(),
    createMediaStream: (tracks) => new MediaStream(tracks ?? []),
    createCanvas: () =>
      typeof document === 'undefined' ? undefined : document.createElement('canvas'),
    createAudioContext: () =>
      typeof AudioContext === 'undefined' ? undefined : new AudioContext(),
    onDeviceChange: (fn) => {
      const target = navigator.mediaDevices;
      if (!target) return () => undefined;
      target.addEventListener('devicechange', fn);
      return () => target.removeEventListener('devicechange', fn);
    },
  };
}

/** Why one kind of device is unavailable. */
export type DeviceProblem = 'denied' | 'missing' | 'busy' | 'failed';

/** The one message to show; `cameraProblem`/`micProblem` have the detail. */
export type MediaProblem = 'camera-denied' | 'mic-denied' | 'no-camera' | 'no-mic' | 'denied';

export function classifyMediaError(error: unknown): DeviceProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'missing';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}

/** A refusal is what the person can fix (retry permissions), so it is named first. */
export function summarizeProblems(
  mic: DeviceProblem | undefined,
  camera: DeviceProblem | undefined,
): MediaProblem | undefined {
  if (mic === 'denied' && camera === 'denied') return 'denied';
  if (mic === 'denied') return 'mic-denied';
  if (camera === 'denied') return 'camera-denied';
  if (mic) return 'no-mic';
  if (camera) return 'no-camera';
  return undefined;
}

export interface LocalMediaState {
  stream: MediaStream;
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  hasCamera: boolean;
  hasMic: boolean;
  problem: MediaProblem | undefined;
}

export interface AcquireOptions {
  audio?: boolean;
  video?: boolean;
  audioDeviceId?: string;
  videoDeviceId?: string;
}

export interface DeviceList {
  audioinput: MediaDeviceInfo[];
  videoinput: MediaDeviceInfo[];
  audiooutput: MediaDeviceInfo[];
}

export interface LocalMediaOptions {
  env?: Partial<MediaEnv>;
  /** Drawn as initials on the placeholder video. */
  displayName?: string;
  /**
   * Also send the placeholder when there is a mic but no camera. Off by default: then the
   * person is plain audio-only and the others show their avatar.
   */
  placeholderWhenNoCamera?: boolean;
  clock?: Clock;
}

type MediaEvents = {
  /** What we send of `kind` changed (device switch, camera off = null, screen share). */
  track: (kind: 'audio' | 'video', track: MediaStreamTrack | null) => void;
  /** Anything observable changed. */
  change: () => void;
};

const live = (t: MediaStreamTrack | null | undefined): t is MediaStreamTrack =>
  !!t && t.readyState === 'live';

/**
 * The local camera, microphone and screen share.
 *
 * Acquisition falls back step by step so a person can always join: camera and mic
 * together; else mic only (camera refused or missing); else camera only (mic refused or
 * missing); else a generated placeholder video with initials; else nothing, with
 * `problem` saying why.
 *
 * Mic off is `track.enabled = false` (instant, no new permission prompt). Camera off
 * stops the camera track so the camera light goes out, and sends nothing; camera on
 * opens the camera again. During a screen share the camera keeps running, so stopping
 * the share (our button or the browser's "Stop sharing") restores it at once.
 */
export class LocalMedia {
  readonly stream: MediaStream;
  private readonly env: MediaEnv;
  private readonly clock: Clock;
  private readonly events = new Emitter<MediaEvents>();
  private readonly meter: MicMeter;
  private mic: MediaStreamTrack | null = null;
  private camera: MediaStreamTrack | null = null;
  private screen: MediaStreamTrack | null = null;
  private placeholder: PlaceholderVideo | undefined;
  private sent: { audio: MediaStreamTrack | null; video: MediaStreamTrack | null } = {
    audio: null,
    video: null,
  };
  private wantAudio = true;
  private wantVideo = true;
  private _micEnabled = true;
  private _cameraEnabled = true;
  private audioDeviceId: string | undefined;
  private videoDeviceId: string | undefined;
  private _micProblem: DeviceProblem | undefined;
  private _cameraProblem: DeviceProblem | undefined;

  constructor(private readonly opts: LocalMediaOptions = {}) {
    this.env = { ...browserMediaEnv(), ...opts.env };
    this.clock = opts.clock ?? systemClock;
    this.stream = this.env.createMediaStream();
    this.meter = new MicMeter(this.env);
  }

  // ---- state ----

  get audioTrack(): MediaStreamTrack | null {
    return this.sent.audio;
  }
  /** The video we send: the screen while sharing, else the camera or placeholder, or null. */
  get videoTrack(): MediaStreamTrack | null {
    return this.sent.video;
  }
  get cameraTrack(): MediaStreamTrack | null {
    return this.camera;
  }
  get hasCamera(): boolean {
    return live(this.camera);
  }
  get hasMic(): boolean {
    return live(this.mic);
  }
  get micEnabled(): boolean {
    return this._micEnabled;
  }
  get cameraEnabled(): boolean {
    return this._cameraEnabled;
  }
  get sharingScreen(): boolean {
    return live(this.screen);
  }
  get usingPlaceholder(): boolean {
    return !!this.placeholder && this.sent.video === this.placeholder.track;
  }
  get micProblem(): DeviceProblem | undefined {
    return this._micProblem;
  }
  get cameraProblem(): DeviceProblem | undefined {
    return this._cameraProblem;
  }
  get problem(): MediaProblem | undefined {
    return summarizeProblems(this._micProblem, this._cameraProblem);
  }
  get state(): LocalMediaState {
    return {
      stream: this.stream,
      audioTrack: this.audioTrack,
      videoTrack: this.videoTrack,
      hasCamera: this.hasCamera,
      hasMic: this.hasMic,
      problem: this.problem,
    };
  }
  /** What this person sends, for `media.update`. */
  get mediaFlags(): { audio: boolean; video: boolean; screen: boolean } {
    return {
      audio: this.hasMic && this._micEnabled,
      video: this.hasCamera && this._cameraEnabled,
      screen: this.sharingScreen,
    };
  }

  on<K extends keyof MediaEvents>(event: K, fn: MediaEvents[K]): () => void {
    return this.events.on(event, fn);
  }

  // ---- acquisition ----

  /** Opens what is asked for (default both), with the fallbacks in the class note. */
  async acquire(o: AcquireOptions = {}): Promise<LocalMediaState> {
    this.wantAudio = o.audio ?? true;
    this.wantVideo = o.video ?? true;
    this._cameraEnabled = this.wantVideo;
    if (o.audioDeviceId !== undefined) this.audioDeviceId = o.audioDeviceId;
    if (o.videoDeviceId !== undefined) this.videoDeviceId = o.videoDeviceId;
    await this.fillMissing();
    return this.state;
  }

  /** Asks again for whatever is missing (after the person changed a site permission). */
  async retryPermissions(): Promise<LocalMediaState> {
    await this.fillMissing();
    return this.state;
  }

  /** `video` only: turning the camera on must not re-prompt for a refused mic. */
  private async fillMissing(scope: 'all' | 'video' = 'all'): Promise<void> {
    const needAudio = scope === 'all' && this.wantAudio && !live(this.mic);
    const needVideo = this.wantVideo && this._cameraEnabled && !live(this.camera);
    if (!needAudio && !needVideo) return this.sync();
    let audio: MediaStreamTrack | undefined;
    let video: MediaStreamTrack | undefined;
    let combinedError: unknown;

    if (needAudio && needVideo) {
      try {
        const s = await this.env.getUserMedia({
          audio: this.audioConstraints(),
          video: this.videoConstraints(),
        });
        audio = s.getAudioTracks()[0];
        video = s.getVideoTracks()[0];
      } catch (err) {
        combinedError = err;
      }
    }
    if (needAudio && !audio) {
      try {
        audio = (
          await this.env.getUserMedia({ audio: this.audioConstraints() })
        ).getAudioTracks()[0];
      } catch (err) {
        this._micProblem = classifyMediaError(err);
      }
    }
    if (needVideo && !video) {
      if (combinedError !== undefined && audio) {
        // Both failed together but the mic alone works: the camera was the problem.
        this._cameraProblem = classifyMediaError(combinedError);
      } else {
        try {
          const s = await this.env.getUserMedia({ video: this.videoConstraints() });
          video = s.getVideoTracks()[0];
        } catch (err) {
          this._cameraProblem = classifyMediaError(err);
        }
      }
    }
    if (audio) this.setMic(audio);
    if (video) this.setCamera(video);
    this.updatePlaceholder();
    this.sync();
  }

  private setMic(track: MediaStreamTrack): void {
    const old = this.mic;
    this.mic = track;
    this._micProblem = undefined;
    track.enabled = this._micEnabled;
    track.addEventListener('ended', () => this.onDeviceEnded('audio', track));
    if (old && old !== track) old.stop();
  }

  private setCamera(track: MediaStreamTrack): void {
    const old = this.camera;
    this.camera = track;
    this._cameraProblem = undefined;
    track.addEventListener('ended', () => this.onDeviceEnded('video', track));
    if (old && old !== track) old.stop();
  }

  /** A device was unplugged or revoked. */
  private onDeviceEnded(kind: 'audio' | 'video', track: MediaStreamTrack): void {
    if (kind === 'audio' && this.mic === track) {
      this.mic = null;
      this._micProblem = 'missing';
    } else if (kind === 'video' && this.camera === track) {
      this.camera = null;
      this._cameraProblem = 'missing';
    } else {
      return;
    }
    this.updatePlaceholder();
    this.sync();
  }

  /** The placeholder stands in for a camera that is wanted but unavailable. */
  private updatePlaceholder(): void {
    const needed =
      this.wantVideo &&
      this._cameraEnabled &&
      !live(this.camera) &&
      (!live(this.mic) || this.opts.placeholderWhenNoCamera === true);
    if (needed && !this.placeholder) {
      this.placeholder = createPlaceholderVideo({
        label: this.opts.displayName ?? '',
        createCanvas: () => this.env.createCanvas(),
        clock: this.clock,
      });
    } else if (!needed && this.placeholder) {
      this.placeholder.stop();
      this.placeholder = undefined;
    }
  }

  // ---- controls ----

  setMicEnabled(on: boolean): void {
    this._micEnabled = on;
    if (this.mic) this.mic.enabled = on;
    this.events.emit('change');
  }

  /** Off stops the camera (light off); on reopens it. Resolves whether a camera is live. */
  async setCameraEnabled(on: boolean): Promise<boolean> {
    if (!on) {
      this._cameraEnabled = false;
      this.camera?.stop();
      this.camera = null;
      this.updatePlaceholder();
      this.sync();
      return false;
    }
    this._cameraEnabled = true;
    this.wantVideo = true;
    await this.fillMissing('video');
    return this.hasCamera;
  }

  /**
   * Switches the microphone or camera to `deviceId` and returns the new track (undefined
   * when that kind is off: the choice is kept for when it comes back on). The camera is
   * released before the new one opens because phones cannot open two at once; if the new
   * one fails, the previous device is reopened and the error rethrown.
   */
  async switchDevice(
    kind: 'audioinput' | 'videoinput',
    deviceId: string,
  ): Promise<MediaStreamTrack | undefined> {
    if (kind === 'audioinput') {
      this.audioDeviceId = deviceId;
      if (!this.wantAudio) return undefined;
      const s = await this.env.getUserMedia({ audio: { deviceId: { exact: deviceId } } });
      const track = s.getAudioTracks()[0];
      if (!track) return undefined;
      this.setMic(track);
      this.sync();
      return track;
    }
    const previous = this.videoDeviceId;
    this.videoDeviceId = deviceId;
    if (!this._cameraEnabled) return undefined;
    this.camera?.stop();
    this.camera = null;
    try {
      const s = await this.env.getUserMedia({ video: { deviceId: { exact: deviceId } } });
      const track = s.getVideoTracks()[0];
      if (track) this.setCamera(track);
      return track;
    } catch (err) {
      this.videoDeviceId = previous;
      await this.fillMissing('video');
      throw err;
    } finally {
      this.updatePlaceholder();
      this.sync();
    }
  }

  /**
   * Shares a screen, window or tab in place of the camera. Resolves false when the person
   * cancels the browser's picker.
   */
  async startScreenShare(): Promise<boolean> {
    if (this.sharingScreen) return true;
    let s: MediaStream;
    try {
      s = await this.env.getDisplayMedia({ video: true, audio: false });
    } catch (err) {
      if (classifyMediaError(err) === 'denied') return false;
      throw err;
    }
    const track = s.getVideoTracks()[0];
    if (!track) return false;
    // Text and edges over smoothness: encoders keep resolution and drop frame rate.
    if ('contentHint' in track) track.contentHint = 'detail';
    // The browser's own "Stop sharing" button ends the track.
    track.addEventListener('ended', () => {
      if (this.screen === track) this.stopScreenShare();
    });
    this.screen = track;
    this.sync();
    return true;
  }

  stopScreenShare(): void {
    const track = this.screen;
    if (!track) return;
    this.screen = null;
    track.stop();
    this.sync();
  }

  async listDevices(): Promise<DeviceList> {
    const all = await this.env.enumerateDevices();
    const list: DeviceList = { audioinput: [], videoinput: [], audiooutput: [] };
    for (const d of all) list[d.kind].push(d);
    return list;
  }

  onDevicesChanged(fn: () => void): () => void {
    return this.env.onDeviceChange(fn);
  }

  /** Local mic level 0..1 for the self view and the pre-join meter. */
  micLevel(): number {
    return this.meter.level();
  }

  /** Stops every track (camera light off); acquire() may start again. */
  stop(): void {
    this.mic?.stop();
    this.camera?.stop();
    this.screen?.stop();
    this.placeholder?.stop();
    this.mic = null;
    this.camera = null;
    this.screen = null;
    this.placeholder = undefined;
    this.meter.close();
    this.sync();
  }

  // ---- internals ----

  private audioConstraints(): MediaTrackConstraints | true {
    // `ideal`, not `exact`: a remembered device that is gone falls back to another.
    return this.audioDeviceId ? { deviceId: { ideal: this.audioDeviceId } } : true;
  }

  private videoConstraints(): MediaTrackConstraints {
    return {
      ...(this.videoDeviceId ? { deviceId: { ideal: this.videoDeviceId } } : {}),
      width: { ideal: 1280 },
      height: { ideal: 720 },
    };
  }

  /** Recomputes what we send, updates the stream, and tells listeners what changed. */
  private sync(): void {
    const audio = live(this.mic) ? this.mic : null;
    const camera = this._cameraEnabled && live(this.camera) ? this.camera : null;
    const video = live(this.screen) ? this.screen : (camera ?? this.placeholder?.track ?? null);
    const changed: ('audio' | 'video')[] = [];
    for (const [kind, track] of [
      ['audio', audio],
      ['video', video],
    ] as const) {
      const old = this.sent[kind];
      if (old === track) continue;
      if (old) this.stream.removeTrack(old);
      if (track) this.stream.addTrack(track);
      this.sent[kind] = track;
      changed.push(kind);
    }
    this.meter.setTrack(audio);
    for (const kind of changed) this.events.emit('track', kind, this.sent[kind]);
    this.events.emit('change');
  }
}
