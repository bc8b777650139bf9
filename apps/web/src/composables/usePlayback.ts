import { INITIAL_PLAYBACK_STATE } from '@parley/protocol';
import type { PlaybackSource, PlaybackState } from '@parley/protocol';
import { ref, shallowRef } from 'vue';
import { targetPosition } from '../components/watch/sync';
import { nextRef } from './room-socket';
import type { RoomSocket } from './room-socket';

export interface PlaybackOptions {
  socket: RoomSocket;
  roomId: string;
  /**
   * Server minus device clock (ms): the call's estimate (CallSession.serverOffset, a
   * ClockOffset fed by welcome, room.joined and every pong), so a page has one estimate.
   */
  serverOffset: () => number;
  now?: () => number;
}

/**
 * The room's shared player as this client knows it: the newest `playback.state` (by
 * `version`, from room.joined and every playback.state), where it should be by the server's
 * clock (the call's estimate), and the host's commands. The players follow `state` only: a host's
 * click sends a command and the player moves when the server's answer arrives, the same
 * moment it moves for everyone.
 */
export function usePlayback(opts: PlaybackOptions) {
  const { socket, roomId } = opts;
  const now = opts.now ?? Date.now;
  const state = shallowRef<PlaybackState>({ ...INITIAL_PLAYBACK_STATE });
  const clock = { serverNow: (localNow: number) => localNow + opts.serverOffset() };
  /** The last refused command's error code (NOT_HOST, NO_PLAYBACK_SOURCE…). */
  const error = ref<string | null>(null);
  const pending = new Set<string>();

  function apply(next: PlaybackState): void {
    // Two hosts' commands can arrive out of order: only a newer version counts.
    if (next.version <= state.value.version) return;
    state.value = next;
  }

  const offs = [
    socket.on('room.joined', (m) => {
      if (m.roomId !== roomId) return;
      // A new join (after a reconnect the server may have restarted): take its state.
      state.value = m.playback;
    }),
    socket.on('playback.state', (m) => {
      if (m.roomId !== roomId) return;
      if (m.ref) pending.delete(m.ref);
      apply(m.state);
    }),
    socket.on('error', (m) => {
      if (!m.ref || !pending.has(m.ref)) return;
      pending.delete(m.ref);
      error.value = m.code;
    }),
  ];

  function command(
    msg:
      | { type: 'playback.set'; source: PlaybackSource | null }
      | { type: 'playback.play' }
      | { type: 'playback.pause' }
      | { type: 'playback.seek'; time: number },
  ): boolean {
    const ref = nextRef('pb');
    error.value = null;
    const ok = socket.send({ ...msg, ref });
    if (ok) pending.add(ref);
    else error.value = 'NOT_SENT';
    return ok;
  }

  return {
    state,
    error,
    /** Where the shared video should be at this moment (seconds). */
    target: () => targetPosition(state.value, clock, now()),
    set: (source: PlaybackSource) => command({ type: 'playback.set', source }),
    stop: () => command({ type: 'playback.set', source: null }),
    play: () => command({ type: 'playback.play' }),
    pause: () => command({ type: 'playback.pause' }),
    seek: (time: number) => command({ type: 'playback.seek', time: Math.max(0, time) }),
    dispose: () => {
      for (const off of offs.splice(0)) off();
    },
  };
}

export type Playback = ReturnType<typeof usePlayback>;
