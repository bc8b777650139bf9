import type { LobbyEntry, ParticipantRole, RoomSummary, User } from '@parley/protocol';
import { shallowRef } from 'vue';
import type { ShallowRef } from 'vue';
import { CallSession, LocalMedia, SignalingClient, summarizeProblems } from '../../calls';
import type {
  CallConnection,
  CallEnded,
  CallSessionOptions,
  DeviceProblem,
  LinkStats,
  MediaProblem,
  Quality,
  SelfInfo,
} from '../../calls';
import { signalingUrl } from '../../lobby/socket';
import { createProbes, installDebugHandle } from './debug';
import { SpeakingTracker } from './speaking';

/** One other connection in the call, as the page draws it. */
export interface RemoteTile {
  connectionId: string;
  userId: string;
  name: string;
  isGuest: boolean;
  role: ParticipantRole;
  audio: boolean;
  video: boolean;
  screen: boolean;
  videoTrack: MediaStreamTrack | undefined;
  audioTrack: MediaStreamTrack | undefined;
  connectionState: RTCPeerConnectionState;
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
  /** What the self view shows: the camera, the screen while sharing, or a placeholder. */
  videoTrack: MediaStreamTrack | null;
  usingPlaceholder: boolean;
  /** Why the mic or camera is missing; a camera switched off on purpose is no problem. */
  problem: MediaProblem | undefined;
  micProblem: DeviceProblem | undefined;
  cameraProblem: DeviceProblem | undefined;
}

export interface CallControllerOptions {
  roomId: string;
  displayName: string;
  getToken: () => Promise<string>;
  /**
   * A new token to replace the socket's one before it expires, even if it still looks valid
   * (the auth store's getFreshToken); without it getToken is asked, closer to the expiry.
   */
  getFreshToken?: ((staleToken: string) => Promise<string>) | undefined;
  /** The account changed while in the call (`session.updated`), e.g. a new role or name. */
  onSessionUpdated?: ((user: User) => void) | undefined;
  /** The choices from the pre-join page. */
  micOn: boolean;
  cameraOn: boolean;
  audioInputId?: string | undefined;
  videoInputId?: string | undefined;
  /** ICE servers and transport policy for every peer connection of this call. */
  ice?: Pick<CallSessionOptions, 'iceServers' | 'iceTransportPolicy'> | undefined;
  onEnded: (why: CallEnded) => void;
  onLobbyRequest: (entry: LobbyEntry) => void;
}

export const SELF = 'self';
const SPEAKING_SAMPLE_MS = 200;

/**
 * The call page's link to the engine: creates the local media, the signaling client and the
 * CallSession, and mirrors what the page draws into shallow refs, re-read on every `change`.
 * The page owns its lifetime (start() after mount, dispose() on leave).
 */
