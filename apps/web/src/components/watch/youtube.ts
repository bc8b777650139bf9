/**
 * Drives a YouTube embed through the iframe's postMessage interface, without YouTube's
 * IFrame API script (the page's CSP allows YouTube frames but no third-party scripts).
 *
 * The embed (loaded with `enablejsapi=1`) accepts `{event:'command', func, args}` as JSON
 * text; after `{event:'listening'}` it reports `onReady`, `onStateChange` and
 * `infoDelivery` (currentTime, playerState…) back to this window.
 */
export const YOUTUBE_ORIGINS = ['https://www.youtube-nocookie.com', 'https://www.youtube.com'];
export const YOUTUBE_EMBED_ORIGIN = 'https://www.youtube-nocookie.com';

export function youtubeEmbedUrl(videoId: string, origin: string): string {
  const params = new URLSearchParams({
    enablejsapi: '1',
    controls: '0',
    disablekb: '1',
    modestbranding: '1',
    playsinline: '1',
    rel: '0',
    iv_load_policy: '3',
    origin,
  });
  return `${YOUTUBE_EMBED_ORIGIN}/embed/${encodeURIComponent(videoId)}?${params.toString()}`;
}

/** YouTube's player states as `infoDelivery.playerState` reports them. */
export const YT_STATE = { unstarted: -1, ended: 0, playing: 1, paused: 2, buffering: 3, cued: 5 };

export interface YoutubeInfo {
  currentTime?: number;
  playerState?: number;
  muted?: boolean;
  duration?: number;
}

export interface YoutubeControllerOptions {
  iframe: HTMLIFrameElement;
  /** The embed answered (it loaded and speaks the API). */
  onReady: () => void;
  onInfo?: (info: YoutubeInfo, receivedAt: number) => void;
  win?: Window;
  now?: () => number;
}

/** One embed's remote control. `dispose()` stops listening. */
export class YoutubeController {
  private ready = false;
  private listenTimer: ReturnType<typeof setInterval> | undefined;
  private readonly win: Window;
  private readonly now: () => number;
  /** Latest known position and when it was reported (local ms). */
  currentTime = 0;
  reportedAt = 0;
  playerState = YT_STATE.unstarted;
  muted = false;

  constructor(private readonly opts: YoutubeControllerOptions) {
    this.win = opts.win ?? window;
    this.now = opts.now ?? Date.now;
    this.win.addEventListener('message', this.onMessage);
    // Until the embed answers, keep saying we listen (it ignores messages before it loads).
    this.listenTimer = setInterval(() => this.post({ event: 'listening', id: 'parley' }), 500);
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Position now, extrapolated from the last report while playing. */
  position(): number {
    if (this.playerState !== YT_STATE.playing) return this.currentTime;
    return this.currentTime + (this.now() - this.reportedAt) / 1000;
  }

  command(func: string, args: unknown[] = []): void {
    this.post({ event: 'command', func, args });
  }
  play(): void {
    this.command('playVideo');
  }
  pause(): void {
    this.command('pauseVideo');
  }
  seek(seconds: number): void {
    this.command('seekTo', [seconds, true]);
    this.currentTime = seconds;
    this.reportedAt = this.now();
  }
  setRate(rate: number): void {
    this.command('setPlaybackRate', [rate]);
  }
  mute(): void {
    this.command('mute');
  }
  unMute(): void {
    this.command('unMute');
  }

  /** Gave up waiting for the embed: stop calling it. */
  stopListening(): void {
    if (this.listenTimer !== undefined) clearInterval(this.listenTimer);
    this.listenTimer = undefined;
  }

  dispose(): void {
    this.win.removeEventListener('message', this.onMessage);
    if (this.listenTimer !== undefined) clearInterval(this.listenTimer);
    this.listenTimer = undefined;
  }

  private post(message: object): void {
    this.opts.iframe.contentWindow?.postMessage(JSON.stringify(message), YOUTUBE_EMBED_ORIGIN);
  }

  private readonly onMessage = (event: MessageEvent): void => {
    if (!YOUTUBE_ORIGINS.includes(event.origin)) return;
    if (event.source !== this.opts.iframe.contentWindow) return;
    let data: unknown;
    try {
      data = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    } catch {
      return;
    }
    if (typeof data !== 'object' || data === null) return;
    const msg = data as { event?: unknown; info?: unknown };
    if (!this.ready) {
      this.ready = true;
      if (this.listenTimer !== undefined) clearInterval(this.listenTimer);
      this.listenTimer = undefined;
      this.opts.onReady();
    }
    if (msg.event === 'infoDelivery' || msg.event === 'initialDelivery') {
      const info = (typeof msg.info === 'object' && msg.info !== null ? msg.info : {}) as Record<
        string,
        unknown
      >;
      const out: YoutubeInfo = {};
      if (typeof info.currentTime === 'number') {
        out.currentTime = info.currentTime;
        this.currentTime = info.currentTime;
        this.reportedAt = this.now();
      }
      if (typeof info.playerState === 'number') {
        out.playerState = info.playerState;
        this.playerState = info.playerState;
      }
      if (typeof info.duration === 'number') out.duration = info.duration;
      if (typeof info.muted === 'boolean') {
        out.muted = info.muted;
        this.muted = info.muted;
      }
      this.opts.onInfo?.(out, this.now());
    } else if (msg.event === 'onStateChange' && typeof msg.info === 'number') {
      this.playerState = msg.info;
    }
  };
}
