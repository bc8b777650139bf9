import { systemClock } from './clock';
import type { Clock, TimerId } from './clock';
import { Emitter } from './emitter';
import { MicMeter } from './mic-meter';
import type { LevelMeter } from './mic-meter';
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

/**
 * Why one device (the microphone or the camera) could not be opened, in terms a person can
 * act on. The one vocabulary of the web app: the pre-join page shows it per device, the call
 * page sums both up with `summarizeProblems`.
 * - denied: the person or the browser's settings blocked it
 * - not-found: no such device (or the chosen one is gone)
 * - in-use: the device exists but another app holds it or the OS refused it
 * - unsupported: no getUserMedia here (old browser, or a page not served over HTTPS)
 * - unknown: anything else
 */
export type MediaProblem = 'denied' | 'not-found' | 'in-use' | 'unsupported' | 'unknown';

/** The one message the call page shows; `micProblem`/`cameraProblem` have the detail. */
export type MediaProblemSummary =
  'camera-denied' | 'mic-denied' | 'no-camera' | 'no-mic' | 'denied';

export function classifyMediaError(error: unknown): MediaProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'not-found';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'in-use';
    // No navigator.mediaDevices (plain http other than localhost), or an old browser.
    case 'NotSupportedError':
    case 'TypeError':
      return 'unsupported';
    default:
      return 'unknown';
  }
}

/** A refusal is what the person can fix (retry permissions), so it is named first. */
export function summarizeProblems(
  mic: MediaProblem | undefined,
  camera: MediaProblem | undefined,
): MediaProblemSummary | undefined {
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
  problem: MediaProblemSummary | undefined;
}

export interface AcquireOptions {
  audio?: boolean;
  video?: boolean;
  audioDeviceId?: string;
  videoDeviceId?: string;
  /**
   * Resolve once the tracks are there and list the devices after (the `devices` event says
   * when): joining a call need not wait for enumerateDevices.
   */
  listDevicesLater?: boolean;
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
  /** False: never draw a placeholder (the pre-join preview shows its own avatar). */
  placeholder?: boolean;
  clock?: Clock;
  /** The microphone level source (tests pass a fake); default a MicMeter on Web Audio. */
  meter?: LevelMeter;
}

/** The input that went away mid-call, and what is used instead (null: nothing could open). */
export interface DeviceFallback {
  kind: 'audioinput' | 'videoinput';
  /** Label of the device that went away ('' when the browser hides labels). */
  lost: string;
  now: { deviceId: string; label: string } | null;
}

/**
 * "You are muted" hint: the level (0..1, see levelFromRms) of the muted microphone must stay
 * above `threshold` for `holdMs` (dips shorter than `gapMs` between syllables do not count),
 * and the hint comes at most once per `cooldownMs`. Sampled every `sampleMs` while muted.
 */
export const MUTED_SPEECH = {
  threshold: 0.4,
  holdMs: 300,
  gapMs: 200,
  cooldownMs: 10_000,
  sampleMs: 100,
} as const;

/** Says when a muted person has been talking long enough to be told so (MUTED_SPEECH). */
export class MutedSpeechDetector {
  private loudSince: number | undefined;
  private lastLoud = -Infinity;
  private lastHint = -Infinity;

  constructor(private readonly o: typeof MUTED_SPEECH = MUTED_SPEECH) {}

  /** One level sample taken at `now` (ms); true when the hint should show now. */
  sample(level: number, now: number): boolean {
    if (level < this.o.threshold) return false;
    if (this.loudSince === undefined || now - this.lastLoud > this.o.gapMs) this.loudSince = now;
    this.lastLoud = now;
    if (now - this.loudSince < this.o.holdMs || now - this.lastHint < this.o.cooldownMs) {
      return false;
    }
    this.lastHint = now;
    this.loudSince = undefined;
    return true;
  }

  /** Unmuted: the next stretch of speech starts from zero (the cooldown stays). */
  reset(): void {
    this.loudSince = undefined;
  }
}

