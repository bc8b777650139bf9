import {
  ClientMessageType,
  PLAYBACK_LIMITS,
  PROTOCOL_VERSION,
  QUALITY_LIMITS,
  REACTIONS,
  WS_LIMITS,
  parseClientMessage,
} from '@parley/protocol';
import fc from 'fast-check';
import { parsePlainJson } from '../platform/plain-json.js';

/** What one fuzzing connection knows when its frames are drawn. */
export type FrameContext = {
  /** Marks everything this connection's room may see; found anywhere else, it leaked. */
  tag: string;
  ownToken: string;
  ownConnection: string;
  /** Its room, and the other person's connection in it (absent: a lobby guest). */
  roomId: string | undefined;
  peerConnection: string | undefined;
  /** Rooms and connections of other calls: never reachable from here. */
  foreignRooms: string[];
  foreignConnections: string[];
};

/** A frame and how it ends the batch: text is answered; a closer ends the connection. */
export type Frame =
  { kind: 'text'; text: string } | { kind: 'closer'; closer: Closer; data: string | Buffer };
export type Closer = 'binary' | 'oversized' | 'flood';

/** What the server must answer a text frame with, from the edge's own parsers. */
export type Expected =
  | { valid: true; type: ClientMessageType; ref: string | undefined }
  | { valid: false; code: string; ref: string | undefined };

/**
 * The server's verdict on a frame, from the same parsers its edge runs (plain JSON, then
 * the protocol schema) on the text as it arrives (UTF-8 round trip: lone surrogates become
 * U+FFFD). The suite proves the server answers every bad frame and survives every frame;
 * the parsers' own correctness is plain-json.property.test.ts's and the schema tests'.
 */
export function expectedFor(text: string): Expected {
  const frame = parsePlainJson(Buffer.from(text, 'utf8').toString('utf8'));
  if (!frame.ok) return { valid: false, code: 'INVALID_JSON', ref: undefined };
  const parsed = parseClientMessage(frame.value);
  if (!parsed.ok) return { valid: false, code: parsed.code, ref: parsed.ref };
  return { valid: true, type: parsed.message.type, ref: parsed.message.ref };
}

type Msg = Record<string, unknown>;
const MAX = WS_LIMITS.maxPayloadBytes;

const tagged = (ctx: FrameContext, maxLength: number) =>
  fc.string({ maxLength }).map((s) => `${ctx.tag} ${s}`);

/** Mostly short, now and then near the SDP limit: big frames are relayed too. */
const sdp = (ctx: FrameContext) =>
  fc.oneof(
    { weight: 30, arbitrary: tagged(ctx, 400) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1_000, max: WS_LIMITS.maxSdpLength - 200 })
        .map((n) => `v=0 ${ctx.tag} ${'a'.repeat(n)}`),
    },
  );

const media = fc.record(
  { audio: fc.boolean(), video: fc.boolean(), screen: fc.boolean(), handRaised: fc.boolean() },
  { requiredKeys: ['audio', 'video', 'screen'] },
);

