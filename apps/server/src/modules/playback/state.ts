import { INITIAL_PLAYBACK_STATE, currentPosition } from '@parley/protocol';
import type { PlaybackCommand, PlaybackSource, PlaybackState } from '@parley/protocol';
import { PlaybackErrors } from './errors.js';

/** A room whose player was never set (the protocol's): nothing loaded, version 0. */
export const INITIAL_PLAYBACK: PlaybackState = INITIAL_PLAYBACK_STATE;

/**
 * The next state after a host's command at server time `now` (epoch ms). Pure: the store
 * runs it as one step. Every accepted command makes a new version, even one that changes
 * nothing visible (a second `play`), so it doubles as a resync for everyone.
 */
export function applyCommand(
  state: PlaybackState,
  command: PlaybackCommand,
  now: number,
): PlaybackState {
  const next = { updatedAt: now, version: state.version + 1 };
  switch (command.type) {
    case 'playback.set':
      // A new video (or none) starts paused at the beginning; the rate is kept.
      return {
        ...state,
        ...next,
        source: command.source ? copySource(command.source) : null,
        playing: false,
        position: 0,
      };
    case 'playback.play':
      requireSource(state);
      return { ...state, ...next, position: currentPosition(state, now), playing: true };
    case 'playback.pause':
      requireSource(state);
      return { ...state, ...next, position: currentPosition(state, now), playing: false };
    case 'playback.seek':
      requireSource(state);
      return { ...state, ...next, position: Math.max(0, command.time) };
    case 'playback.rate':
      requireSource(state);
      // Rebase at the old rate first, so the change applies from now on only.
      return { ...state, ...next, position: currentPosition(state, now), rate: command.rate };
    default:
      return assertNever(command);
  }
}

function requireSource(state: PlaybackState): void {
  if (state.source === null) throw PlaybackErrors.noSource();
}

/** Only the known fields: what is stored and broadcast is exactly the protocol's shape. */
function copySource(source: PlaybackSource): PlaybackSource {
  return source.kind === 'url'
    ? { kind: 'url', url: source.url }
    : { kind: 'youtube', videoId: source.videoId };
}

function assertNever(x: never): never {
  throw new Error(`Unexpected playback command: ${JSON.stringify(x)}`);
}
