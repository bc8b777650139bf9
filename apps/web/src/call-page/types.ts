import type {
  LobbyEntry,
  ParticipantRole,
  RoomEntry,
  RoomKind,
  RoomSummary,
} from '@parley/protocol';
import { SELF_KEY } from '../components/call/panels';
import type { CallPanel, CallPerson } from '../components/call/panels';
import type {
  CallConnection,
  DeviceList,
  LinkHealth,
  LinkStats,
  MediaProblem,
  MediaProblemSummary,
  Quality,
} from '../calls';
import type { LayoutMode } from './layout-state';
import type { FloatingReaction } from './reaction-feed';

export type { CallPanel, CallPerson };

// The call page's vocabulary, shared by the page model and the components that draw it.
// Plain types in a .ts file: ESLint's TypeScript program cannot read .vue files.

/** The key of this person's own tile (the others are keyed by connection id). */
export const SELF = SELF_KEY;

/** The room this page calls into: what the pre-join page handed over, or what GET returned. */
export interface CallTarget {
  id: string;
  code: string;
  name: string;
  entry: RoomEntry;
  kind?: RoomKind;
}

/** One other connection in the call, as the page draws it. */
export interface RemoteTile {
  connectionId: string;
  userId: string;
  name: string;
  isGuest: boolean;
  role: ParticipantRole;
  /** When this connection entered the call (server clock, ISO): longest present first. */
  joinedAt: string;
  audio: boolean;
  video: boolean;
  screen: boolean;
  /** The hand is up since this moment (server clock, ms); null while it is down. */
  handRaisedAt: number | null;
  /** The camera; the shared screen comes on a track of its own, beside it. */
  videoTrack: MediaStreamTrack | undefined;
  screenTrack: MediaStreamTrack | undefined;
  audioTrack: MediaStreamTrack | undefined;
  connectionState: RTCPeerConnectionState;
  /** The link's repair state (the engine's LinkRepair). */
  health: LinkHealth;
  quality: Quality;
  stats: LinkStats | undefined;
}

/** This person's own media, as the controls and the self view need it. */
export interface LocalState {
  /** The mic is on and sending. */
  micOn: boolean;
  /** The camera is on and sending. */
  cameraOn: boolean;
  /** The person wants the camera (it may still be unavailable). */
  cameraWanted: boolean;
  sharing: boolean;
  hasMic: boolean;
  hasCamera: boolean;
  /** The self view: the camera or the placeholder (never the screen, which has its own). */
  videoTrack: MediaStreamTrack | null;
  /** The screen while sharing (the presenter's own preview of it). */
  screenTrack: MediaStreamTrack | null;
  usingPlaceholder: boolean;
  handRaised: boolean;
  /** Why the mic or camera is missing; a camera switched off on purpose is no problem. */
  problem: MediaProblemSummary | undefined;
  micProblem: MediaProblem | undefined;
  cameraProblem: MediaProblem | undefined;
}

/** The dialogs of the call page; one at a time. */
export type CallDialog = 'invite' | 'watch' | 'leave' | 'shortcuts';

/** Where the page sends the person (the binding maps it onto the router). */
export type PageRoute =
  | { name: 'ended'; reason: 'left' | 'kicked' | 'ended'; code: string }
  | { name: 'prejoin'; code: string }
  | { name: 'call-ended'; callId: string };

/**
 * - `loading`: finding out which room (or direct call) this is; nothing to draw yet.
 * - `joining`: the devices open and `room.join` is on its way; the call is drawn.
 * - `in-call`: `room.joined` came; the connection banner covers drops from here on.
 * - `join-failed`: refused with a code a retry may cure (ROOM_FULL, the network).
 * - `ended`: the page is on its way out (to the end screen, the pre-join page...).
 */
export type CallPageState =
  | { kind: 'loading' }
  | { kind: 'joining' }
  | { kind: 'in-call' }
  | { kind: 'join-failed'; code: string; retrying: boolean }
  | { kind: 'ended'; reason: 'left' | 'kicked' | 'ended' | 'elsewhere' };

/** A message for a notice: an i18n key with its parameters, or an error to explain. */
export type NoticeMessage =
  { key: string; params?: Record<string, string | number> } | { error: unknown };

export interface Notice {
  id: number;
  /** `device`: a device went away (its own testid); `moderation`: a host acted on me. */
  kind: 'info' | 'error' | 'device' | 'moderation';
  message: NoticeMessage;
}

/** A person a leaving host may hand the meeting over to. */
export interface HandoverCandidate {
  userId: string;
  name: string;
  isGuest: boolean;
}

/**
 * What the leave dialog offers a host or co-host:
 * - `leave-or-end`: another moderator stays (or nobody else is here): leave, or end for all.
 * - `handover`: the last moderator with others present: pick who moderates next (a host
 *   only: promoting is theirs), let Parley choose, or end for all.
 */
export type LeaveChoice =
  | { kind: 'leave-or-end' }
  | { kind: 'handover'; candidates: HandoverCandidate[]; suggested: string | null };

/** Everything the page draws, as one snapshot; a new object after every change. */
export interface CallPageView {
  state: CallPageState;
  target: CallTarget | null;
  connection: CallConnection;
  roomName: string;
  room: RoomSummary | undefined;
  /** My connection id in the call (for spotlight and pin of my own tile). */
  selfConnectionId: string | undefined;
  role: ParticipantRole;
  isHost: boolean;
  /** Host or co-host. */
  canModerate: boolean;
  /** A direct call (`?call=`): its own leave and layout rules. */
  direct: { otherName: string } | null;
  /** An audio-only direct call while no camera is on: large avatars instead of tiles. */
  audioLayout: boolean;
  /** An appointment's room: no invites and no "you are alone" card. */
  appointmentRoom: boolean;
  local: LocalState | undefined;
  /** The others (their sound, the leave dialog's choices), in the order they arrived. */
  remotes: RemoteTile[];
  /** Everyone for the stage and the people panel: the others in arrival order, then me. */
  people: CallPerson[];
  /** Connection ids (and SELF) whose voice is heard right now. */
  speaking: ReadonlySet<string>;
  /** The connection a host put in the spotlight for everyone, or null. */
  spotlight: string | null;
  layoutMode: LayoutMode;
  reactions: readonly FloatingReaction[];
  /** How long the meeting has run, `mm:ss` (the server's start time, the same for all). */
  timer: string;
  /** Waiting knockers (only a moderator gets any). */
  lobby: LobbyEntry[];
  /** The lobby entries the toast shows (not dismissed, people panel closed). */
  lobbyToast: LobbyEntry[];
  /** User ids (or `mute-all`, `spotlight`) with a moderation request on its way. */
  busy: ReadonlySet<string>;
  panel: CallPanel | null;
  dialog: CallDialog | null;
  /** The leave dialog's content while it is open. */
  leave: LeaveChoice | null;
  /** Ending for all or handing over: the dialog's buttons wait. */
  leaving: boolean;
  notices: Notice[];
  mediaProblem: MediaProblemSummary | undefined;
  retryingMedia: boolean;
  /** "You are muted" after speaking into a muted mic, for a few seconds. */
  mutedSpeech: boolean;
  devices: DeviceList;
  currentDevices: { audioinput?: string; videoinput?: string; audiooutput?: string };
  /** The browser paused remote sound until a click (autoplay rules). */
  audioBlocked: boolean;
  /** Bumped by a click that may unlock it: each RemoteAudio tries to play again. */
  audioUnlock: number;
  /** Alone in the call: the "waiting for <name>" line (direct call) or the alone card. */
  alone: 'direct-waiting' | 'card' | null;
}