/** One valid-looking message of each client type, with ids that mean something here. */
export function messagesByType(ctx: FrameContext): Record<ClientMessageType, fc.Arbitrary<Msg>> {
  const rooms = [...(ctx.roomId ? [ctx.roomId] : []), ...ctx.foreignRooms];
  const targets = [
    ctx.ownConnection,
    ...(ctx.peerConnection ? [ctx.peerConnection] : []),
    ...ctx.foreignConnections,
  ];
  const token = fc.oneof(fc.constant(ctx.ownToken), fc.string({ minLength: 1, maxLength: 300 }));
  const roomId = fc.oneof(fc.constantFrom(...rooms), fc.uuid());
  // The peer most of the time, so real relays happen; strangers and made-up ids too.
  const to = fc.oneof(
    { weight: 3, arbitrary: fc.constant(ctx.peerConnection ?? ctx.ownConnection) },
    { weight: 2, arbitrary: fc.constantFrom(...targets) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 64 }) },
  );
  const candidate = fc.record(
    {
      candidate: tagged(ctx, 200),
      sdpMid: fc.option(fc.string({ maxLength: 8 })),
      sdpMLineIndex: fc.option(fc.integer({ min: 0, max: 8 })),
    },
    { requiredKeys: ['candidate'] },
  );
  const t = <T extends ClientMessageType>(type: T, fields: fc.Arbitrary<Msg> = fc.constant({})) =>
    fields.map((f) => ({ type, ...f }));
  return {
    hello: t(
      'hello',
      fc.record({
        token,
        protocolVersion: fc.constantFrom(PROTOCOL_VERSION, PROTOCOL_VERSION + 1),
      }),
    ),
    'auth.refresh': t('auth.refresh', fc.record({ token })),
    'room.join': t('room.join', fc.record({ roomId, media }, { requiredKeys: ['roomId'] })),
    'room.leave': t('room.leave'),
    signal: t(
      'signal',
      fc.oneof(
        fc.record({
          to,
          description: fc.record({
            type: fc.constantFrom('offer', 'answer', 'pranswer', 'rollback'),
            sdp: sdp(ctx),
          }),
        }),
        fc.record({ to, candidate: fc.option(candidate) }),
      ),
    ),
    'media.update': t('media.update', media),
    ping: t('ping'),
    'chat.send': t('chat.send', fc.record({ text: tagged(ctx, 300) })),
    'chat.typing': t('chat.typing'),
    'playback.set': t(
      'playback.set',
      fc.record({
        source: fc.oneof(
          fc.constant(null),
          fc.webPath().map((p) => ({ kind: 'url', url: `https://media.example/${ctx.tag}${p}` })),
          fc.stringMatching(/^[A-Za-z0-9_-]{11}$/).map((videoId) => ({ kind: 'youtube', videoId })),
        ),
      }),
    ),
    'playback.play': t('playback.play'),
    'playback.pause': t('playback.pause'),
    'playback.seek': t(
      'playback.seek',
      fc.record({ time: fc.double({ min: 0, max: PLAYBACK_LIMITS.maxSeekSeconds, noNaN: true }) }),
    ),
    'playback.rate': t(
      'playback.rate',
      fc.record({
        rate: fc.double({
          min: PLAYBACK_LIMITS.minRate,
          max: PLAYBACK_LIMITS.maxRate,
          noNaN: true,
        }),
      }),
    ),
    'quality.report': t(
      'quality.report',
      fc.record(
        {
          outcome: fc.constantFrom('direct', 'relay', 'failed'),
          firstFrameMs: fc.integer({ min: 0, max: QUALITY_LIMITS.maxFirstFrameMs }),
        },
        { requiredKeys: ['outcome'] },
      ),
    ),
    'reaction.send': t('reaction.send', fc.record({ emoji: fc.constantFrom(...REACTIONS) })),
  };
}

/** JSON text with `insert` (`"key":value`) as the first member of the top-level object. */
const withFirstMember = (json: string, insert: string) =>
  json === '{}' ? `{${insert}}` : `{${insert},${json.slice(1)}`;

/** A string field replaced by one this long, keeping the frame under the payload limit. */
const hugeString = (m: Msg) =>
  fc.integer({ min: 1_000, max: MAX - 400 }).map((n) => {
    const key = Object.keys(m).find((k) => k !== 'type') ?? 'x';
    return JSON.stringify({ ...m, [key]: 'x'.repeat(n) });
  });

const anyValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 20 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** A valid message broken one way: each of these is a bad frame. */
function mutated(message: fc.Arbitrary<Msg>): fc.Arbitrary<string> {
  return message.chain((m) => {
    const keys = Object.keys(m);
    return fc.oneof(
      // A field of the wrong type (or the type itself).
      fc
        .tuple(fc.constantFrom(...keys), anyValue)
        .map(([k, v]) => JSON.stringify({ ...m, [k]: v })),
      // A required field missing.
      fc
        .constantFrom(...keys)
        .map((k) => JSON.stringify(Object.fromEntries(Object.entries(m).filter(([x]) => x !== k)))),
      // An unknown key (strict schemas), a forged sender among them.
      fc
        .oneof(
          fc.constant('from'),
          fc.constant('fromUserId'),
          fc.string({ minLength: 1, maxLength: 12 }),
        )
        .filter((k) => k !== 'ref' && !keys.includes(k))
        .chain((k) =>
          anyValue.map((v) =>
            withFirstMember(JSON.stringify(m), `${JSON.stringify(k)}:${JSON.stringify(v)}`),
          ),
        ),
      // Prototype-pollution gadgets, at the top or nested.
      fc
        .constantFrom(
          '"__proto__":{"polluted":true}',
          '"constructor":{"prototype":{"polluted":true}}',
          '"x":{"__proto__":{"polluted":true}}',
        )
        .map((g) => withFirstMember(JSON.stringify(m), g)),
      // A duplicate key: two parsers might disagree on which one wins.
      fc
        .constantFrom('"type":"ping"', '"type":"room.leave"')
        .map((g) => withFirstMember(JSON.stringify(m), g)),
      // An unknown message type.
      fc
        .oneof(
          fc.constantFrom('room.destroy', 'admin.kick', 'signal ', 'PING'),
          fc.string({ maxLength: 20 }),
        )
        .filter((type) => !(ClientMessageType as readonly string[]).includes(type))
        .map((type) => JSON.stringify({ ...m, type })),
      // Deep nesting in a field (the edge allows 16 levels).
      fc
        .integer({ min: 17, max: 5_000 })
        .map((d) => withFirstMember(JSON.stringify(m), `"deep":${'['.repeat(d)}${']'.repeat(d)}`)),
      // A number no double holds, or no client writes.
      fc
        .constantFrom('1e400', '-1e999', '9'.repeat(40))
        .map((n) => withFirstMember(JSON.stringify(m), `"n":${n}`)),
      // Cut short.
      fc.nat().map((i) => {
        const s = JSON.stringify(m);
        return s.slice(0, i % s.length);
      }),
      // A ref too long or of the wrong type.
      fc
        .oneof(fc.constant('r'.repeat(65)), fc.integer(), fc.constant(''))
        .map((ref) => JSON.stringify({ ...m, ref })),
    );
  });
}

/** Text that is not our protocol at all: any JSON, and not JSON. */
const stranger: fc.Arbitrary<string> = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ type: 'signal', payload: v })),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    '[]',
    '{}',
    'hello?',
    '{"type":',
    '\u0000',
    '{"type":"ping"}garbage',
  ),
);

/** Big frames: a field grown huge, or exactly at the limit (still read, refused by the schema). */
const big = (message: fc.Arbitrary<Msg>): fc.Arbitrary<string> =>
  fc.oneof(
    message.chain(hugeString),
    fc.constant(`{"type":"ping","x":"${'a'.repeat(MAX - '{"type":"ping","x":""}'.length)}"}`),
  );

/** The frames of one batch: valid, mutated and foreign text, in a mix. */
export function textFrame(ctx: FrameContext): fc.Arbitrary<string> {
  const valid = fc.oneof(...Object.values(messagesByType(ctx)));
  // Big frames are a few hundred a run: enough to prove the edge, few enough that memory
  // is measured on the protocol's work rather than on the allocator's churn.
  return fc.oneof(
    { weight: 40, arbitrary: valid.map((m) => JSON.stringify(m)) },
    { weight: 40, arbitrary: mutated(valid) },
    { weight: 19, arbitrary: stranger },
    { weight: 1, arbitrary: big(valid) },
  );
}

/** What ends a connection: a binary frame, one over the limit, or a flood past the rate. */
export const closer: fc.Arbitrary<{ closer: Closer; data: string | Buffer }> = fc.oneof(
  fc
    .uint8Array({ maxLength: 200 })
    .map((b) => ({ closer: 'binary' as const, data: Buffer.from(b) })),
  fc
    .integer({ min: MAX + 1, max: MAX + 4_096 })
    .map((n) => ({ closer: 'oversized' as const, data: 'x'.repeat(n) })),
  fc.constant({ closer: 'flood' as const, data: '{"type":"ping"}' }),
);
