/**
 * What the socket peers (ws-bare, socketio) send, shaped as Parley's messages so every
 * subject writes the same bytes: a roster entry per connection and the `welcome`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { RosterEntry } from '@parley/protocol';

export function newEntry(n: number): RosterEntry {
  return {
    connectionId: `c_${randomBytes(12).toString('base64url')}`,
    userId: randomUUID(),
    displayName: `Bench user ${n}`,
    isGuest: false,
    role: 'participant',
    media: { audio: false, video: false, screen: false, handRaised: false },
    joinedAt: new Date().toISOString(),
    handRaisedAt: null,
  };
}

/** `welcome`'s fields after its type (Socket.IO names the event instead). */
export function welcomeOf(entry: RosterEntry) {
  return {
    connectionId: entry.connectionId,
    userId: entry.userId,
    serverTime: Date.now(),
    heartbeatIntervalMs: 20_000,
    tokenExpiresAt: Date.now() + 900_000,
    resumeToken: randomBytes(18).toString('base64url'),
    resumed: false,
  };
}
