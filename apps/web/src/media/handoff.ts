/**
 * The pre-join preview's camera and mic, handed to the call page so joining does not open the
 * devices a second time (a getUserMedia call is 100-200 ms of the Join → first frame path,
 * and on some machines a second permission prompt or a camera that blinks off and on).
 *
 * The preview holds clones of its live tracks when it closes for the call: a clone shares the
 * open device, so the preview can stop its own tracks as it always does. The call page's
 * getUserMedia (`withHeldTracks`) takes the clones when they are what it asks for; anything
 * not taken is stopped, and so is everything after HOLD_MS, so no camera light stays on for
 * a call that never came.
 */
import { realTimers } from '../lib/hold-timers';
import type { HoldTimers } from '../lib/hold-timers';

export const HOLD_MS = 10_000;

let held: { tracks: MediaStreamTrack[]; timer: unknown; timers: HoldTimers } | null = null;

/** Keeps clones of the live tracks for the call page, for `ms` at most. */
export function holdTracks(
  tracks: readonly (MediaStreamTrack | null | undefined)[],
  ms = HOLD_MS,
  timers: HoldTimers = realTimers,
): void {
  releaseHeld();
  const clones = tracks
    .filter((t): t is MediaStreamTrack => !!t && t.readyState === 'live')
    .map((t) => {
      const clone = t.clone();
      // The preview mutes with `enabled`; the call applies its own mic choice to what it takes.
      clone.enabled = true;
      return clone;
    });
  if (clones.length === 0) return;
  held = { tracks: clones, timer: timers.setTimeout(releaseHeld, ms), timers };
}

/** Whether live tracks are held for the call page (its getUserMedia will answer at once). */
export function hasHeldTracks(): boolean {
  return !!held && held.tracks.some((t) => t.readyState === 'live');
}

/** Stops whatever is still held (nobody took it). */
export function releaseHeld(): void {
  if (!held) return;
  const { tracks, timer, timers } = held;
  held = null;
  timers.clearTimeout(timer);
  for (const t of tracks) t.stop();
}

/** The device a constraint asks for: `'id'`, `{ exact: 'id' }` or `{ ideal: 'id' }`. */
function wantedDevice(c: boolean | MediaTrackConstraints | undefined): string | undefined {
  if (!c || c === true) return undefined;
  const id = c.deviceId;
  if (typeof id === 'string') return id;
  if (Array.isArray(id)) return id[0];
  const v = id?.exact ?? id?.ideal;
  return Array.isArray(v) ? v[0] : v;
}

function heldFor(
  kind: 'audio' | 'video',
  c: boolean | MediaTrackConstraints | undefined,
): MediaStreamTrack | undefined {
  const track = held?.tracks.find((t) => t.kind === kind && t.readyState === 'live');
  const device = wantedDevice(c);
  if (!track || (device && track.getSettings().deviceId !== device)) return undefined;
  return track;
}

/**
 * The held tracks when they answer this request (every kind it asks for, on the device it
 * asks for); the request otherwise goes to the browser. Either way nothing stays held.
 */
export function takeHeld(
  constraints: MediaStreamConstraints,
  createStream: (tracks: MediaStreamTrack[]) => MediaStream,
): MediaStream | undefined {
  if (!held) return undefined;
  const kinds = (['audio', 'video'] as const).filter((k) => !!constraints[k]);
  const taken = kinds
    .map((k) => heldFor(k, constraints[k]))
    .filter((t): t is MediaStreamTrack => t !== undefined);
  const complete = kinds.length > 0 && taken.length === kinds.length;
  if (complete) held.tracks = held.tracks.filter((t) => !taken.includes(t));
  releaseHeld();
  return complete ? createStream(taken) : undefined;
}

/** A getUserMedia that first takes the preview's held tracks (see takeHeld). */
export function withHeldTracks(
  getUserMedia: (c: MediaStreamConstraints) => Promise<MediaStream>,
  createStream: (tracks: MediaStreamTrack[]) => MediaStream = (tracks) => new MediaStream(tracks),
): (c: MediaStreamConstraints) => Promise<MediaStream> {
  return async (c) => takeHeld(c, createStream) ?? getUserMedia(c);
}
