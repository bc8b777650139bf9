import type { ServerMessageOf, ServerMessageType } from '@parley/protocol';

/** `revoked`: the invite this person came with was revoked while they waited. */
export type LobbyOutcome = 'admitted' | 'denied' | 'revoked' | 'closed';

/** The part of the call engine's SignalingClient the lobby needs. */
export interface LobbySocket {
  connect(): Promise<void>;
  on<T extends ServerMessageType>(type: T, fn: (msg: ServerMessageOf<T>) => void): () => void;
  close(): void;
}

export interface LobbyWatchOptions {
  roomId: string;
  socket: LobbySocket;
  /** Asks the server for this person's standing: an outcome, or null while still waiting. */
  checkStatus: () => Promise<LobbyOutcome | null>;
  onOutcome: (outcome: LobbyOutcome) => void;
  /** A safety net for notices missed while the socket was down. */
  pollMs?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (id: unknown) => void;
}

/**
 * Waits in a room's lobby for the host's decision. The decision normally arrives on the socket
 * (`lobby.admitted` / `lobby.denied` / `room.closed`), but one made before the socket said
 * `welcome`, or while it was reconnecting, would be missed, so the REST status is checked after
 * every `welcome` and every `pollMs` as well. The first outcome wins; then everything stops.
 */
export function watchLobby(opts: LobbyWatchOptions): { stop(): void } {
  const setIntervalFn = opts.setInterval ?? ((fn, ms) => setInterval(fn, ms));
  const clearIntervalFn =
    opts.clearInterval ?? ((id) => clearInterval(id as ReturnType<typeof setInterval>));
  let done = false;
  const offs: (() => void)[] = [];

  function stop() {
    if (done) return;
    done = true;
    offs.forEach((off) => off());
    clearIntervalFn(timer);
    opts.socket.close();
  }

  function settle(outcome: LobbyOutcome) {
    if (done) return;
    stop();
    opts.onOutcome(outcome);
  }

  function check() {
    if (done) return;
    opts.checkStatus().then(
      (outcome) => {
        if (outcome) settle(outcome);
      },
      () => undefined, // a failed check is retried by the next poll
    );
  }

  const forThisRoom = (msg: { roomId: string }) => msg.roomId === opts.roomId;
  offs.push(
    opts.socket.on('lobby.admitted', (m) => forThisRoom(m) && settle('admitted')),
    opts.socket.on(
      'lobby.denied',
      (m) => forThisRoom(m) && settle(m.reason === 'invite-revoked' ? 'revoked' : 'denied'),
    ),
    opts.socket.on('room.closed', (m) => forThisRoom(m) && settle('closed')),
    opts.socket.on('welcome', check),
  );
  const timer = setIntervalFn(check, opts.pollMs ?? 15_000);

  opts.socket.connect().catch(() => {
    // The socket gave up; polling still brings the answer.
  });

  return { stop };
}
