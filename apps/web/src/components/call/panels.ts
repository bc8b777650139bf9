import type { ParticipantRole } from '@parley/protocol';
import type { LinkStats, LinkTrouble, Quality } from '../../calls';

// Types the call page shares with its panels. They live in a .ts file, not in the .vue files
// that use them: ESLint's TypeScript program cannot read .vue files, only vue-tsc can.

/** The side panels of the call page. */
export type CallPanel = 'participants' | 'chat';

/** The page's id for this person's own tiles and rows (the others go by connection id). */
export const SELF_KEY = 'self';

/** A row of the people panel: this person or another one in the call. */
export interface PanelPerson {
  /** SELF_KEY for this person, else their connection id. */
  key: string;
  /** The connection in the call (this person's own once the socket has one). */
  connectionId: string | undefined;
  userId: string;
  name: string;
  role: ParticipantRole;
  isGuest: boolean;
  self: boolean;
  /** Microphone on. */
  audio: boolean;
  /** Camera on. */
  video: boolean;
  /** Sharing a screen. */
  screen: boolean;
  /** When the hand went up, ms on the server clock; null while it is down. */
  handRaisedAt: number | null;
  /**
   * Place in the raised-hand queue (1 = next), null while the hand is down. Computed once
   * for the page (call-page/derive.ts peopleOf), so the stage and the panel agree.
   */
  handPosition: number | null;
}

/** A person as the stage draws them: the panel's row plus their media. */
export interface CallPerson extends PanelPerson {
  /** The camera (or this person's placeholder); shown while `video`. */
  cameraTrack: MediaStreamTrack | null | undefined;
  /** The shared screen; shown while `screen`. */
  screenTrack: MediaStreamTrack | null | undefined;
  /** Link quality to this person (not for oneself). */
  quality?: Quality | undefined;
  stats?: LinkStats | undefined;
  /** The peer connection's state. */
  connectionState?: RTCPeerConnectionState | undefined;
  /** Why the link carries no media now (shows "Reconnecting…" and the reason). */
  trouble?: LinkTrouble | undefined;
  /** Mirror the camera (one's own, as in a mirror; not a placeholder). */
  mirrored?: boolean | undefined;
}
