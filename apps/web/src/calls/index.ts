/**
 * The call engine: plain TypeScript, no Vue. Every browser API is reached through an
 * injectable dependency whose default is the browser's, so tests run in Node with fakes.
 */
export { CallSession } from './call';
export type {
  CallConnection,
  CallEnded,
  CallReaction,
  CallSessionOptions,
  Participant,
  SelfInfo,
} from './call';
export {
  SignalingClient,
  SignalingClosedError,
  HEARTBEAT_TIMEOUT_CODE,
  SIGNED_OUT_REASONS,
  TOKEN_REFRESH,
  isSignedOut,
} from './signaling';
export type {
  SignalingOptions,
  SignalingState,
  SignalingStateInfo,
  WebSocketCtor,
} from './signaling';
export { RoomSession, JoinError } from './room-session';
export type { MediaUpdate, RoomPhase, RoomSignaling } from './room-session';
export {
  PeerLink,
  isPolite,
  classifyRemoteTracks,
  sdpSessionId,
  DISCONNECTED_GRACE_MS,
} from './peer';
export type {
  LinkRole,
  MediaKind,
  NegotiationCounters,
  PeerConnectionCtor,
  PeerLinkOptions,
  RemoteTrack,
  RemoteTracks,
} from './peer';
export { Mesh } from './mesh';
export { SendLimiter, screenLimits } from './send-limits';
export type { VideoLimits } from './send-limits';
export { LinkRepair, REPAIR_BOUND_MS, REPAIR_BOUND_FAST_MS, linkTrouble } from './repair';
export type { LinkHealth, LinkTrouble, RepairStep } from './repair';
export type { LocalTracks, MeshOptions, MeshPeer } from './mesh';
export {
  LocalMedia,
  MUTED_SPEECH,
  MutedSpeechDetector,
  browserMediaEnv,
  classifyMediaError,
  summarizeProblems,
} from './media';
export type {
  AcquireOptions,
  DeviceFallback,
  DeviceList,
  LocalMediaOptions,
  LocalMediaState,
  MediaEnv,
  MediaProblem,
  MediaProblemSummary,
} from './media';
export { MicMeter, levelFromRms, levelFromSamples } from './mic-meter';
export type { LevelMeter, MicMeterEnv } from './mic-meter';
export { createPlaceholderVideo, initialsOf } from './placeholder';
export type { PlaceholderVideo } from './placeholder';
export {
  MIN_PACKETS_FOR_LOSS,
  QUALITY_THRESHOLDS,
  STATS_INTERVAL_MS,
  StatsSampler,
  linkStats,
  qualityOf,
  snapshotFromReport,
} from './stats';
export type { LinkStats, Quality, StatsSamplerOptions, StatsSnapshot } from './stats';
export { bitrateForRoomSize } from './bitrate';
export { DEFAULT_BACKOFF, backoffDelay } from './backoff';
export type { Backoff } from './backoff';
export { ClockOffset, systemClock } from './clock';
export type { Clock, TimerId } from './clock';
export { IceRefresher, loadIceConfig, relayPreference } from './ice';
export type { IceConfig } from './ice';