type MediaEvents = {
  /**
   * What we send of `kind` changed (device switch, camera off = null); `screen` is the
   * screen share, sent beside the camera on a sender of its own (null: sharing stopped).
   */
  track: (kind: 'audio' | 'video' | 'screen', track: MediaStreamTrack | null) => void;
  /** Anything observable changed. */
  change: () => void;
  /** The device list changed (devicechange, or the first look after acquire()). */
  devices: (list: DeviceList) => void;
  /** The mic or camera in use went away; the default of that kind replaced it (or nothing). */
  'device-fallback': (event: DeviceFallback) => void;
  /** The mic is muted and the person has been talking (MUTED_SPEECH); at most every 10 s. */
  'muted-speech': () => void;
};

type Kind = 'audio' | 'video';
const LIST_KIND = { audio: 'audioinput', video: 'videoinput' } as const;

/** Voice processing on, as every call app does; the browser defaults vary. */
const AUDIO: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};
const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 } };

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
 * opens the camera again. A screen share goes beside the camera, in a stream of its own
 * (`screenStream`), so the camera keeps sending while the screen is shared.
 *
 * Every open can be overtaken: the camera turned off while it is still opening, a second
 * device switch, or stop() (the page is left) during acquire(). Each open of a kind takes a
 * ticket (`opening`); a track that arrives for an old ticket is stopped at once, so no camera
 * light stays on behind an "off" button and nothing leaks after the page is gone.
 *
 * A device unplugged mid-call (its track ends, or it leaves the device list) stops being
 * sent at once; the default device of that kind is opened in its place ('device-fallback').
 */
export class LocalMedia {
  readonly stream: MediaStream;
  private readonly env: MediaEnv;
  private readonly clock: Clock;
  private readonly events = new Emitter<MediaEvents>();
  private readonly meter: LevelMeter;
  private readonly mutedSpeech = new MutedSpeechDetector();
  private mutedTimer: TimerId | undefined;
  private mic: MediaStreamTrack | null = null;
  private camera: MediaStreamTrack | null = null;
  private screen: MediaStreamTrack | null = null;
  private screenStreamObj: MediaStream | undefined;
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
  private _micProblem: MediaProblem | undefined;
  private _cameraProblem: MediaProblem | undefined;
  /** The latest open of each kind; an open whose ticket is no longer this one is stale. */
  private opening = { audio: 0, video: 0 };
  /** After stop() and until the next acquire(): nothing opens, no placeholder is drawn. */
  private stopped = false;
  private _devices: DeviceList = { audioinput: [], videoinput: [], audiooutput: [] };
  private offDeviceChange: (() => void) | undefined;

  constructor(private readonly opts: LocalMediaOptions = {}) {
    this.env = { ...browserMediaEnv(), ...opts.env };
    this.clock = opts.clock ?? systemClock;
    this.stream = this.env.createMediaStream();
    this.meter = opts.meter ?? new MicMeter(this.env);
  }

  // ---- state ----

  get audioTrack(): MediaStreamTrack | null {
    return this.sent.audio;
  }
  /** The camera (or placeholder) video we send, or null; never the screen (see screenTrack). */
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
  /** The screen being shared, for the local preview of the share; null when not sharing. */
  get screenTrack(): MediaStreamTrack | null {
    return live(this.screen) ? this.screen : null;
  }
  /**
   * The stream the screen is sent in, apart from `stream` (camera and mic): receivers tell
   * the screen from the camera by it (PROTOCOL.md). One for the life of this object, so a
   * second share reuses the sender that carries it.
   */
  get screenStream(): MediaStream | undefined {
    return this.screenStreamObj;
  }
  get usingPlaceholder(): boolean {
    return !!this.placeholder && this.sent.video === this.placeholder.track;
  }
  get micProblem(): MediaProblem | undefined {
    return this._micProblem;
  }
  get cameraProblem(): MediaProblem | undefined {
    return this._cameraProblem;
  }
  /** The last device list (entries without an id, listed before permission, left out). */
  get devices(): DeviceList {
    return this._devices;
  }
  /** The device in use for `kind` (from the track), else the one chosen for it. */
  deviceId(kind: 'audioinput' | 'videoinput'): string | undefined {
    const track = kind === 'audioinput' ? this.mic : this.camera;
    const actual = live(track) ? track.getSettings().deviceId : undefined;
    return actual || (kind === 'audioinput' ? this.audioDeviceId : this.videoDeviceId);
  }
  get problem(): MediaProblemSummary | undefined {
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
    this.stopped = false;
    this.wantAudio = o.audio ?? true;
    this.wantVideo = o.video ?? true;
    this._cameraEnabled = this.wantVideo;
    if (o.audioDeviceId !== undefined) this.audioDeviceId = o.audioDeviceId;
    if (o.videoDeviceId !== undefined) this.videoDeviceId = o.videoDeviceId;
    this.offDeviceChange ??= this.env.onDeviceChange(() => void this.onDeviceChange());
    await this.fillMissing();
    // Labels and ids are only listed once a device was allowed, so look now.
    if (this.stopped) return this.state;
    if (o.listDevicesLater) void this.refreshDevices();
    else await this.refreshDevices();
    return this.state;
  }

