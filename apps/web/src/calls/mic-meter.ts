/**
 * The local microphone level, for the self view, the pre-join meter and the "you are muted"
 * hint: one AnalyserNode on the mic. Remote levels come from RTP (PeerLink.audioLevel), not
 * from here. The AudioContext is created on first use, since browsers only let it run after
 * a user gesture anyway.
 *
 * The analyser listens to a clone of the mic track, always enabled: muting disables the
 * sent track (silence goes out) while the meter still hears the room, so a muted person who
 * talks can be told. Callers that show a level hide it while muted (LocalMedia.micLevel).
 */
export interface MicMeterEnv {
  createAudioContext(): AudioContext | undefined;
  createMediaStream(tracks: MediaStreamTrack[]): MediaStream;
}

/** What LocalMedia needs of a meter; tests pass a fake level source. */
export interface LevelMeter {
  setTrack(track: MediaStreamTrack | null): void;
  /** 0..1, whether or not the track is muted; 0 without a live track. */
  level(): number;
  close(): void;
}

/** Maps -60 dBFS (room noise) .. -10 dBFS (loud speech) onto 0..1. */
export function levelFromRms(rms: number): number {
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 50));
}

/** The level (levelFromRms) of one block of samples. */
export function levelFromSamples(samples: Float32Array): number {
  let sum = 0;
  for (const v of samples) sum += v * v;
  return levelFromRms(Math.sqrt(sum / Math.max(1, samples.length)));
}

export class MicMeter implements LevelMeter {
  private ctx: AudioContext | undefined;
  private analyser: AnalyserNode | undefined;
  private source: MediaStreamAudioSourceNode | undefined;
  private buffer: Float32Array<ArrayBuffer> | undefined;
  private track: MediaStreamTrack | null = null;
  /** The enabled copy of `track` the analyser hears; stopped with it. */
  private tap: MediaStreamTrack | undefined;
  private unavailable = false;

  constructor(private readonly env: MicMeterEnv) {}

  setTrack(track: MediaStreamTrack | null): void {
    if (track === this.track) return;
    this.track = track;
    this.disconnect();
  }

  level(): number {
    const track = this.track;
    if (!track || track.readyState !== 'live' || this.unavailable) return 0;
    if (!this.ctx || !this.analyser || !this.buffer) {
      try {
        this.ctx = this.env.createAudioContext();
      } catch {
        this.ctx = undefined;
      }
      if (!this.ctx) {
        this.unavailable = true;
        return 0;
      }
      this.analyser = this.ctx.createAnalyser();
      this.analyser.fftSize = 512;
      this.buffer = new Float32Array(this.analyser.fftSize);
    }
    if (!this.source) {
      // Without clone() the meter hears the track itself (silent while muted).
      if (typeof track.clone === 'function') {
        this.tap = track.clone();
        this.tap.enabled = true;
      }
      this.source = this.ctx.createMediaStreamSource(
        this.env.createMediaStream([this.tap ?? track]),
      );
      this.source.connect(this.analyser);
    }
    if (this.ctx.state === 'suspended') void this.ctx.resume().catch(() => undefined);
    this.analyser.getFloatTimeDomainData(this.buffer);
    return levelFromSamples(this.buffer);
  }

  close(): void {
    this.disconnect();
    this.track = null;
    const ctx = this.ctx;
    this.ctx = undefined;
    this.analyser = undefined;
    this.unavailable = false;
    if (ctx) void ctx.close().catch(() => undefined);
  }

  private disconnect(): void {
    this.source?.disconnect();
    this.source = undefined;
    this.tap?.stop();
    this.tap = undefined;
  }
}
