/**
 * The ceiling for the socket workloads: a bare `ws` server (no framework, no auth, no
 * schema checks, no limits) doing Parley's three exchanges with JSON messages of about
 * the same size: `hello` → `welcome`; `room.join` → `room.joined` with the roster and a
 * `participant.joined` to the others; `media.update` → one `participant.updated`,
 * serialized once and written to everyone in the room, the sender included.
 * Rooms are a Map of Sets. Prints `listening on 127.0.0.1:PORT` (port 0: any free one).
 */

import type { RosterEntry } from '@parley/protocol';
import { newEntry, welcomeOf } from './payloads.js';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

/** Parley's own roster entry shape, so the payloads match. */
type Entry = RosterEntry;
type Peer = { ws: WebSocket; entry: Entry; roomId: string | undefined };

const rooms = new Map<string, Set<Peer>>();
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  maxPayload: 64 * 1024,
});
let connections = 0;

wss.on('connection', (ws) => {
  const n = connections++;
  const peer: Peer = {
    ws,
    entry: newEntry(n),
    roomId: undefined,
  };
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString('utf8'));
    switch (msg.type) {
      case 'hello':
        return ws.send(JSON.stringify({ type: 'welcome', ...welcomeOf(peer.entry) }));
      case 'room.join': {
        const roomId = String(msg.roomId);
        let room = rooms.get(roomId);
        if (!room) rooms.set(roomId, (room = new Set()));
        const others = [...room].map((p) => p.entry);
        room.add(peer);
        peer.roomId = roomId;
        ws.send(
          JSON.stringify({
            type: 'room.joined',
            ref: msg.ref,
            roomId,
            self: {
              connectionId: peer.entry.connectionId,
              userId: peer.entry.userId,
              role: 'participant',
            },
            participants: others,
            serverTime: Date.now(),
          }),
        );
        const notice = JSON.stringify({
          type: 'participant.joined',
          roomId,
          participant: peer.entry,
        });
        for (const p of room) if (p !== peer) p.ws.send(notice);
        return;
      }
      case 'media.update': {
        const room = peer.roomId && rooms.get(peer.roomId);
        if (!room) return;
        peer.entry = {
          ...peer.entry,
          media: {
            audio: msg.audio,
            video: msg.video,
            screen: msg.screen,
            handRaised: msg.handRaised ?? peer.entry.media.handRaised,
          },
        };
        const payload = JSON.stringify({
          type: 'participant.updated',
          roomId: peer.roomId,
          participant: peer.entry,
        });
        for (const p of room) p.ws.send(payload);
        return;
      }
    }
  });
  ws.once('close', () => {
    const room = peer.roomId && rooms.get(peer.roomId);
    if (!room) return;
    room.delete(peer);
    if (room.size === 0) rooms.delete(peer.roomId!);
  });
});

wss.once('listening', () => {
  const { port } = wss.address() as AddressInfo;
  console.log(`listening on 127.0.0.1:${port}`);
});
process.once('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => process.exit(0));
});
