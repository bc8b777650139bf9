import type { PlaybackState } from '@parley/protocol';

/**
 * Where each room's player state lives. In memory for one process; with scale-out a
 * Redis implementation replaces it (`update` as a WATCH/MULTI or a Lua compare-and-set
 * on `version`), so every node sees the same state.
 */
export interface PlaybackStore {
  get(roomId: string): Promise<PlaybackState | undefined>;
  /**
   * Applies `change` to the room's state (or to `initial` when it has none) as one step:
   * no other update of that room interleaves. If `change` throws, nothing is stored and
   * the error is passed on.
   */
  update(
    roomId: string,
    initial: PlaybackState,
    change: (current: PlaybackState) => PlaybackState,
  ): Promise<PlaybackState>;
  delete(roomId: string): Promise<void>;
  /** Rooms with a stored state (for tests and metrics). */
  size(): Promise<number>;
}

export function createMemoryPlaybackStore(): PlaybackStore {
  const rooms = new Map<string, PlaybackState>();
  return {
    get: (roomId) => Promise.resolve(rooms.get(roomId)),
    update(roomId, initial, change) {
      // Synchronous read-modify-write: nothing else runs in between in one process. A
      // throw from `change` rejects before anything is stored.
      return new Promise((resolve) => {
        const next = change(rooms.get(roomId) ?? initial);
        rooms.set(roomId, next);
        resolve(next);
      });
    },
    delete(roomId) {
      rooms.delete(roomId);
      return Promise.resolve();
    },
    size: () => Promise.resolve(rooms.size),
  };
}
