import { PLAYBACK_LIMITS, YOUTUBE_VIDEO_ID, currentPosition } from '@parley/protocol';
import type { PlaybackSource, PlaybackState } from '@parley/protocol';
import { ClockOffset } from '../../calls/clock';

/**
 * Watch-together sync, in plain functions (PROTOCOL.md §6.2).
 *
 * Clock: ClockOffset (calls/clock.ts, shared with the call's meeting timer) estimates the
 * server's clock from every `serverTime` (room.joined, playback.state, pong).
 */
export { ClockOffset };

/** Seek when further off than this (seconds). */
export const SEEK_THRESHOLD = PLAYBACK_LIMITS.resyncSeekSeconds;
/** Close enough: play at the shared rate. */
export const IN_SYNC = 0.1;
/** How much faster or slower to play while catching up small drift. */
export const NUDGE = 0.05;

export interface SyncDecision {
  /** Seek the local player here (seconds), or leave it where it is. */
  seekTo?: number;
  /** The playbackRate the local player should have now. */
  rate: number;
}

/**
 * What to do with a local player at `current` seconds when the shared video is at `target`:
 * more than 0.5 s off → seek (any state); playing and 0.1–0.5 s off → play 5 % faster or
 * slower until within 0.1 s; paused and more than 0.1 s off → seek (a paused seek costs
 * nothing); otherwise nothing, at the shared rate. `duration` (when known) caps the target
 * so a video that ended is not sought again and again.
 */
export function syncDecision(input: {
  current: number;
  target: number;
  playing: boolean;
  rate: number;
  duration?: number | undefined;
}): SyncDecision {
  const { current, playing, rate } = input;
  let target = input.target;
  if (input.duration !== undefined && Number.isFinite(input.duration) && input.duration > 0) {
    target = Math.min(target, input.duration);
  }
  const drift = current - target;
  const off = Math.abs(drift);
  if (off > SEEK_THRESHOLD) return { seekTo: target, rate };
  if (!playing) return off > IN_SYNC ? { seekTo: target, rate } : { rate };
  if (off <= IN_SYNC) return { rate };
  // Ahead: slow down; behind: speed up.
  return { rate: rate * (drift > 0 ? 1 - NUDGE : 1 + NUDGE) };
}

/** Where the shared video should be now, by the estimated server clock. */
export function targetPosition(
  state: PlaybackState,
  clock: Pick<ClockOffset, 'serverNow'>,
  localNow: number,
): number {
  return currentPosition(state, clock.serverNow(localNow));
}

/**
 * A `playback.set` source from what the host pasted: a YouTube link or bare id, or a
 * direct http(s) video URL. Undefined when it is neither.
 */
export function parseWatchSource(input: string): PlaybackSource | undefined {
  const text = input.trim();
  if (!text) return undefined;
  if (YOUTUBE_VIDEO_ID.test(text)) return { kind: 'youtube', videoId: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!url.hostname || url.username || url.password) return undefined;
  const host = url.hostname.replace(/^(www\.|m\.|music\.)/, '');
  let id: string | null = null;
  if (host === 'youtu.be') id = url.pathname.split('/')[1] ?? null;
  else if (host === 'youtube.com' || host === 'youtube-nocookie.com') {
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'watch') id = url.searchParams.get('v');
    else if (['embed', 'shorts', 'live', 'v'].includes(parts[0] ?? '')) id = parts[1] ?? null;
  }
  if (id !== null) return YOUTUBE_VIDEO_ID.test(id) ? { kind: 'youtube', videoId: id } : undefined;
  return { kind: 'url', url: url.href };
}
