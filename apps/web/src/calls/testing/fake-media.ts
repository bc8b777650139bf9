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
  ) {
    super();
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

/** navigator.mediaDevices with switchable behaviour per device kind; records every call. */
export class FakeMediaDevices {
  camera: DeviceBehaviour = 'ok';
  mic: DeviceBehaviour = 'ok';
  /** getDisplayMedia: 'ok', or 'denied' when the person cancels the picker. */
  screen: 'ok' | 'denied' = 'ok';
  readonly calls: GumCall[] = [];
  readonly created: FakeMediaStreamTrack[] = [];
  lastScreenTrack: FakeMediaStreamTrack | undefined;

  getUserMedia = (c: MediaStreamConstraints): Promise<MediaStream> => {
    const call: GumCall = {
      audio: !!c.audio,
      video: !!c.video,
      audioDeviceId: deviceIdOf(c.audio),
      videoDeviceId: deviceIdOf(c.video),
    };
    this.calls.push(call);
    // Like Chrome, a combined request fails as a whole; a refusal wins over a missing device.
    const problems = [call.audio ? this.mic : 'ok', call.video ? this.camera : 'ok'].filter(
      (b): b is Exclude<DeviceBehaviour, 'ok'> => b !== 'ok',
    );
    if (problems.length > 0) {
      const worst = problems.includes('denied') ? 'denied' : problems[0]!;
      return Promise.reject(new DOMException('refused', errorFor[worst]));
    }
    const tracks: FakeMediaStreamTrack[] = [];
    if (call.audio) {
      tracks.push(
        new FakeMediaStreamTrack('audio', 'mic', { deviceId: call.audioDeviceId ?? 'mic-1' }),
      );
    }
    if (call.video) {
      tracks.push(
        new FakeMediaStreamTrack('video', 'camera', { deviceId: call.videoDeviceId ?? 'cam-1' }),
      );
    }
    this.created.push(...tracks);
    return Promise.resolve(asStream(new FakeMediaStream(tracks)));
  };

  getDisplayMedia = (): Promise<MediaStream> => {
    if (this.screen === 'denied') {
      return Promise.reject(new DOMException('cancelled', 'NotAllowedError'));
    }
    const track = new FakeMediaStreamTrack('video', 'screen');
    this.lastScreenTrack = track;
    return Promise.resolve(asStream(new FakeMediaStream([track])));
  };

  enumerateDevices = (): Promise<MediaDeviceInfo[]> =>
    Promise.resolve([
      { deviceId: 'mic-1', kind: 'audioinput', label: 'Mic 1', groupId: 'g1' },
      { deviceId: 'mic-2', kind: 'audioinput', label: 'Mic 2', groupId: 'g2' },
      { deviceId: 'cam-1', kind: 'videoinput', label: 'Cam 1', groupId: 'g1' },
      { deviceId: 'spk-1', kind: 'audiooutput', label: 'Speaker', groupId: 'g1' },
    ] as MediaDeviceInfo[]);

  /** Live tracks this fake handed out that nobody stopped. */
  liveTracks(kind?: Kind): FakeMediaStreamTrack[] {
    return this.created.filter((t) => t.readyState === 'live' && (!kind || t.kind === kind));
  }
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
