// The ice module's public face: GET /api/ice-servers. Its configuration type, TurnConfig,
// lives in platform/config.ts. Other code imports ice only from here.
export { iceRoutes } from './routes.js';
