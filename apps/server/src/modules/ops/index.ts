// The ops module's public face: health and operational routes. Other code imports ops
// only from here (.dependency-cruiser.cjs).
export { opsRoutes } from './routes.js';
export { createLiveReadings } from './live-readings.js';
export type { LiveNow, LiveReadings } from './live-readings.js';
export { createExposition, metricsRoutes } from './metrics-routes.js';
export type { Exposition } from './metrics-routes.js';
export { startMetricsServer } from './metrics-server.js';
export type { MetricsServer } from './metrics-server.js';
export { SAMPLE_INTERVAL_MS, createSampler } from './sampler.js';
export { metricsSummaryRoutes } from './summary-routes.js';
export { createLinkTally } from './link-tally.js';
export type { LinkTally } from './link-tally.js';
