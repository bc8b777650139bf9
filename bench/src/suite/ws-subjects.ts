/**
 * The three subjects of the socket workloads, started as pinned child processes
 * (proc.ts): Parley's production build on a freshly seeded SQLite file (seed.ts), the bare
 * `ws` ceiling and the Socket.IO peer (peers/). Plus the steps every workload shares:
 * open sockets in waves and say `hello`, join rooms, stop cleanly.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { sig } from '../stats.js';
import { spawnSubject } from './proc.js';
import type { Subject } from './proc.js';
import { parleyArgs, PARLEY_READY, seedParley } from './seed.js';
import type { Seeded } from './seed.js';
import { LoadSocket, assertClean, inWaves } from './ws-load.js';
import type { Wire } from './ws-load.js';

export const WS_SUBJECTS = ['parley', 'ws', 'socketio'] as const;
export type WsSubjectName = (typeof WS_SUBJECTS)[number];

export type WsTarget = {
  name: WsSubjectName;
  proc: Subject;
  wire: Wire;
  wsUrl: string;
  /** One per socket the workload asked for (Parley: real access tokens). */
  tokens: string[];
  /** roomIds[r] is the room of sockets r*roomSize … (r+1)*roomSize-1. */
  roomIds: string[];
  /** Stops the process; sockets still open are told first, so their close is no problem. */
  stop(sockets?: readonly LoadSocket[]): Promise<void>;
};

export type StartOptions = {
  /** Sockets the workload will open (one user each). */
  sockets: number;
  roomSize?: number;
  /** Extra Parley environment (a workload that needs to say why). */
  env?: Record<string, string>;
};

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PEERS: Record<Exclude<WsSubjectName, 'parley'>, string> = {
  ws: fileURLToPath(new URL('./peers/ws-bare.ts', import.meta.url)),
  socketio: fileURLToPath(new URL('./peers/socketio.ts', import.meta.url)),
};
/** Parley's default per-address socket cap (WS_LIMITS.maxConnectionsPerIp). */
const DEFAULT_IP_CAP = 100;

/**
 * True when the built server reads WS_MAX_CONNECTIONS_PER_IP. Without it the 101st bench
 * socket from 127.0.0.1 is closed with 4005 and no figure would mean anything.
 */
export function parleyHasSocketCapSettings(): boolean {
  try {
    const config = readFileSync(
      new URL('../../../apps/server/dist/platform/config.js', import.meta.url),
      'utf8',
    );
    return config.includes('WS_MAX_CONNECTIONS_PER_IP');
  } catch {
    return false;
  }
}

export async function startWsSubject(name: WsSubjectName, opts: StartOptions): Promise<WsTarget> {
  const roomSize = opts.roomSize ?? 0;
  const rooms = roomSize ? Math.ceil(opts.sockets / roomSize) : 0;
  if (name === 'parley') {
    if (opts.sockets > DEFAULT_IP_CAP && !parleyHasSocketCapSettings()) {
      throw new Error(
        `Parley's build (apps/server/dist) does not read WS_MAX_CONNECTIONS_PER_IP: it would ` +
          `refuse bench sockets past ${DEFAULT_IP_CAP} from 127.0.0.1 (4005). Rebuild with the ` +
          'socket-limit settings (`npm run build`); no figure is reported.',
      );
    }
    const seeded: Seeded = await seedParley({ users: opts.sockets, roomSize });
    try {
      const proc = await spawnSubject({
        args: parleyArgs(),
        env: { ...seeded.env, ...opts.env },
        cwd: REPO_ROOT,
        readyPattern: PARLEY_READY,
      });
      return target(
        name,
        proc,
        'json',
        `${proc.url.replace('http', 'ws')}/ws`,
        seeded.tokens,
        seeded.roomIds,
        () => seeded.cleanup(),
      );
    } catch (err) {
      seeded.cleanup();
      throw err;
    }
  }
  const proc = await spawnSubject({ args: ['--import', 'tsx', PEERS[name]], cwd: REPO_ROOT });
  const ws = proc.url.replace('http', 'ws');
  // A token of a real one's length, so `hello` frames are the same size for everyone.
  const tokens = Array.from({ length: opts.sockets }, (_, i) =>
    `bench-token-${i}-`.padEnd(330, 'x'),
  );
  const roomIds = Array.from(
    { length: rooms },
    (_, r) => `00000000-0000-4000-8000-${String(r).padStart(12, '0')}`,
  );
  const url = name === 'ws' ? `${ws}/` : `${ws}/socket.io/?EIO=4&transport=websocket`;
  return target(
    name,
    proc,
    name === 'ws' ? 'json' : 'socketio',
    url,
    tokens,
    roomIds,
    () => undefined,
  );
}

function target(
  name: WsSubjectName,
  proc: Subject,
  wire: Wire,
  wsUrl: string,
  tokens: string[],
  roomIds: string[],
  cleanup: () => void,
): WsTarget {
  return {
    name,
    proc,
    wire,
    wsUrl,
    tokens,
    roomIds,
    async stop(sockets = []) {
      for (const s of sockets) s.expectClose();
      try {
        await proc.stop();
      } finally {
        for (const s of sockets) s.ws.terminate();
        cleanup();
      }
    },
  };
}

/** Opens sockets first…first+n-1 (`width` at a time) and completes `hello` on each. */
export async function connectAndHello(
  t: WsTarget,
  n: number,
  opts: { first?: number; width?: number; urlOf?: (i: number) => string } = {},
): Promise<{ sockets: LoadSocket[]; connectionIds: string[] }> {
  const first = opts.first ?? 0;
  const connectionIds = new Array<string>(n);
  const sockets: LoadSocket[] = [];
  try {
    await inWaves(n, opts.width ?? 50, async (i) => {
      const s = await LoadSocket.open(opts.urlOf?.(first + i) ?? t.wsUrl, t.wire, first + i);
      sockets.push(s);
      const welcome = s.expect('welcome');
      s.send('hello', { token: t.tokens[first + i], protocolVersion: PROTOCOL_VERSION });
      connectionIds[i] = String((await welcome).msg.connectionId);
    });
  } catch (err) {
    // Say why (e.g. 4005) rather than only "timed out".
    assertClean(sockets, `${t.name}: connect + hello`);
    throw err;
  }
  assertClean(sockets, `${t.name}: connect + hello`);
  // Keep the order of the socket indexes (the waves finish out of order).
  sockets.sort((a, b) => a.index - b.index);
  return { sockets, connectionIds };
}

/** Every socket i joins room floor(i / roomSize), one room's sockets after the other. */
export async function joinRooms(
  t: WsTarget,
  sockets: readonly LoadSocket[],
  roomSize: number,
): Promise<void> {
  await inWaves(t.roomIds.length, 20, async (r) => {
    for (let j = r * roomSize; j < Math.min((r + 1) * roomSize, sockets.length); j++) {
      const s = sockets[j]!;
      await s.request('room.join', { roomId: t.roomIds[r], ref: `j${j}` }, 'room.joined');
    }
  });
  assertClean(sockets, `${t.name}: room.join`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Ratio rows: parley against each other subject. */
export function ratiosOf(values: Record<string, number>): Record<string, number> {
  const p = values.parley;
  const out: Record<string, number> = {};
  for (const other of ['ws', 'socketio']) {
    const v = values[other];
    if (p !== undefined && v !== undefined && v !== 0) out[`parley / ${other}`] = sig(p / v);
  }
  return out;
}
