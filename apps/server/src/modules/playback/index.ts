// The playback (watch-together) module's public face. Other code imports playback only
// from here (.dependency-cruiser.cjs).
export { createPlaybackService } from './service.js';
export type { PlaybackService, PlaybackServiceDeps } from './service.js';
