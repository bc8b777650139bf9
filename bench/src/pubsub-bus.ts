/**
 * The bus design Parley did not choose, for bench/src/bus.ts to compare against: Redis
 * pub/sub with one channel per room (`<prefix>room:<roomId>`). A process SUBSCRIBEs to the
 * rooms it holds sockets in, so Redis sends it only those rooms' messages.
 *
 * Minimal on purpose: room messages only (no user/connection channels, no domain events),
 * nothing done about a lost connection (whatever is published while a subscriber is away
 * is gone, which is exactly what the stream bus avoids). It publishes the same envelope as
 * Parley's buses (`envelope()` from the app, serialized once) and uses Parley's own
 * connection settings, so only the transport differs. On the wire a message is the
 * envelope's metadata as JSON, a newline, then the payload as it is (JSON.stringify never
 * writes a raw newline), like the stream's separate `m` and `p` fields: the payload is
 * never escaped into a second JSON string.
 */
import type { ServerMessage } from '@parley/protocol';
import { envelope } from '../../apps/server/src/platform/live/bus.js';
import type { Envelope } from '../../apps/server/src/platform/live/bus.js';
import {
  connect,
  disconnect,
  redisConnection,
} from '../../apps/server/src/platform/live/redis/connection.js';

export type PubSubProcess = {
  toRoom(roomId: string, message: ServerMessage): Promise<void>;
  /** The socket layer's handler, as with `Bus.subscribe`. */
  subscribe(handler: (e: Envelope) => void): () => void;
  /** This process now holds sockets in these rooms: SUBSCRIBE to their channels. */
  join(roomIds: string[]): Promise<void>;
  close(): Promise<void>;
};

/** One process: a command connection that publishes, and a connection in subscriber mode. */
export async function createPubSubProcess(opts: {
  url: string;
  prefix: string;
  onError: (err: unknown) => void;
}): Promise<PubSubProcess> {
  const { url, prefix, onError } = opts;
  const pub = redisConnection(url, 'parley-bench-pub', onError, { keepAlive: true });
  const sub = redisConnection(url, 'parley-bench-sub', onError, { keepAlive: true });
  await connect(pub, url);
  await connect(sub, url);
  const handlers = new Set<(e: Envelope) => void>();
  const channel = (roomId: string) => `${prefix}room:${roomId}`;

  const onMessage = (message: string) => {
    const cut = message.indexOf('\n');
    const meta = JSON.parse(message.slice(0, cut)) as Omit<Envelope, 'payload'>;
    const e: Envelope = { ...meta, payload: message.slice(cut + 1) };
    for (const h of handlers) {
      try {
        h(e);
      } catch (err) {
        onError(err);
      }
    }
  };

  return {
    async toRoom(roomId, message) {
      const { payload, ...meta } = envelope({ kind: 'room', roomId }, message);
      await pub.publish(channel(roomId), `${JSON.stringify(meta)}\n${payload}`);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async join(roomIds) {
      await sub.subscribe(roomIds.map(channel), onMessage);
    },
    async close() {
      handlers.clear();
      await Promise.all([disconnect(sub), disconnect(pub)]);
    },
  };
}
