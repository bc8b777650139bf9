/**
 * The typical peer for the socket workloads: a Socket.IO 4 server (WebSocket transport
 * only, no compression) doing Parley's three exchanges the Socket.IO way: `hello` →
 * `welcome`; `room.join` → `socket.join(room)`, `room.joined` with the roster and
 * `participant.joined` to the others; `media.update` → `io.to(room).emit(
 * 'participant.updated')`, the sender included. Same payloads as peers/ws-bare.ts.
 * Prints `listening on 127.0.0.1:PORT` (port 0: any free one).
 */

import type { RosterEntry } from '@parley/protocol';
import { newEntry, welcomeOf } from './payloads.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

/** Parley's own roster entry shape, so the payloads match. */
type Entry = RosterEntry;

/** Roster per room: socket id → entry (the sockets themselves are Socket.IO's rooms). */
const rosters = new Map<string, Map<string, Entry>>();
const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  httpCompression: false,
  maxHttpBufferSize: 64 * 1024,
});
let connections = 0;

io.on('connection', (socket) => {
  const n = connections++;
  let entry: Entry = newEntry(n);
  let roomId: string | undefined;

  socket.on('hello', () => {
    socket.emit('welcome', welcomeOf(entry));
  });
  socket.on('room.join', (msg: { roomId: string; ref?: string }) => {
    roomId = String(msg.roomId);
    let roster = rosters.get(roomId);
    if (!roster) rosters.set(roomId, (roster = new Map()));
    const others = [...roster.values()];
    roster.set(socket.id, entry);
    void socket.join(roomId);
    socket.emit('room.joined', {
      ref: msg.ref,
      roomId,
      self: { connectionId: entry.connectionId, userId: entry.userId, role: 'participant' },
      participants: others,
      serverTime: Date.now(),
    });
    socket.to(roomId).emit('participant.joined', { roomId, participant: entry });
  });
  socket.on(
    'media.update',
    (msg: { audio: boolean; video: boolean; screen: boolean; handRaised?: boolean }) => {
      if (!roomId) return;
      entry = {
        ...entry,
        media: {
          audio: msg.audio,
          video: msg.video,
          screen: msg.screen,
          handRaised: msg.handRaised ?? entry.media.handRaised,
        },
      };
      rosters.get(roomId)?.set(socket.id, entry);
      io.to(roomId).emit('participant.updated', { roomId, participant: entry });
    },
  );
  socket.on('disconnect', () => {
    if (!roomId) return;
    const roster = rosters.get(roomId);
    roster?.delete(socket.id);
    if (roster?.size === 0) rosters.delete(roomId);
  });
});

http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  console.log(`listening on 127.0.0.1:${port}`);
});
process.once('SIGTERM', () => {
  void io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
