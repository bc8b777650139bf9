import { z } from 'zod';

export const PLAYBACK_LIMITS = {
  maxUrlLength: 2048,
  minRate: 0.25,
  maxRate: 2,
  /** A seek target; a week of video is more than any source the player handles. */
  maxSeekSeconds: 7 * 24 * 3600,
  /** Client guidance: off by more than this, seek; below it, nudge the playback rate. */
  resyncSeekSeconds: 0.5,
} as const;

export const YOUTUBE_VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;

/**
 * http(s) only (never `javascript:`, `data:` or `file:`), no credentials, no whitespace
 * or control characters (a URL parser would silently drop some of them, so what is
 * stored would not be what is played).
 */
export const PlaybackUrl = z
  .string()
  .max(PLAYBACK_LIMITS.maxUrlLength, {
    message: `Use at most ${PLAYBACK_LIMITS.maxUrlLength} characters`,
  })
  .refine(isPlayableUrl, { message: 'Use an http or https URL without credentials' });

function isPlayableUrl(s: string): boolean {
  if (/[\s\p{Cc}]/u.test(s)) return false;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== '' &&
    url.username === '' &&
    url.password === ''
  );
}

export const YoutubeVideoId = z
  .string()
  .regex(YOUTUBE_VIDEO_ID, { message: 'A YouTube video id is 11 characters of A-Z a-z 0-9 _ -' });

/** What `playback.set` accepts: strict, like every client message. */
export const PlaybackSourceInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('url'), url: PlaybackUrl }),
  z.strictObject({ kind: z.literal('youtube'), videoId: YoutubeVideoId }),
]);

/** A source as the server reports it (lenient, like every server message). */
export const PlaybackSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('url'), url: z.string() }),
  z.object({ kind: z.literal('youtube'), videoId: z.string() }),
]);
export type PlaybackSource = z.infer<typeof PlaybackSource>;

export const PlaybackRate = z.number().min(PLAYBACK_LIMITS.minRate).max(PLAYBACK_LIMITS.maxRate);

/**
 * A room's shared player. `position` is in seconds at `updatedAt` (server epoch ms); while
 * `playing`, the video advances at `rate` from there (see `currentPosition`). `version`
 * goes up by one with every change: a client applies a state only if its version is
 * higher than the one it has.
 */
export const PlaybackState = z
  .object({
    source: PlaybackSource.nullable(),
    playing: z.boolean(),
    position: z.number().min(0),
    updatedAt: z.int().min(0),
    rate: z.number().positive(),
    version: z.int().min(0),
  })
  .meta({ id: 'PlaybackState' });
export type PlaybackState = z.infer<typeof PlaybackState>;

/** A room whose player was never set: nothing loaded, version 0, `updatedAt` 0 ("never"). */
export const INITIAL_PLAYBACK_STATE: PlaybackState = Object.freeze({
  source: null,
  playing: false,
  position: 0,
  updatedAt: 0,
  rate: 1,
  version: 0,
});

/**
 * Where the shared video is at server time `now` (epoch ms). The server and every client
 * use this one formula; a client passes its estimate of the server's clock
 * (`Date.now() + (serverTime - receivedAt)` from the message that carried the state).
 */
export function currentPosition(
  state: Pick<PlaybackState, 'playing' | 'position' | 'updatedAt' | 'rate'>,
  now: number,
): number {
  if (!state.playing) return state.position;
  // A clock that went backwards never moves the video back.
  const elapsedSeconds = Math.max(0, now - state.updatedAt) / 1000;
  return state.position + elapsedSeconds * state.rate;
}
