import type { IceServersResponse, RoomResponse, User } from '@parley/protocol';
import type { Clock } from '../calls';
import type { RoomSocket } from '../composables/room-socket';
import type { DirectCall, DirectStart } from '../phone/direct-call';
import type { EngineFactories } from './engine';
import type { ModerationApi } from './moderation';
import type { CallTarget, PageRoute } from './types';

// What the call page is built from. The app passes its stores, router and the browser's
// classes (use-call-page.ts); tests pass the engine's fakes (testing.ts).

export interface CallPageApi extends ModerationApi {
  getRoom(code: string): Promise<RoomResponse>;
  iceServers(): Promise<IceServersResponse>;
}

/** The auth store as the page needs it (the store itself fits). */
export interface CallPageAuth {
  readonly user: { id: string; displayName: string; isGuest: boolean } | null;
  getToken(): Promise<string>;
  getFreshToken(staleToken: string): Promise<string>;
  adoptUser(user: User): void;
  logout(): Promise<void>;
}

/** The call prefs store as the page needs it (the store itself fits). */
export interface CallPagePrefs {
  micOn: boolean;
  cameraOn: boolean;
  audioInputId: string;
  videoInputId: string;
  audioOutputId: string;
  /** What the pre-join page handed over: the room and my role. */
  joined: { room: CallTarget; role: 'host' | 'cohost' | 'participant' } | null;
  directStart: DirectStart | null;
}

export interface CallPageDeps {
  /** The room code from the address (normalized; '' when it is none). */
  code: string;
  /** A booked session's id (`?appointment=`), or null. */
  appointmentId?: string | null;
  api: CallPageApi;
  auth: CallPageAuth;
  prefs: CallPagePrefs;
  navigate: (to: PageRoute) => void;
  engine: EngineFactories;
  /**
   * The pre-join page handed its open camera and mic over (media/handoff.ts): they answer at
   * once, so the page need not be drawn before the join goes out.
   */
  devicesHanded?: () => boolean;
  clock: Clock;
  /** sessionStorage: the relay-only preference (`?relay=1`) lives there for the tab. */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined;
  /** localStorage: the layout choice is remembered across visits. */
  layoutStorage?: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  /** location.search of the page. */
  search?: string;
  /** A direct call (`?call=`): its own media to start with, hang-up and end screen. */
  direct?: DirectCall | null;
  /** The browser can share a screen (getDisplayMedia). */
  canShare?: boolean;
  /**
   * Chat and the shared player listen on the call's socket from before the join, so
   * room.joined's chat tail and playback state reach them; returns their disposer.
   */
  attach?: (socket: RoomSocket, roomId: string) => () => void;
  /** Moves keyboard focus to the element with this data-testid (after a panel closes). */
  focus?: (testid: string) => void;
  /** The knock chime for a lobby request. */
  knock?: () => void;
  /** The account was disabled: App.vue takes over (the engine already stopped). */
  onAccountDisabled: () => void;
}
