// The ops module's public face: health and operational routes. Other code imports ops
// only from here (.dependency-cruiser.cjs).
export { opsRoutes } from './routes.js';