export function createCallController(opts: CallControllerOptions) {
  const probes = createProbes();
  const media = new LocalMedia({ displayName: opts.displayName });
  const signaling = new SignalingClient({
    url: signalingUrl(),
    getToken: opts.getToken,
    getFreshToken: opts.getFreshToken,
    WebSocketImpl: probes.WebSocketImpl,
  });

  const call = new CallSession({
    signaling,
    roomId: opts.roomId,
    media,
    // STUN/TURN servers (fetched by the page before creating this controller).
    ...opts.ice,
    RTCPeerConnectionImpl: probes.RTCPeerConnectionImpl,
    onError: (error, context) => console.warn(`[call] ${context}`, error),
  });

  const connection = shallowRef<CallConnection>('connecting');
  const self = shallowRef<SelfInfo | undefined>(undefined);
  const room = shallowRef<RoomSummary | undefined>(undefined);
  const remotes = shallowRef<RemoteTile[]>([]);
  const lobby = shallowRef<LobbyEntry[]>([]);
  const local = shallowRef<LocalState>(readLocal());
  /** Connection ids (and SELF) whose voice is heard right now. */
  const speaking: ShallowRef<Set<string>> = shallowRef(new Set());
  /** When this person entered the call (ms, Date.now), for the timer. */
  const joinedAt = shallowRef<number | undefined>(undefined);

  function readLocal(): LocalState {
    const cameraWanted = media.cameraEnabled;
    return {
      micOn: media.micEnabled && media.hasMic,
      cameraOn: cameraWanted && media.hasCamera,
      cameraWanted,
      sharing: media.sharingScreen,
      hasMic: media.hasMic,
      hasCamera: media.hasCamera,
      videoTrack: media.videoTrack,
      usingPlaceholder: media.usingPlaceholder,
      problem: summarizeProblems(media.micProblem, cameraWanted ? media.cameraProblem : undefined),
      micProblem: media.micProblem,
      cameraProblem: cameraWanted ? media.cameraProblem : undefined,
    };
  }

  function refresh(): void {
    connection.value = call.connection;
    self.value = call.self;
    room.value = call.roomSummary;
    lobby.value = call.lobby;
    local.value = readLocal();
    const tiles: RemoteTile[] = [];
    for (const [id, p] of call.participants) {
      tiles.push({
        connectionId: id,
        userId: p.entry.userId,
        name: p.entry.displayName,
        isGuest: p.entry.isGuest,
        role: p.entry.role,
        audio: p.entry.media.audio,
        video: p.entry.media.video,
        screen: p.entry.media.screen,
        videoTrack: p.stream?.getVideoTracks()[0],
        audioTrack: p.stream?.getAudioTracks()[0],
        connectionState: p.connectionState,
        quality: p.quality,
        stats: p.stats,
      });
    }
    // In the order people arrived, so tiles do not jump around.
    const order = new Map(remotes.value.map((r, i) => [r.connectionId, i]));
    tiles.sort(
      (a, b) => (order.get(a.connectionId) ?? Infinity) - (order.get(b.connectionId) ?? Infinity),
    );
    remotes.value = tiles;
  }

  // Speaking highlight: RTP audio levels of the others, the local meter for us.
  const tracker = new SpeakingTracker();
  let speakingTimer: ReturnType<typeof setInterval> | undefined;
  function sampleSpeaking(): void {
    const now = performance.now();
    const next = new Set<string>();
    const ids = new Set<string>([SELF]);
    for (const r of remotes.value) {
      ids.add(r.connectionId);
      if (r.audio && tracker.sample(r.connectionId, call.audioLevel(r.connectionId), now)) {
        next.add(r.connectionId);
      }
    }
    if (local.value.micOn && tracker.sample(SELF, call.micLevel(), now)) next.add(SELF);
    tracker.retain(ids);
    const before = speaking.value;
    if (next.size !== before.size || [...next].some((id) => !before.has(id))) {
      speaking.value = next;
    }
  }

  const offs = [
    call.on('change', refresh),
    call.on('ended', (why) => {
      refresh();
      opts.onEnded(why);
    }),
    call.on('lobby-request', (entry) => opts.onLobbyRequest(entry)),
    signaling.onSessionUpdated((user) => opts.onSessionUpdated?.(user)),
  ];
  let removeDebug: (() => void) | undefined;
  let disposed = false;

  /**
   * Opens the camera and mic, then enters the call. The socket starts connecting at once,
   * in parallel with the devices. Rejects with the engine's JoinError when refused.
   */
  async function start(): Promise<void> {
    removeDebug = installDebugHandle(call, probes, () => signaling.connectionId);
    signaling.connect().catch(() => undefined);
    await media.acquire({
      audio: true,
      video: opts.cameraOn,
      audioDeviceId: opts.audioInputId || undefined,
      videoDeviceId: opts.videoInputId || undefined,
    });
    if (disposed) return;
    refresh();
    await call.join({ audio: opts.micOn, video: opts.cameraOn });
    joinedAt.value ??= Date.now();
    refresh();
    speakingTimer ??= setInterval(sampleSpeaking, SPEAKING_SAMPLE_MS);
  }

  /** Tries the join again after a refusal that may pass (ROOM_FULL, a network failure). */
  async function retryJoin(): Promise<void> {
    await call.join({ audio: media.micEnabled, video: media.cameraEnabled });
    joinedAt.value ??= Date.now();
    refresh();
    speakingTimer ??= setInterval(sampleSpeaking, SPEAKING_SAMPLE_MS);
  }

  async function toggleMic(): Promise<void> {
    if (!media.hasMic) {
      // Nothing to unmute: ask for the mic again (the person may have allowed it since).
      media.setMicEnabled(true);
      await media.retryPermissions();
      return refresh();
    }
    call.setMic(!media.micEnabled);
  }

  async function toggleCamera(): Promise<void> {
    const on = media.cameraEnabled && media.hasCamera;
    await call.setCamera(!on);
    refresh();
  }

  /** Resolves false when the person cancelled the browser's picker. */
  async function toggleScreen(): Promise<boolean> {
    if (media.sharingScreen) {
      call.stopScreenShare();
      return true;
    }
    return call.startScreenShare();
  }

  async function retryPermissions(): Promise<void> {
    await media.retryPermissions();
    refresh();
  }

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    if (speakingTimer !== undefined) clearInterval(speakingTimer);
    // Unhooked first: leaving from here (the page is going away) must not navigate again.
    for (const off of offs.splice(0)) off();
    // Leaves (room.leave while the socket is open; the seat is given up), stops the devices.
    call.dispose();
    signaling.close();
    media.stop();
    removeDebug?.();
  }

  /** The engine's own pieces, for what the page does directly (switching devices). */
  function raw() {
    return { call, media, signaling };
  }

  return {
    connection,
    self,
    room,
    remotes,
    lobby,
    local,
    speaking,
    joinedAt,
    start,
    retryJoin,
    toggleMic,
    toggleCamera,
    toggleScreen,
    retryPermissions,
    retry: () => call.retry(),
    leave: () => call.leave(),
    dispose,
    raw,
  };
}

export type CallController = ReturnType<typeof createCallController>;
