// The mirror bot: joins a Parley room as a guest and sends every participant its own camera
// back. A reference client written from packages/protocol/PROTOCOL.md; see README.md.
//
//   npm start -w @parley/bot -- --url http://127.0.0.1:8080 --room abc-defg-hjkm [--name "Mirror bot"] [--password …]
import { parseArgs } from 'node:util';
import type { RTCIceServer } from 'werift';
import { errorText, log } from './log.js';
import { PeerLink } from './peer.js';
import type { MediaState, RosterEntry, SignalPayload } from './protocol.js';
import { Rest } from './rest.js';
import { Signaling } from './signaling.js';

/** What the room sees of us: no microphone, a camera (the mirror), no screen. */
const MEDIA: MediaState = { audio: false, video: true, screen: false };
const STATS_INTERVAL_MS = 5_000;

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    room: { type: 'string' },
    name: { type: 'string', default: 'Mirror bot' },
    password: { type: 'string' },
  },
});
if (!values.room) {
  console.error('usage: --url <server> --room <code or room id> [--name …] [--password …]');
  process.exit(2);
}

const rest = new Rest(values.url);
const links = new Map<string, PeerLink>();
const roster = new Map<string, RosterEntry>();
let iceServers: RTCIceServer[] = [];
let signaling: Signaling | undefined;
let roomId: string | undefined;
let inCall = false;
let inLobby = false;
let ending = false;
const timers: NodeJS.Timeout[] = [];

/** Leaves the call (or the lobby), closes everything and exits. */
async function shutdown(reason: string, code = 0): Promise<never> {
  if (!ending) {
    ending = true;
    for (const t of timers) clearInterval(t);
    for (const link of links.values()) link.close();
    links.clear();
    if (signaling) {
      if (inCall) signaling.send({ type: 'room.leave' });
      else if (inLobby && roomId) await rest.leave(roomId).catch(() => undefined); // withdraw
      await Promise.race([signaling.close(1000), new Promise((r) => setTimeout(r, 2_000))]);
    }
    log('left', { reason });
  }
  process.exit(code);
}

function linkTo(
  entry: Pick<RosterEntry, 'connectionId' | 'displayName'>,
  selfId: string,
): PeerLink {
  const remoteId = entry.connectionId;
  const link: PeerLink = new PeerLink({
    localId: selfId,
    remoteId,
    name: entry.displayName,
    iceServers: () => iceServers,
    send: (payload: SignalPayload) => signaling?.send({ type: 'signal', to: remoteId, ...payload }),
    othersConnected: (): boolean => [...links.values()].some((l) => l !== link && l.connected),
  });
  links.set(remoteId, link);
  return link;
}

function dropLink(connectionId: string): void {
  links.get(connectionId)?.close();
  links.delete(connectionId);
}

/** Keeps the access token alive: a new one at 80 % of its life, given to the socket too. */
function scheduleRefresh(socket: Signaling, refreshToken: string, expiresAt: number): void {
  const delay = Math.max(1_000, (expiresAt - Date.now()) * 0.8);
  const timer = setTimeout(() => {
    void (async () => {
      try {
        const { tokens } = await rest.refresh(refreshToken);
        rest.token = tokens.accessToken;
        const ok = await socket.request(
          { type: 'auth.refresh', token: tokens.accessToken },
          'auth.refreshed',
        );
        log('token-refreshed', { expiresAt: new Date(ok.tokenExpiresAt).toISOString() });
        scheduleRefresh(socket, tokens.refreshToken, ok.tokenExpiresAt);
      } catch (err) {
        log('error', { during: 'token refresh', message: errorText(err) });
      }
    })();
  }, delay);
  timers.push(timer);
}

/** ICE servers (TURN credentials expire): fetched now and again before `ttlSeconds` runs out. */
async function loadIceServers(): Promise<void> {
  const answer = await rest.iceServers();
  iceServers = answer.iceServers;
  const timer = setTimeout(
    () =>
      void loadIceServers().catch((err) =>
        log('error', { during: 'ice-servers', message: errorText(err) }),
      ),
    Math.max(60, answer.ttlSeconds * 0.8) * 1_000,
  );
  timers.push(timer);
}

