/** Bumped on any incompatible change to a WebSocket message; clients send it in `hello`. */
export const PROTOCOL_VERSION = 1;
