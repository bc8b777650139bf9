/**
 * Stand-ins for MediaStreamTrack, MediaStream, navigator.mediaDevices and a canvas, for
 * unit tests in Node. Only what the call engine uses is implemented.
 */
let counter = 0;
export const fakeId = (prefix: string): string => `${prefix}-${++counter}`;

export type Kind = 'audio' | 'video';

export class FakeMediaStreamTrack extends EventTarget {
  readonly id = fakeId('track');
  enabled = true;
  readyState: MediaStreamTrackState = 'live';
  contentHint = '';
  readonly muted = false;

  constructor(
    readonly kind: Kind,
    readonly label = `${kind} track`,
    private readonly settings: MediaTrackSettings = {},
    /** Where clones are recorded too (FakeMediaDevices.created), so leaks show. */
    registry?: FakeMediaStreamTrack[],
  ) {
    super();
    this.#registry = registry;
  }

  // `#`: not an enumerable field, so toEqual on tracks does not walk the registry.
  readonly #registry: FakeMediaStreamTrack[] | undefined;

  /** Like the browser: a new track on the same source, live, with its own `enabled`. */
  clone(): FakeMediaStreamTrack {
    const copy = new FakeMediaStreamTrack(this.kind, this.label, this.settings, this.#registry);
    copy.enabled = this.enabled;
    this.#registry?.push(copy);
    return copy;
  }

  /** Like the browser: stop() ends the track without an `ended` event. */
  stop(): void {
    this.readyState = 'ended';
  }

  /** What the browser does on "Stop sharing" or an unplugged device: `ended` fires. */
  endFromOutside(): void {
    if (this.readyState === 'ended') return;
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }

  getSettings(): MediaTrackSettings {
    return this.settings;
  }
}

export class FakeMediaStream {
  readonly id = fakeId('stream');
  private tracks: FakeMediaStreamTrack[];

