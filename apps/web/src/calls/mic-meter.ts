/**
 * The local microphone level for the self view and the pre-join meter: one
 * AnalyserNode on the mic track. Remote levels come from RTP (PeerLink.audioLevel), not
 * from here. The AudioContext is created on first use, since browsers only let it run
 * after a user gesture anyway.
 */
export interface MicMeterEnv {
  createAudioContext(): AudioContext | undefined;
  createMediaStream(tracks: MediaStreamTrack[]): MediaStream;
}

/** Maps -60 dBFS (room noise) .. -10 dBFS (loud speech) onto 0..1. */
export function levelFromRms(rms: number): number {
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 50));
}

export class MicMeter {
  private ctx: AudioContext | undefined;
  private analyser: AnalyserNode | undefined;
  private source: MediaStreamAudioSourceNode | undefined;
  private buffer: Float32Array<ArrayBuffer> | undefined;
  private track: MediaStreamTrack | null = null;
  private unavailable = false;

  constructor(private readonly env: MicMeterEnv) {}

  setTrack(track: MediaStreamTrack | null): void {
    if (track === this.track) return;
    this.track = track;
    this.source?.disconnect();
    this.source = undefined;
  }

  /** 0..1; 0 when muted (a disabled track is silent), without a mic, or without Web Audio. */
  level(): number {
    const track = this.track;
    if (!track || track.readyState !== 'live' || !track.enabled || this.unavailable) return 0;
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
      this.source = this.ctx.createMediaStreamSource(this.env.createMediaStream([track]));
      this.source.connect(this.analyser);
    }
    if (this.ctx.state === 'suspended') void this.ctx.resume().catch(() => undefined);
    this.analyser.getFloatTimeDomainData(this.buffer);
    let sum = 0;
    for (const v of this.buffer) sum += v * v;
    return levelFromRms(Math.sqrt(sum / this.buffer.length));
  }

  close(): void {
    this.source?.disconnect();
    this.source = undefined;
    const ctx = this.ctx;
    this.ctx = undefined;
    this.analyser = undefined;
    if (ctx) void ctx.close().catch(() => undefined);
  }
}
