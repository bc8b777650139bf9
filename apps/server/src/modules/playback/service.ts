import type { ParticipantRole, PlaybackCommand, PlaybackState } from '@parley/protocol';
import type { Clock } from '../../platform/clock.js';
import { PlaybackErrors } from './errors.js';
import { INITIAL_PLAYBACK, applyCommand } from './state.js';
import type { Bus, LiveStore } from '../../platform/live/index.js';

export type PlaybackServiceDeps = {
  /** One document per room, shared by every process. */
  store: LiveStore<PlaybackState>;
  bus: Bus;
  clock: Clock;
  /** The user's role if they are an admitted participant of the room now (from rooms). */
  roleOf(roomId: string, userId: string): Promise<ParticipantRole | undefined>;
};

/** The shared player of each room: host and co-hosts command it, everyone follows. */
export function createPlaybackService(deps: PlaybackServiceDeps) {
  const { store, clock } = deps;
  // Every process hears the closure; dropping an already dropped state is harmless.
  const unsubscribe = deps.bus.on('room.closed', (e) => store.delete(e.roomId));
  return {
    /** Stops listening (an app sharing its live state with others is closing). */
    close(): void {
      unsubscribe();
    },

    /** Applies a host's command; NOT_HOST for anyone else, and nothing changes. */
    async apply(roomId: string, userId: string, command: PlaybackCommand): Promise<PlaybackState> {
      // From the database, not the socket's roster: a promotion or demotion counts at once.
      const role = await deps.roleOf(roomId, userId);
      if (role !== 'host' && role !== 'cohost') throw PlaybackErrors.notHost();
      return store.update(roomId, INITIAL_PLAYBACK, (current) =>
        applyCommand(current, command, clock.now().getTime()),
      );
    },

    async current(roomId: string): Promise<PlaybackState> {
      return (await store.get(roomId)) ?? INITIAL_PLAYBACK;
    },
  };
}
export type PlaybackService = ReturnType<typeof createPlaybackService>;