  /** Asks again for whatever is missing (after the person changed a site permission). */
  async retryPermissions(): Promise<LocalMediaState> {
    await this.fillMissing();
    if (!this.stopped) await this.refreshDevices();
    return this.state;
  }

  /** `video` only: turning the camera on must not re-prompt for a refused mic. */
  private async fillMissing(scope: 'all' | 'video' = 'all'): Promise<void> {
    if (this.stopped) return;
    const needAudio = scope === 'all' && this.wantAudio && !live(this.mic);
    const needVideo = this.wantVideo && this._cameraEnabled && !live(this.camera);
    if (!needAudio && !needVideo) return this.sync();
    // A newer open of the same kind, camera off or stop() while this one waits makes it stale.
    const ticket = {
      audio: needAudio ? ++this.opening.audio : -1,
      video: needVideo ? ++this.opening.video : -1,
    };
    const current = (kind: Kind) => ticket[kind] === this.opening[kind];
    /** A track for a stale open is stopped at once (camera light off), never adopted. */
    const keep = (kind: Kind, track: MediaStreamTrack | undefined) => {
      if (track && !current(kind)) {
        track.stop();
        return undefined;
      }
      return track;
    };
    let audio: MediaStreamTrack | undefined;
    let video: MediaStreamTrack | undefined;
    let combinedError: unknown;

    if (needAudio && needVideo) {
      try {
        const s = await this.env.getUserMedia({
          audio: this.audioConstraints(),
          video: this.videoConstraints(),
        });
        audio = keep('audio', s.getAudioTracks()[0]);
        video = keep('video', s.getVideoTracks()[0]);
      } catch (err) {
        combinedError = err;
      }
    }
    if (needAudio && !audio && current('audio')) {
      try {
        const s = await this.env.getUserMedia({ audio: this.audioConstraints() });
        audio = keep('audio', s.getAudioTracks()[0]);
      } catch (err) {
        if (current('audio')) this._micProblem = classifyMediaError(err);
      }
    }
    if (needVideo && !video && current('video')) {
      if (combinedError !== undefined && audio) {
        // Both failed together but the mic alone works: the camera was the problem.
        this._cameraProblem = classifyMediaError(combinedError);
      } else {
        try {
          const s = await this.env.getUserMedia({ video: this.videoConstraints() });
          video = keep('video', s.getVideoTracks()[0]);
        } catch (err) {
          if (current('video')) this._cameraProblem = classifyMediaError(err);
        }
      }
    }
    // Checked again: the mic may have arrived first and gone stale while the camera opened.
    audio = keep('audio', audio);
    video = keep('video', video);
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

  /** A device was unplugged or revoked: its track ended. */
  private onDeviceEnded(kind: Kind, track: MediaStreamTrack): void {
    if ((kind === 'audio' ? this.mic : this.camera) !== track) return;
    if (kind === 'audio') this.mic = null;
    else this.camera = null;
    // The dead track leaves what we send now ('track' with null), not after the fallback.
    this.sync();
    void this.fallBack(kind, track.label);
  }

  /** Opens the default device of `kind` in place of one that went away, and says so. */
  private async fallBack(kind: Kind, lost: string): Promise<void> {
    if (this.stopped) return;
    const ticket = ++this.opening[kind];
    let track: MediaStreamTrack | undefined;
    let problem: MediaProblem | undefined;
    try {
      // No deviceId: the browser's default, whatever is still plugged in.
      const s = await this.env.getUserMedia(kind === 'audio' ? { audio: AUDIO } : { video: VIDEO });
      track = (kind === 'audio' ? s.getAudioTracks() : s.getVideoTracks())[0];
      if (ticket !== this.opening[kind]) {
        s.getTracks().forEach((t) => t.stop());
        return;
      }
    } catch (err) {
      if (ticket !== this.opening[kind]) return;
      problem = classifyMediaError(err);
    }
    if (track && kind === 'audio') this.setMic(track);
    else if (track) this.setCamera(track);
    else if (kind === 'audio') this._micProblem = problem ?? 'not-found';
    else this._cameraProblem = problem ?? 'not-found';
    this.updatePlaceholder();
    this.sync();
    await this.refreshDevices();
    this.events.emit('device-fallback', {
      kind: LIST_KIND[kind],
      lost,
      now: track ? { deviceId: track.getSettings().deviceId ?? '', label: track.label } : null,
    });
  }

  /**
   * The device list changed. A device in use that is no longer listed is gone even when its
   * track did not end (some browsers keep it "live" and silent): it is let go the same way.
   */
  private async onDeviceChange(): Promise<void> {
    const list = await this.refreshDevices();
    // Without any id the browser is not naming devices (yet): nothing to compare with.
    const listed = list.audioinput.length + list.videoinput.length + list.audiooutput.length;
    if (this.stopped || listed === 0) return;
    for (const kind of ['audio', 'video'] as const) {
      const track = kind === 'audio' ? this.mic : this.camera;
      const id = live(track) ? track.getSettings().deviceId : undefined;
      if (!track || !id || list[LIST_KIND[kind]].some((d) => d.deviceId === id)) continue;
      track.stop();
      this.onDeviceEnded(kind, track);
    }
  }

  /** Lists the devices again (ids and labels once one was allowed) and tells listeners. */
  async refreshDevices(): Promise<DeviceList> {
    let all: MediaDeviceInfo[];
    try {
      all = await this.env.enumerateDevices();
    } catch {
      return this._devices;
    }
    const list: DeviceList = { audioinput: [], videoinput: [], audiooutput: [] };
    // Before permission the browser lists placeholders without ids: nothing to pick.
    for (const d of all) if (d.deviceId !== '') list[d.kind]?.push(d);
    this._devices = list;
    this.events.emit('devices', list);
    this.events.emit('change');
    return list;
  }

  /** The placeholder stands in for a camera that is wanted but unavailable. */
  private updatePlaceholder(): void {
    const needed =
      !this.stopped &&
      this.opts.placeholder !== false &&
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
    this.watchMutedSpeech();
    this.events.emit('change');
  }

  /** Off stops the camera (light off); on reopens it. Resolves whether a camera is live. */
  async setCameraEnabled(on: boolean): Promise<boolean> {
    if (!on) {
      this._cameraEnabled = false;
      // A camera still opening is stale now: it is stopped the moment it arrives.
      this.opening.video++;
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
   * one fails, the previous device is reopened and the error rethrown. A switch overtaken
   * by another switch, camera off or stop() resolves undefined and its track is stopped.
   */
  async switchDevice(
    kind: 'audioinput' | 'videoinput',
    deviceId: string,
  ): Promise<MediaStreamTrack | undefined> {
    if (kind === 'audioinput') {
      this.audioDeviceId = deviceId;
      if (!this.wantAudio || this.stopped) return undefined;
      const ticket = ++this.opening.audio;
      let s: MediaStream;
      try {
        s = await this.env.getUserMedia({ audio: this.audioConstraints('exact') });
      } catch (err) {
        // The current mic keeps working; only a switch still wanted reports its failure.
        if (ticket !== this.opening.audio) return undefined;
        throw err;
      }
      const track = s.getAudioTracks()[0];
      if (ticket !== this.opening.audio) {
        s.getTracks().forEach((t) => t.stop());
        return undefined;
      }
      if (!track) return undefined;
      this.setMic(track);
      this.sync();
      return track;
    }
    const previous = this.videoDeviceId;
    this.videoDeviceId = deviceId;
    if (!this._cameraEnabled || this.stopped) return undefined;
    const ticket = ++this.opening.video;
    const stale = () => ticket !== this.opening.video;
    this.camera?.stop();
    this.camera = null;
    try {
      const s = await this.env.getUserMedia({ video: this.videoConstraints('exact') });
      const track = s.getVideoTracks()[0];
      if (stale()) {
        s.getTracks().forEach((t) => t.stop());
        return undefined;
      }
      if (track) this.setCamera(track);
      return track;
    } catch (err) {
      if (stale()) return undefined;
      this.videoDeviceId = previous;
      await this.fillMissing('video');
      throw err;
    } finally {
      this.updatePlaceholder();
      this.sync();
    }
  }

  /**
   * Shares a screen, window or tab beside the camera (which keeps sending). Resolves false
   * when the person cancels the browser's picker.
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
    // Left (stop()) while the picker was open, or a second share won the race: let it go.
    if (this.stopped || this.sharingScreen) {
      for (const t of s.getTracks()) t.stop();
      return !this.stopped;
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
    const stream = (this.screenStreamObj ??= this.env.createMediaStream());
    for (const old of stream.getTracks()) stream.removeTrack(old);
    stream.addTrack(track);
    this.events.emit('track', 'screen', track);
    this.sync();
    return true;
  }

  stopScreenShare(): void {
    const track = this.screen;
    if (!track) return;
    this.screen = null;
    track.stop();
    this.screenStreamObj?.removeTrack(track);
    this.events.emit('track', 'screen', null);
    this.sync();
  }

  /** Local mic level 0..1 for the self view and the pre-join meter; 0 while muted. */
  micLevel(): number {
    return this._micEnabled ? this.meter.level() : 0;
  }

  /** Samples the muted mic for the "you are muted" hint, only while it is muted. */
  private watchMutedSpeech(): void {
    const watch = !this.stopped && !this._micEnabled && live(this.mic);
    if (watch && this.mutedTimer === undefined) {
      this.mutedTimer = this.clock.setInterval(() => {
        // The meter listens to a clone of the mic: the sent track stays disabled and silent.
        if (this.mutedSpeech.sample(this.meter.level(), this.clock.now())) {
          this.events.emit('muted-speech');
        }
      }, MUTED_SPEECH.sampleMs);
    } else if (!watch && this.mutedTimer !== undefined) {
      this.clock.clearInterval(this.mutedTimer);
      this.mutedTimer = undefined;
      this.mutedSpeech.reset();
    }
  }

  /** Stops every track (camera light off); acquire() may start again. */
  stop(): void {
    // Opens still in flight are stale from here: what they bring is stopped on arrival.
    this.opening.audio++;
    this.opening.video++;
    this.stopped = true;
    this.offDeviceChange?.();
    this.offDeviceChange = undefined;
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

  /**
   * `ideal` (acquire): a remembered device that is gone falls back to another. `exact`
   * (a switch): the person picked that one, so another would be a surprise.
   */
  private audioConstraints(match: 'ideal' | 'exact' = 'ideal'): MediaTrackConstraints {
    const id = this.audioDeviceId;
    return { ...AUDIO, ...(id ? { deviceId: { [match]: id } } : {}) };
  }

  private videoConstraints(match: 'ideal' | 'exact' = 'ideal'): MediaTrackConstraints {
    const id = this.videoDeviceId;
    return { ...VIDEO, ...(id ? { deviceId: { [match]: id } } : {}) };
  }

  /** Recomputes what we send, updates the stream, and tells listeners what changed. */
  private sync(): void {
    const audio = live(this.mic) ? this.mic : null;
    const camera = this._cameraEnabled && live(this.camera) ? this.camera : null;
    const video = camera ?? this.placeholder?.track ?? null;
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
    this.watchMutedSpeech();
    for (const kind of changed) this.events.emit('track', kind, this.sent[kind]);
    this.events.emit('change');
  }
}
