/**
 * The few Engine.IO v4 / Socket.IO v5 frames the load generator speaks over a raw `ws`
 * socket (`?EIO=4&transport=websocket`), so the Socket.IO peer is driven by the same client
 * code as the others instead of by socket.io-client, whose own cost would differ.
 *
 * Engine.IO packet = one digit type + data: 0 open, 1 close, 2 ping, 3 pong, 4 message.
 * A Socket.IO packet rides in a message: 0 connect, 1 disconnect, 2 event, 4 connect error,
 * then an optional `/namespace,`, an optional ack id, and the JSON data.
 */
export type SioFrame =
  | { kind: 'open'; data: { sid: string; pingInterval: number; pingTimeout: number } }
  | { kind: 'close' }
  | { kind: 'ping' }
  | { kind: 'pong' }
  | { kind: 'connect'; data: unknown }
  | { kind: 'disconnect' }
  | { kind: 'event'; name: string; data: unknown }
  | { kind: 'connect_error'; data: unknown }
  | { kind: 'unknown'; text: string };

/** Client → server: join the default namespace. */
export const SIO_CONNECT = '40';
export const SIO_PONG = '3';

export function encodeEvent(name: string, data: unknown): string {
  return `42${JSON.stringify([name, data])}`;
}

export function decodeFrame(text: string): SioFrame {
  switch (text.charAt(0)) {
    case '0':
      return { kind: 'open', data: JSON.parse(text.slice(1)) };
    case '1':
      return { kind: 'close' };
    case '2':
      return { kind: 'ping' };
    case '3':
      return { kind: 'pong' };
    case '4':
      return decodeSocketPacket(text.slice(1)) ?? { kind: 'unknown', text };
    default:
      return { kind: 'unknown', text };
  }
}

function decodeSocketPacket(p: string): SioFrame | undefined {
  const type = p.charAt(0);
  let i = 1;
  // Namespace other than "/" is written "/chat," — the bench uses only the default one.
  if (p[i] === '/') {
    const comma = p.indexOf(',', i);
    i = comma < 0 ? p.length : comma + 1;
  }
  while (i < p.length && p.charCodeAt(i) >= 48 && p.charCodeAt(i) <= 57) i++; // ack id
  const body = p.slice(i);
  const data: unknown = body ? JSON.parse(body) : undefined;
  switch (type) {
    case '0':
      return { kind: 'connect', data };
    case '1':
      return { kind: 'disconnect' };
    case '2': {
      if (!Array.isArray(data) || typeof data[0] !== 'string') return undefined;
      return { kind: 'event', name: data[0], data: data[1] };
    }
    case '4':
      return { kind: 'connect_error', data };
    default:
      return undefined;
  }
}
