import type { User } from '@parley/protocol';
import { CallSession, LocalMedia, SignalingClient, summarizeProblems } from '../calls';
import type {
  CallSessionOptions,
  Clock,
  MediaEnv,
  PeerConnectionCtor,
  WebSocketCtor,
} from '../calls';
import type { LevelMeter } from '../calls/mic-meter';
import type { LocalState, RemoteTile } from './types';

/**
 * How the page builds the engine. The browser's classes by default; tests pass the engine's
 * fakes (fake-server's WebSocket, fake-rtc, fake-media), the debug build its probes.
 */
export interface EngineFactories {
  signalingUrl: string;
  WebSocketImpl?: WebSocketCtor | undefined;
  RTCPeerConnectionImpl?: PeerConnectionCtor | undefined;
  mediaEnv?: Partial<MediaEnv> | undefined;
  createMediaStream?: (() => MediaStream) | undefined;
  meter?: LevelMeter | undefined;
  /**
   * A socket the pre-join page already opened for this person (connecting or open), taken
   * instead of a new one (call-page/socket-handoff.ts); undefined: the engine opens its own.
   */
  takeSignaling?: (() => SignalingClient | undefined) | undefined;
  /** `window.__parleyCall` for this call (development or `?debug`); returns its remover. */
  installDebug?:
    ((call: CallSession, connectionId: () => string | undefined) => () => void) | undefined;
}

export interface EngineOptions {
  roomId: string;
  displayName: string;
  getToken: () => Promise<string>;
  getFreshToken?: ((staleToken: string) => Promise<string>) | undefined;
  onSessionUpdated?: ((user: User) => void) | undefined;
  ice?: Pick<CallSessionOptions, 'iceServers' | 'iceTransportPolicy'> | undefined;
  clock: Clock;
}

/** The engine's three pieces for one call: local media, the socket, the call. */
export interface Engine {
  media: LocalMedia;
  signaling: SignalingClient;
  call: CallSession;
  /** Stops everything: leaves (room.leave while the socket is open), closes, stops devices. */
  dispose(): void;
}

export function openEngine(f: EngineFactories, o: EngineOptions): Engine {
  const media = new LocalMedia({
    displayName: o.displayName,
    env: f.mediaEnv,
    clock: o.clock,
    ...(f.meter ? { meter: f.meter } : {}),
  });
  const signaling =
    f.takeSignaling?.() ??
    new SignalingClient({
      url: f.signalingUrl,
      getToken: o.getToken,
      getFreshToken: o.getFreshToken,
      WebSocketImpl: f.WebSocketImpl,
      clock: o.clock,
    });
  const call = new CallSession({
    signaling,
    roomId: o.roomId,
    media,
    ...o.ice,
    RTCPeerConnectionImpl: f.RTCPeerConnectionImpl,
    createMediaStream: f.createMediaStream,
    clock: o.clock,
    onError: (error, context) => console.warn(`[call] ${context}`, error),
  });
  const offSession = signaling.onSessionUpdated((user) => o.onSessionUpdated?.(user));
  const removeDebug = f.installDebug?.(call, () => signaling.connectionId);
  let disposed = false;
  return {
    media,
    signaling,
    call,
    dispose() {
      if (disposed) return;
      disposed = true;
      offSession();
      call.dispose();
      signaling.close();
      media.stop();
      removeDebug?.();
    },
  };
}

/**
 * My side as the control bar draws it. While the devices are still opening (`opening`) the
 * buttons show what the person chose, not the tracks that have not arrived yet, so a toggle
 * pressed then acts on that choice (the join sends it).
 */
export function readLocal(e: Pick<Engine, 'media' | 'call'>, opening = false): LocalState {
  const { media, call } = e;
  const cameraWanted = media.cameraEnabled;
  const cameraProblem = cameraWanted ? media.cameraProblem : undefined;
  return {
    micOn: media.micEnabled && (media.hasMic || (opening && !media.micProblem)),
    cameraOn: cameraWanted && (media.hasCamera || (opening && !cameraProblem)),
    cameraWanted,
    sharing: media.sharingScreen,
    hasMic: media.hasMic,
    hasCamera: media.hasCamera,
    videoTrack: media.videoTrack,
    screenTrack: media.screenTrack,
    usingPlaceholder: media.usingPlaceholder,
    handRaised: call.handRaised,
    problem: summarizeProblems(media.micProblem, cameraProblem),
    micProblem: media.micProblem,
    cameraProblem,
  };
}

/** The others in the call, in the order they arrived (by `before`), so tiles do not jump. */
export function readRemotes(call: CallSession, before: readonly RemoteTile[]): RemoteTile[] {
  const tiles: RemoteTile[] = [];
  for (const [id, p] of call.participants) {
    tiles.push({
      connectionId: id,
      userId: p.entry.userId,
      name: p.entry.displayName,
      isGuest: p.entry.isGuest,
      role: p.entry.role,
      joinedAt: p.entry.joinedAt,
      audio: p.entry.media.audio,
      video: p.entry.media.video,
      screen: p.entry.media.screen,
      handRaisedAt: p.handRaisedAt,
      videoTrack: p.cameraTrack,
      screenTrack: p.entry.media.screen ? p.screenTrack : undefined,
      audioTrack: p.stream?.getAudioTracks()[0],
      connectionState: p.connectionState,
      health: p.health,
      quality: p.quality,
      stats: p.stats,
    });
  }
  const order = new Map(before.map((r, i) => [r.connectionId, i]));
  return tiles.sort(
    (a, b) => (order.get(a.connectionId) ?? Infinity) - (order.get(b.connectionId) ?? Infinity),
  );
}
