import type { Call, CallMedia } from '@parley/protocol';
import { otherParty } from './state';

/** What the device chose when it entered the call (accept with video / audio only). */
export interface DirectStart {
  callId: string;
  media: CallMedia;
}

export interface DirectCallDeps {
  callId: string;
  userId: string;
  get: (id: string) => Promise<Call>;
  /** Ends the call for both (POST /api/calls/:id/end); the ended call when known. */
  hangUp: (id: string) => Promise<Call | undefined>;
  /** Subscribes to `call.ended` of any call (the phone's socket). */
  onCallEnded: (fn: (call: Call) => void) => () => void;
}

/**
 * The call page's part of a direct call: which call it is, the media to start with, hanging up
 * for both, and hearing that the other side did. The page stays the meeting page; this only
 * answers the questions that differ.
 *
 * - `loading`: the call is being read; `active`: the two are in it.
 * - `ended`: hung up here or there; `ended.byMe` says which, for the end screen.
 */
export type DirectCallState =
  | { kind: 'loading' }
  | { kind: 'active'; call: Call }
  | { kind: 'ended'; call: Call | undefined; byMe: boolean };

export class DirectCall {
  private _state: DirectCallState = { kind: 'loading' };
  private readonly endedListeners = new Set<() => void>();
  private readonly off: () => void;
  private hanging: Promise<void> | undefined;

  constructor(private readonly deps: DirectCallDeps) {
    this.off = deps.onCallEnded((call) => {
      if (call.id !== deps.callId || this._state.kind === 'ended') return;
      this._state = { kind: 'ended', call, byMe: false };
      for (const fn of [...this.endedListeners]) fn();
    });
  }

  get state(): DirectCallState {
    return this._state;
  }

  get callId(): string {
    return this.deps.callId;
  }

  get call(): Call | undefined {
    return this._state.kind === 'loading' ? undefined : this._state.call;
  }

  /** The other person's name, once the call is read. */
  get otherName(): string {
    const call = this.call;
    return call ? otherParty(call, this.deps.userId).displayName : '';
  }

  /** Reads the call; undefined when it is not this person's or no longer goes on. */
  async load(): Promise<Call | undefined> {
    try {
      const call = await this.deps.get(this.deps.callId);
      if (this._state.kind === 'ended') return undefined;
      if (call.state !== 'accepted') {
        this._state = { kind: 'ended', call, byMe: false };
        return undefined;
      }
      this._state = { kind: 'active', call };
      return call;
    } catch {
      return undefined;
    }
  }

  /**
   * Mic and camera to enter with: the mic always (it is a call), the camera for a video call
   * unless this device accepted with audio only.
   */
  startMedia(chosen: DirectStart | null): { micOn: boolean; cameraOn: boolean } {
    const media = chosen?.callId === this.deps.callId ? chosen.media : this.call?.media;
    return { micOn: true, cameraOn: media === 'video' };
  }

  /** An audio call shows people as large avatars, while nobody turns a camera on. */
  audioLayout(anyVideo: boolean): boolean {
    return this.call?.media === 'audio' && !anyVideo;
  }

  /** Hangs up for both. Resolves once the server answered (or could not be reached). */
  hangUp(): Promise<void> {
    // A second press while the first is on its way waits for the same answer.
    this.hanging ??= this.endForBoth();
    return this.hanging;
  }

  private get ended(): boolean {
    return this._state.kind === 'ended';
  }

  private async endForBoth(): Promise<void> {
    if (this.ended) return;
    let ended: Call | undefined;
    try {
      ended = await this.deps.hangUp(this.deps.callId);
    } catch {
      // Offline: leaving the room still ends it for the other side, by the server's reaper.
    }
    // The other side may have hung up while this request was on its way: theirs stands.
    if (!this.ended) this._state = { kind: 'ended', call: ended, byMe: true };
  }

  /** Called once when the other side ends the call. */
  onEndedRemotely(fn: () => void): () => void {
    this.endedListeners.add(fn);
    return () => this.endedListeners.delete(fn);
  }

  dispose(): void {
    this.off();
    this.endedListeners.clear();
  }
}
