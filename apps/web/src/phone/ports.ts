import type {
  Call,
  CallMedia,
  ListCallsResponse,
  ServerMessageOf,
  ServerMessageType,
} from '@parley/protocol';

/**
 * What the phone needs of a socket: the app's SignalingClient in the ready state (hello, no
 * room), which receives the `call.*` and `presence.changed` messages sent to this user.
 */
export interface PhoneSocket {
  connect(): Promise<void>;
  on<T extends ServerMessageType>(type: T, fn: (msg: ServerMessageOf<T>) => void): () => void;
  close(): void;
}

/** The direct-call routes the phone drives (api/endpoints.ts implements them). */
export interface PhoneApi {
  place(calleeId: string, media: CallMedia): Promise<Call>;
  act(id: string, action: 'accept' | 'reject' | 'cancel' | 'end' | 'seen'): Promise<Call>;
  get(id: string): Promise<Call>;
  /** `GET /api/calls?filter=active`: ringing and accepted calls, and the missed-call badge. */
  active(): Promise<Pick<ListCallsResponse, 'calls' | 'unseenMissed'>>;
}

/** The ringtone: start is idempotent, stop always silences. */
export interface Ringer {
  start(): void;
  stop(): void;
}

/** A system notification for a call ringing while the tab is hidden; closed when it stops. */
export interface CallAlerts {
  show(call: Call): { close(): void } | undefined;
}