  constructor(tracks: readonly FakeMediaStreamTrack[] = []) {
    this.tracks = [...tracks];
  }
  getTracks(): FakeMediaStreamTrack[] {
    return [...this.tracks];
  }
  getAudioTracks(): FakeMediaStreamTrack[] {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks(): FakeMediaStreamTrack[] {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  addTrack(track: FakeMediaStreamTrack): void {
    if (!this.tracks.includes(track)) this.tracks.push(track);
  }
  removeTrack(track: FakeMediaStreamTrack): void {
    this.tracks = this.tracks.filter((t) => t !== track);
  }
}

export const asTrack = (t: FakeMediaStreamTrack): MediaStreamTrack =>
  t as unknown as MediaStreamTrack;
export const asStream = (s: FakeMediaStream): MediaStream => s as unknown as MediaStream;
export const createFakeStream = (tracks?: readonly MediaStreamTrack[]): MediaStream =>
  asStream(new FakeMediaStream((tracks ?? []) as unknown as FakeMediaStreamTrack[]));

/** How a device kind answers getUserMedia: works, permission refused, or no such device. */
export type DeviceBehaviour = 'ok' | 'denied' | 'missing' | 'busy';

const errorFor: Record<Exclude<DeviceBehaviour, 'ok'>, string> = {
  denied: 'NotAllowedError',
  missing: 'NotFoundError',
  busy: 'NotReadableError',
};

interface GumCall {
  audio: boolean;
  video: boolean;
  audioDeviceId?: string;
  videoDeviceId?: string;
}

const DEFAULT_DEVICES = [
  { deviceId: 'mic-1', kind: 'audioinput', label: 'Mic 1', groupId: 'g1' },
  { deviceId: 'mic-2', kind: 'audioinput', label: 'Mic 2', groupId: 'g2' },
  { deviceId: 'cam-1', kind: 'videoinput', label: 'Cam 1', groupId: 'g1' },
  { deviceId: 'cam-2', kind: 'videoinput', label: 'Cam 2', groupId: 'g2' },
  { deviceId: 'spk-1', kind: 'audiooutput', label: 'Speaker', groupId: 'g1' },
] as MediaDeviceInfo[];

/**
 * navigator.mediaDevices with switchable behaviour per device kind; records every call.
 * Devices come from `list`: no deviceId (or an `ideal` one not listed) opens the first of
 * its kind, like a browser's default; an `exact` id not listed fails (OverconstrainedError).
 * With `hold` set, getUserMedia answers only when the test calls `release()`: the device is
 * open (its light on) from the request, as in a browser where the prompt was just accepted.
 */
export class FakeMediaDevices {
  camera: DeviceBehaviour = 'ok';
  mic: DeviceBehaviour = 'ok';
  /** getDisplayMedia: 'ok', or 'denied' when the person cancels the picker. */
  screen: 'ok' | 'denied' = 'ok';
  list: MediaDeviceInfo[] = [...DEFAULT_DEVICES];
  hold = false;
  readonly calls: GumCall[] = [];
  readonly created: FakeMediaStreamTrack[] = [];
  lastScreenTrack: FakeMediaStreamTrack | undefined;
  private readonly held: (() => void)[] = [];
  private readonly changeListeners = new Set<() => void>();

  getUserMedia = (c: MediaStreamConstraints): Promise<MediaStream> => {
    const call: GumCall = {
      audio: !!c.audio,
      video: !!c.video,
      audioDeviceId: deviceIdOf(c.audio),
      videoDeviceId: deviceIdOf(c.video),
    };
    this.calls.push(call);
    const answer = this.open(c, call);
    if (!this.hold) return answer;
    return new Promise((resolve, reject) => {
      this.held.push(() => void answer.then(resolve, reject));
    });
  };

  private open(c: MediaStreamConstraints, call: GumCall): Promise<MediaStream> {
    // Like Chrome, a combined request fails as a whole; a refusal wins over a missing device.
    const problems = [call.audio ? this.mic : 'ok', call.video ? this.camera : 'ok'].filter(
      (b): b is Exclude<DeviceBehaviour, 'ok'> => b !== 'ok',
    );
    if (problems.length > 0) {
      const worst = problems.includes('denied') ? 'denied' : problems[0]!;
      return Promise.reject(new DOMException('refused', errorFor[worst]));
    }
    let mic: string | undefined;
    let cam: string | undefined;
    try {
      mic = call.audio ? this.pick('audioinput', c.audio) : undefined;
      cam = call.video ? this.pick('videoinput', c.video) : undefined;
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const tracks: FakeMediaStreamTrack[] = [];
    if (mic) tracks.push(new FakeMediaStreamTrack('audio', 'mic', { deviceId: mic }, this.created));
    if (cam) {
      tracks.push(new FakeMediaStreamTrack('video', 'camera', { deviceId: cam }, this.created));
    }
    this.created.push(...tracks);
    return Promise.resolve(asStream(new FakeMediaStream(tracks)));
  }

  /** The device id to open; throws as the browser rejects when there is none to open. */
  private pick(
    kind: 'audioinput' | 'videoinput',
    c: boolean | MediaTrackConstraints | undefined,
  ): string {
    const ofKind = this.list.filter((d) => d.kind === kind);
    const wanted = deviceIdOf(c);
    if (wanted && ofKind.some((d) => d.deviceId === wanted)) return wanted;
    if (wanted && isExact(c)) throw new DOMException('no such device', 'OverconstrainedError');
    const first = ofKind[0];
    if (!first) throw new DOMException('no such device', 'NotFoundError');
    return first.deviceId;
  }

  /** Answers the oldest held getUserMedia (all of them with `all`). */
  release(all = false): void {
    do this.held.shift()?.();
    while (all && this.held.length > 0);
  }

  get heldCount(): number {
    return this.held.length;
  }

  getDisplayMedia = (): Promise<MediaStream> => {
    if (this.screen === 'denied') {
      return Promise.reject(new DOMException('cancelled', 'NotAllowedError'));
    }
    const track = new FakeMediaStreamTrack('video', 'screen');
    this.lastScreenTrack = track;
    return Promise.resolve(asStream(new FakeMediaStream([track])));
  };

  enumerateDevices = (): Promise<MediaDeviceInfo[]> => Promise.resolve([...this.list]);

  onDeviceChange = (fn: () => void): (() => void) => {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  };

  get deviceChangeListeners(): number {
    return this.changeListeners.size;
  }

  /**
   * A device is unplugged: it leaves the list, its open tracks end (unless `endTracks` is
   * false: some browsers keep them "live" and silent) and `devicechange` fires.
   */
  unplug(deviceId: string, opts: { endTracks?: boolean } = {}): void {
    this.list = this.list.filter((d) => d.deviceId !== deviceId);
    if (opts.endTracks !== false) {
      for (const t of this.liveTracks()) {
        if (t.getSettings().deviceId === deviceId) t.endFromOutside();
      }
    }
    for (const fn of [...this.changeListeners]) fn();
  }

  /** Live tracks this fake handed out (clones too) that nobody stopped. */
  liveTracks(kind?: Kind): FakeMediaStreamTrack[] {
    return this.created.filter((t) => t.readyState === 'live' && (!kind || t.kind === kind));
  }
}

function isExact(c: boolean | MediaTrackConstraints | undefined): boolean {
  const d = typeof c === 'object' ? c.deviceId : undefined;
  return typeof d === 'object' && !Array.isArray(d) && d.exact !== undefined;
}

function deviceIdOf(c: boolean | MediaTrackConstraints | undefined): string | undefined {
  if (!c || c === true) return undefined;
  const d = c.deviceId;
  if (typeof d === 'string') return d;
  if (Array.isArray(d)) return d[0];
  if (d && typeof d === 'object') {
    const v = d.exact ?? d.ideal;
    return typeof v === 'string' ? v : v?.[0];
  }
  return undefined;
}

/** A canvas whose captureStream yields a fake video track; records what was drawn. */
export class FakeCanvas {
  width = 0;
  height = 0;
  readonly drawnText: string[] = [];
  readonly stream = new FakeMediaStream([new FakeMediaStreamTrack('video', 'placeholder')]);
  private readonly ctx = {
    fillStyle: '',
    font: '',
    textAlign: '',
    textBaseline: '',
    fillRect: () => undefined,
    beginPath: () => undefined,
    arc: () => undefined,
    fill: () => undefined,
    fillText: (text: string) => {
      this.drawnText.push(text);
    },
  };
  getContext(): unknown {
    return this.ctx;
  }
  captureStream(): MediaStream {
    return asStream(this.stream);
  }
}