async function main(): Promise<void> {
  const room = values.room!;
  // 1. A guest account (the same REST call as the web app's "Join as a guest").
  const guest = await rest.guest(values.name);
  rest.token = guest.tokens.accessToken;

  // 2. The socket first, so that an admission from the lobby cannot slip by unheard.
  const socket = new Signaling(values.url);
  signaling = socket;
  void socket.closed.then(({ code, reason }) => {
    if (!ending) {
      log('error', { during: 'socket', message: `closed ${code} ${reason}` });
      void shutdown('socket-closed', 1);
    }
  });
  const welcome = await socket.hello(guest.tokens.accessToken);
  const selfId = welcome.connectionId;
  scheduleRefresh(socket, guest.tokens.refreshToken, welcome.tokenExpiresAt);

  // The room can end, or a host can remove us, at any point from here on; the server has then
  // already taken us out of the call, so there is nothing to leave.
  socket.on('room.closed', (m) => {
    if (m.roomId !== roomId) return;
    inCall = false;
    void shutdown('room-closed');
  });
  socket.on('participant.kicked', (m) => {
    if (m.roomId !== roomId) return;
    inCall = false;
    void shutdown('kicked');
  });

  // 3. Ask to join over REST: approved at once, or wait in the lobby for a host.
  const joined = await rest.join(room, values.password);
  roomId = joined.room.id;
  if (joined.status === 'pending') {
    inLobby = true;
    log('lobby-waiting', { roomId, userId: guest.user.id });
    await new Promise<void>((resolve) => {
      socket.on('lobby.admitted', (m) => {
        if (m.roomId === roomId) resolve();
      });
      socket.on('lobby.denied', (m) => {
        if (m.roomId !== roomId) return;
        inLobby = false;
        void shutdown('denied', 1);
      });
    });
    inLobby = false;
  }

  // 4. ICE servers: a guest gets them only once admitted (or waiting).
  await loadIceServers();

  // 5. The call. Everything below is the engine rules of PROTOCOL.md.
  socket.on('participant.joined', (m) => {
    if (m.roomId !== roomId) return;
    // They are the newcomer: they offer, we answer (the link opens on their offer).
    roster.set(m.participant.connectionId, m.participant);
    log('participant-joined', {
      peer: m.participant.connectionId,
      name: m.participant.displayName,
    });
  });
  socket.on('participant.left', (m) => {
    if (m.roomId !== roomId) return;
    roster.delete(m.connectionId);
    dropLink(m.connectionId);
    log('participant-left', { peer: m.connectionId, reason: m.reason });
  });
  socket.on('signal', (m) => {
    const payload: SignalPayload = m.description
      ? { description: m.description }
      : { candidate: m.candidate ?? null };
    let link = links.get(m.from);
    if (!link) {
      // Only an offer opens a link; a stray candidate or answer opens nothing.
      if (!m.description || m.description.type !== 'offer') return;
      const entry = roster.get(m.from) ?? { connectionId: m.from, displayName: '?' };
      link = linkTo(entry, selfId);
    }
    link.handleSignal(payload);
  });
  socket.on('server.draining', () => log('server-draining'));
  socket.on('moderation.applied', (m) => log('moderation', { action: m.action }));
  socket.on('error', (m) => log('error', { code: m.code, message: m.message }));

  const entered = await socket.request({ type: 'room.join', roomId, media: MEDIA }, 'room.joined');
  inCall = true;
  log('joined', {
    roomId,
    code: entered.room.code,
    connectionId: selfId,
    userId: guest.user.id,
    participants: entered.participants.map((p) => ({ peer: p.connectionId, name: p.displayName })),
  });
  // We are the newcomer: we offer to everyone already in the call.
  for (const p of entered.participants) {
    roster.set(p.connectionId, p);
    linkTo(p, selfId).start();
  }

  timers.push(
    setInterval(() => {
      for (const link of links.values()) {
        log('rtp', {
          peer: link.remoteId,
          name: link.name,
          state: link.connectionState,
          ...link.counters,
        });
      }
    }, STATS_INTERVAL_MS),
  );
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch((err) => {
  log('error', { during: 'start', message: errorText(err) });
  void shutdown('error', 1);
});
