/**
 * Worker thread: the floor. A bare `ws` server with no Fastify, no auth, no schema
 * validation, no rate limit: the URL path is the room, a socket is in it from the upgrade.
 * Each text frame is JSON-parsed, the sender's roster entry gets the new media state, and
 * one `participant.updated` (same shape and size as Parley's) is serialized once and the
 * same string written to every socket of the room, the sender included, as Parley does
 * for `media.update`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { WS_LIMITS } from '@parley/protocol';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { ownThreadId } from './shared.js';
import type { MainToWorker, WorkerToMain } from './shared.js';

const port = parentPort;
if (!port) throw new Error('baseline-server.ts runs as a worker thread');

type Entry = {
  connectionId: string;
  userId: string;
  displayName: string;
  isGuest: boolean;
  role: 'participant';
  media: { audio: boolean; video: boolean; screen: boolean; handRaised: boolean };
  joinedAt: string;
};

const rooms = new Map<string, Set<WebSocket>>();
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  maxPayload: WS_LIMITS.maxPayloadBytes,
});

wss.on('connection', (ws, req) => {
  const roomId = (req.url ?? '/').slice(1);
  let room = rooms.get(roomId);
  if (!room) rooms.set(roomId, (room = new Set()));
  const peers = room;
  peers.add(ws);
  let entry: Entry = {
    connectionId: `c_${randomBytes(12).toString('base64url')}`,
    userId: randomUUID(),
    displayName: `Bench user ${peers.size - 1}`,
    isGuest: false,
    role: 'participant',
    media: { audio: false, video: false, screen: false, handRaised: false },
    joinedAt: new Date().toISOString(),
  };
  ws.send(JSON.stringify({ type: 'welcome', connectionId: entry.connectionId }));
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString('utf8'));
    entry = {
      ...entry,
      media: {
        audio: msg.audio,
        video: msg.video,
        screen: msg.screen,
        handRaised: msg.handRaised ?? entry.media.handRaised,
      },
    };
    const payload = JSON.stringify({ type: 'participant.updated', roomId, participant: entry });
    for (const peer of peers) peer.send(payload);
  });
  ws.once('close', () => {
    peers.delete(ws);
    if (peers.size === 0) rooms.delete(roomId);
  });
});

wss.once('listening', () => {
  port.postMessage({
    type: 'ready',
    tid: ownThreadId(),
    port: (wss.address() as AddressInfo).port,
    tokens: [],
    rooms: {},
  } satisfies WorkerToMain);
});

port.on('message', (msg: MainToWorker) => {
  if (msg.type !== 'close') return;
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => port.postMessage({ type: 'closed' } satisfies WorkerToMain));
});
