import { describe, expect, it } from 'vitest';
import { CHAT_LIMITS } from './chat.js';
import { ErrorCode } from './errors.js';
import { QUALITY_LIMITS } from './metrics.js';
import { PLAYBACK_LIMITS } from './playback.js';
import { PROTOCOL_VERSION } from './version.js';
import {
  ClientMessage,
  ClientMessageType,
  type ClientSignalMessage,
  ServerMessage,
  ServerMessageType,
  WS_LIMITS,
  WsCloseCode,
  parseClientMessage,
} from './ws.js';

const ROOM = '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12';
const USER = '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11';
const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } as const;
const candidate = {
  candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
};

const validClientMessages = [
  { type: 'hello', token: 'jwt', protocolVersion: PROTOCOL_VERSION, ref: 'h1' },
  {
    type: 'hello',
    token: 'jwt',
    protocolVersion: PROTOCOL_VERSION,
    resume: 'mV7q0b4H3t1xWk2Jr9sZ8fQa',
  },
  { type: 'auth.refresh', token: 'jwt', ref: 'r1' },
  { type: 'room.join', roomId: ROOM },
  { type: 'room.join', roomId: ROOM, media: { audio: true, video: false, screen: false } },
  { type: 'room.leave' },
  { type: 'signal', to: 'c2', description: offer },
  { type: 'signal', to: 'c2', candidate },
  { type: 'signal', to: 'c2', candidate: { candidate: '' } },
  { type: 'signal', to: 'c2', candidate: null },
  { type: 'media.update', audio: true, video: true, screen: false, handRaised: true },
  { type: 'media.update', audio: false, video: false, screen: true },
  { type: 'ping', ref: 'p-1' },
  { type: 'chat.send', text: 'Hello\n\tworld', ref: 'c1' },
  { type: 'chat.typing' },
  { type: 'playback.set', source: { kind: 'url', url: 'https://media.example.org/a.mp4' } },
  { type: 'playback.set', source: { kind: 'youtube', videoId: 'dQw4w9WgXcQ' } },
  { type: 'playback.set', source: null },
  { type: 'playback.play', ref: 'pl' },
  { type: 'playback.pause' },
  { type: 'playback.seek', time: 0 },
  { type: 'playback.seek', time: 12.5 },
  { type: 'playback.rate', rate: 0.25 },
  { type: 'playback.rate', rate: 2 },
  { type: 'quality.report', outcome: 'direct', firstFrameMs: 0, ref: 'q1' },
  { type: 'quality.report', outcome: 'relay', firstFrameMs: QUALITY_LIMITS.maxFirstFrameMs },
  { type: 'quality.report', outcome: 'failed' },
  { type: 'reaction.send', emoji: '👏', ref: 'x1' },
  { type: 'reaction.send', emoji: '❤️' },
  {
    type: 'room.join',
    roomId: ROOM,
    media: { audio: true, video: true, screen: false, handRaised: true },
  },
];

describe('client messages', () => {
  it.each(validClientMessages)('accept a valid $type', (msg) => {
    expect(ClientMessage.parse(msg)).toEqual(msg);
  });

  it('cover every listed client type with a valid example', () => {
    expect(new Set(validClientMessages.map((m) => m.type))).toEqual(new Set(ClientMessageType));
  });

  it('reject a signal with both description and candidate', () => {
    const r = ClientMessage.safeParse({ type: 'signal', to: 'c2', description: offer, candidate });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toContain(
      'Send exactly one of description or candidate',
    );
  });

  it('type a signal as carrying exactly one payload', () => {
    const ok: ClientSignalMessage = { type: 'signal', to: 'c2', candidate: null };
    // @ts-expect-error both payloads at once is not a ClientSignalMessage
    const both: ClientSignalMessage = { type: 'signal', to: 'c2', description: offer, candidate };
    expect(ClientMessage.safeParse(ok).success).toBe(true);
    expect(ClientMessage.safeParse(both).success).toBe(false);
  });

  it('reject a signal with neither description nor candidate', () => {
    expect(ClientMessage.safeParse({ type: 'signal', to: 'c2' }).success).toBe(false);
  });

  it('reject a signal that names its own sender', () => {
    const r = ClientMessage.safeParse({ type: 'signal', to: 'c2', from: 'c9', description: offer });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['from'] });
  });

  it('reject unknown keys inside nested objects and a __proto__ key', () => {
    expect(
      ClientMessage.safeParse({ type: 'signal', to: 'c2', description: { ...offer, x: 1 } })
        .success,
    ).toBe(false);
    expect(ClientMessage.safeParse(JSON.parse('{"type":"ping","__proto__":{"a":1}}')).success).toBe(
      false,
    );
  });

  it('reject a reaction that is not on the list, or that names its sender or room', () => {
    const reaction = (extra: object) => ({ type: 'reaction.send', emoji: '👍', ...extra });
    for (const bad of [
      reaction({ emoji: '💩' }),
      reaction({ emoji: '' }),
      reaction({ emoji: '👍👍' }),
      reaction({ userId: USER }),
      reaction({ roomId: ROOM }),
      { type: 'reaction.send' },
    ]) {
      expect(parseClientMessage(bad)).toMatchObject({ ok: false, code: 'INVALID_MESSAGE' });
    }
  });

  it('reject a quality report with an unknown outcome, a fractional, negative or too large first-frame time', () => {
    const report = (extra: object) => ({ type: 'quality.report', outcome: 'direct', ...extra });
    for (const bad of [
      report({ outcome: 'turn' }),
      report({ firstFrameMs: 12.5 }),
      report({ firstFrameMs: -1 }),
      report({ firstFrameMs: QUALITY_LIMITS.maxFirstFrameMs + 1 }),
      report({ userId: 'someone-else' }),
    ]) {
      expect(ClientMessage.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('reject an unknown type', () => {
    expect(ClientMessage.safeParse({ type: 'room.destroy', roomId: ROOM }).success).toBe(false);
  });

  it('reject an SDP over the size limit, a bad description type and a long ref', () => {
    const big = { type: 'offer', sdp: 'a'.repeat(WS_LIMITS.maxSdpLength + 1) };
    expect(ClientMessage.safeParse({ type: 'signal', to: 'c2', description: big }).success).toBe(
      false,
    );
    const weird = { type: 'weird', sdp: '' };
    expect(ClientMessage.safeParse({ type: 'signal', to: 'c2', description: weird }).success).toBe(
      false,
    );
    expect(ClientMessage.safeParse({ type: 'ping', ref: 'r'.repeat(65) }).success).toBe(false);
  });

  it('reject a hello without a token or with a non-integer version', () => {
    expect(ClientMessage.safeParse({ type: 'hello', protocolVersion: 1 }).success).toBe(false);
    expect(
      ClientMessage.safeParse({ type: 'hello', token: 't', protocolVersion: 1, resume: 'short' })
        .success,
    ).toBe(false);
    expect(
      ClientMessage.safeParse({ type: 'hello', token: 't', protocolVersion: 1.5 }).success,
    ).toBe(false);
  });

  it('reject a room.join with a room code instead of a room id', () => {
    expect(ClientMessage.safeParse({ type: 'room.join', roomId: 'abc-defg-hjkm' }).success).toBe(
      false,
    );
  });
});

describe('chat messages from clients', () => {
  const send = (text: unknown, extra: Record<string, unknown> = {}) =>
    ClientMessage.safeParse({ type: 'chat.send', text, ...extra });

  it('trim the text and turn CRLF and CR into LF', () => {
    expect(send('  hi there \r\nsecond\rthird  ').data).toEqual({
      type: 'chat.send',
      text: 'hi there \nsecond\nthird',
    });
  });

  it('accept exactly 2000 characters after trimming and reject 2001', () => {
    expect(send(' ' + 'a'.repeat(CHAT_LIMITS.maxTextLength) + ' ').success).toBe(true);
    const long = send('a'.repeat(CHAT_LIMITS.maxTextLength + 1));
    expect(long.success).toBe(false);
    expect(long.error?.issues[0]).toMatchObject({ code: 'too_big', path: ['text'] });
  });

  it('reject empty and whitespace-only text', () => {
    expect(send('').success).toBe(false);
    expect(send(' \n\t ').success).toBe(false);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['escape', 'a\u001b[31mred'],
    ['backspace', 'abc\u0008'],
    ['C1 control', 'a\u0085b'],
    ['DEL', 'a\u007fb'],
    ['a lone surrogate', 'a\ud800b'],
  ])('reject text with %s', (_name, text) => {
    expect(send(text).success).toBe(false);
  });

  it('keep emoji, other scripts and markup-looking text as they are', () => {
    const text = 'Zoë 🎥 שלום <script>alert(1)</script> &amp;';
    expect(send(text).data).toMatchObject({ text });
  });

  it('reject a chat.send that names its sender or its room', () => {
    for (const forged of [
      { userId: USER },
      { displayName: 'Admin' },
      { roomId: ROOM },
      { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    ]) {
      const r = send('hi', forged);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys' });
    }
    expect(ClientMessage.safeParse({ type: 'chat.typing', userId: USER }).success).toBe(false);
  });
});

describe('playback commands from clients', () => {
  const set = (source: unknown) => ClientMessage.safeParse({ type: 'playback.set', source });

  it.each([
    'javascript:alert(1)',
    'data:video/mp4;base64,AAAA',
    'file:///etc/passwd',
    'ftp://example.org/a.mp4',
    '//example.org/a.mp4',
    '/relative.mp4',
    'https://user:pass@example.org/a.mp4',
    'https://example.org/a b.mp4',
    'https://exa\nmple.org/a.mp4',
    'http://',
    '',
  ])('reject the URL %j', (url) => {
    expect(set({ kind: 'url', url }).success).toBe(false);
  });

  it('accept an http(s) URL up to 2048 characters and reject a longer one', () => {
    const base = 'https://example.org/';
    const max = base + 'a'.repeat(PLAYBACK_LIMITS.maxUrlLength - base.length);
    expect(set({ kind: 'url', url: max }).success).toBe(true);
    expect(set({ kind: 'url', url: max + 'a' }).success).toBe(false);
    expect(set({ kind: 'url', url: 'http://192.0.2.1:8080/v.webm?t=1#x' }).success).toBe(true);
  });

  it.each(['dQw4w9WgXc', 'dQw4w9WgXcQQ', 'dQw4w9WgX/Q', 'dQw4w9WgX Q', ''])(
    'reject the YouTube id %j',
    (videoId) => {
      expect(set({ kind: 'youtube', videoId }).success).toBe(false);
    },
  );

  it('reject a source with an unknown kind, extra keys, or left out instead of null', () => {
    expect(set({ kind: 'vimeo', id: '1' }).success).toBe(false);
    expect(set({ kind: 'youtube', videoId: 'dQw4w9WgXcQ', autoplay: true }).success).toBe(false);
    expect(ClientMessage.safeParse({ type: 'playback.set' }).success).toBe(false);
  });

  it('reject negative, non-finite, huge or missing seek times', () => {
    for (const time of [-0.1, Infinity, NaN, PLAYBACK_LIMITS.maxSeekSeconds + 1, '5', undefined]) {
      expect(ClientMessage.safeParse({ type: 'playback.seek', time }).success).toBe(false);
    }
  });

  it('reject rates outside 0.25..2', () => {
    for (const rate of [0.24, 2.01, 0, -1, Infinity]) {
      expect(ClientMessage.safeParse({ type: 'playback.rate', rate }).success).toBe(false);
    }
  });

  it('reject a playback command that names who sent it', () => {
    expect(ClientMessage.safeParse({ type: 'playback.play', by: USER }).success).toBe(false);
  });
});

describe('parseClientMessage', () => {
  it('returns the typed message when valid', () => {
    const r = parseClientMessage({ type: 'ping' });
    expect(r).toEqual({ ok: true, message: { type: 'ping' } });
  });

  it('says UNKNOWN_MESSAGE_TYPE for an unknown type and echoes a valid ref', () => {
    const r = parseClientMessage({ type: 'nope', ref: 'r1' });
    expect(r).toMatchObject({ ok: false, code: ErrorCode.UNKNOWN_MESSAGE_TYPE, ref: 'r1' });
  });

  it('says INVALID_MESSAGE for a known type with a bad body, with the failing path', () => {
    const r = parseClientMessage({ type: 'room.join', roomId: 'x', ref: 'r2' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(ErrorCode.INVALID_MESSAGE);
    expect(r.ref).toBe('r2');
    expect(Object.keys(r.fields)).toEqual(['roomId']);
  });

  it('files whole-message problems (forged from, both payloads) under `message`', () => {
    const r = parseClientMessage({ type: 'signal', to: 'c2', from: 'c9', description: offer });
    expect(r).toMatchObject({ ok: false, code: ErrorCode.INVALID_MESSAGE });
    if (r.ok) return;
    expect(Object.keys(r.fields)).toEqual(['message']);
  });

  it('says INVALID_MESSAGE for non-objects and drops an invalid ref', () => {
    expect(parseClientMessage('ping')).toMatchObject({ ok: false, code: 'INVALID_MESSAGE' });
    expect(parseClientMessage([{ type: 'ping' }])).toMatchObject({ code: 'INVALID_MESSAGE' });
    expect(parseClientMessage({ ref: 'r3' })).toMatchObject({ code: 'INVALID_MESSAGE' });
    expect(parseClientMessage({ type: 'nope', ref: 42 })).toMatchObject({ ref: undefined });
  });
});

const roster = {
  connectionId: 'c1',
  userId: USER,
  displayName: 'Ada',
  isGuest: false,
  role: 'host',
  media: { audio: true, video: true, screen: false, handRaised: false },
  joinedAt: '2025-01-01T10:00:00.000Z',
  handRaisedAt: null,
};
const summary = {
  id: ROOM,
  code: 'abc-defg-hjkm',
  name: 'Weekly sync',
  visibility: 'private',
  entry: 'approval',
  chatEnabled: true,
  maxParticipants: 12,
  locked: false,
  status: 'open',
  hostId: USER,
  hostDisplayName: 'Ada',
  createdAt: '2025-01-01T10:00:00.000Z',
  closedAt: null,
  participantCount: 1,
  kind: 'meeting',
  instant: false,
  meetingStartedAt: '2025-01-01T10:00:00.000Z',
};
const lobbyUser = { id: USER, displayName: 'Guest', isGuest: true };
const chatMessage = {
  id: '01JGZ7K3Q4M5N6P7R8S9T0VWXY',
  seq: 1,
  roomId: ROOM,
  userId: USER,
  displayName: 'Ada',
  text: '<b>not bold</b>',
  sentAt: '2025-01-01T10:00:00.000Z',
};
const playback = {
  source: { kind: 'url', url: 'https://media.example.org/a.mp4' },
  playing: true,
  position: 10,
  updatedAt: 1_700_000_000_000,
  rate: 1,
  version: 3,
};

const OTHER = '9d2f3c4b-1a2b-4c3d-8e4f-5a6b7c8d9e0f';
const ringing = {
  id: '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
  caller: { id: USER, displayName: 'Ada' },
  callee: { id: OTHER, displayName: 'Grace' },
  media: 'video',
  state: 'ringing',
  direction: 'incoming',
  room: null,
  createdAt: '2025-01-01T10:00:00.000Z',
  answeredAt: null,
  connectedAt: null,
  endedAt: null,
  durationSeconds: null,
  endedBy: null,
  endReason: null,
  missedUnseen: false,
};
const accepted = {
  ...ringing,
  state: 'accepted',
  direction: 'outgoing',
  room: { id: ROOM, code: 'abc-defg-hjkm' },
  answeredAt: '2025-01-01T10:00:05.000Z',
};
const ended = {
  ...accepted,
  state: 'ended',
  room: null,
  connectedAt: '2025-01-01T10:00:07.000Z',
  endedAt: '2025-01-01T10:03:07.000Z',
  durationSeconds: 180,
  endedBy: OTHER,
  endReason: 'hangup',
};

const validServerMessages = [
  {
    type: 'welcome',
    connectionId: 'c1',
    userId: USER,
    serverTime: 1,
    heartbeatIntervalMs: 20000,
    tokenExpiresAt: 900_001,
    resumeToken: 'mV7q0b4H3t1xWk2Jr9sZ8fQa',
    resumed: true,
  },
  { type: 'auth.refreshed', ref: 'r1', tokenExpiresAt: 1_800_001 },
  {
    type: 'session.updated',
    user: {
      id: USER,
      email: 'ada@example.org',
      displayName: 'Ada',
      role: 'provider',
      isGuest: false,
      createdAt: '2025-01-01T10:00:00.000Z',
      lastSeenAt: null,
    },
  },
  {
    type: 'room.joined',
    ref: 'j1',
    roomId: ROOM,
    room: summary,
    self: { connectionId: 'c1', userId: USER, role: 'host' },
    participants: [{ ...roster, connectionId: 'c2', role: 'participant' }],
    lobby: [{ user: lobbyUser, requestedAt: '2025-01-01T10:00:00.000Z' }],
    chat: [chatMessage],
    playback,
    serverTime: 1_700_000_005_000,
    spotlight: 'c2',
  },
  { type: 'participant.joined', roomId: ROOM, participant: roster },
  { type: 'participant.left', roomId: ROOM, connectionId: 'c1', userId: USER, reason: 'timeout' },
  { type: 'participant.updated', roomId: ROOM, participant: roster },
  {
    type: 'participant.updated',
    roomId: ROOM,
    participant: {
      ...roster,
      media: { ...roster.media, handRaised: true },
      handRaisedAt: '2025-01-01T10:04:00.000Z',
    },
  },
  { type: 'signal', from: 'c1', fromUserId: USER, description: offer },
  { type: 'signal', from: 'c1', fromUserId: USER, candidate: null },
  {
    type: 'lobby.requested',
    roomId: ROOM,
    user: lobbyUser,
    requestedAt: '2025-01-01T10:00:00.000Z',
  },
  { type: 'lobby.cancelled', roomId: ROOM, userId: USER },
  { type: 'lobby.resolved', roomId: ROOM, userId: USER, outcome: 'admitted' },
  { type: 'lobby.admitted', roomId: ROOM },
  { type: 'lobby.denied', roomId: ROOM, reason: 'denied' },
  { type: 'lobby.denied', roomId: ROOM, reason: 'invite-revoked' },
  { type: 'participant.kicked', roomId: ROOM },
  { type: 'room.closed', roomId: ROOM, reason: 'ended' },
  { type: 'room.updated', roomId: ROOM, room: summary },
  { type: 'pong', serverTime: 1_700_000_000_000, ref: 'p-1' },
  { type: 'quality.recorded', ref: 'q-1' },
  {
    type: 'moderation.applied',
    roomId: ROOM,
    action: 'mute',
    by: { id: USER, displayName: 'Ada' },
  },
  {
    type: 'moderation.applied',
    roomId: ROOM,
    action: 'lower-hand',
    by: { id: USER, displayName: 'Ada' },
  },
  {
    type: 'moderation.granted',
    roomId: ROOM,
    role: 'cohost',
    reason: 'handover',
    lobby: [{ user: lobbyUser, requestedAt: '2025-01-01T10:00:00.000Z' }],
  },
  { type: 'moderation.granted', roomId: ROOM, role: 'cohost', reason: 'promoted', lobby: [] },
  {
    type: 'room.spotlight',
    roomId: ROOM,
    connectionId: 'c2',
    by: { id: USER, displayName: 'Ada' },
  },
  {
    type: 'room.spotlight',
    roomId: ROOM,
    connectionId: null,
    by: { id: USER, displayName: 'Ada' },
  },
  { type: 'reaction', roomId: ROOM, connectionId: 'c2', userId: USER, emoji: '🎉' },
  { type: 'reaction', ref: 'x1', roomId: ROOM, connectionId: 'c2', userId: USER, emoji: '👍' },
  { type: 'error', code: ErrorCode.TARGET_NOT_FOUND, message: 'No such peer.', ref: 's1' },
  { type: 'server.draining' },
  { type: 'chat.message', ...chatMessage },
  { type: 'chat.message', ref: 'c1', ...chatMessage },
  { type: 'chat.typing', roomId: ROOM, userId: USER, displayName: 'Ada' },
  {
    type: 'playback.state',
    ref: 'pl',
    roomId: ROOM,
    state: playback,
    serverTime: 1_700_000_005_000,
    by: USER,
  },
  {
    type: 'playback.state',
    roomId: ROOM,
    state: { ...playback, source: { kind: 'youtube', videoId: 'dQw4w9WgXcQ' }, playing: false },
    serverTime: 1_700_000_005_000,
    by: USER,
  },
  { type: 'call.incoming', call: ringing },
  { type: 'call.accepted', call: accepted },
  { type: 'call.answered-elsewhere', call: { ...accepted, direction: 'incoming' } },
  { type: 'call.rejected', call: { ...ringing, state: 'rejected', endedAt: ringing.createdAt } },
  { type: 'call.cancelled', call: { ...ringing, state: 'cancelled', endedBy: USER } },
  { type: 'call.missed', call: { ...ringing, state: 'missed', missedUnseen: true } },
  { type: 'call.busy', call: { ...ringing, state: 'busy', direction: 'outgoing' } },
  { type: 'call.ended', call: ended },
  {
    type: 'presence.changed',
    userId: OTHER,
    presence: { online: false, lastSeenAt: '2025-01-01T10:05:00.000Z', doNotDisturb: false },
  },
  {
    type: 'appointment.updated',
    appointment: {
      id: ROOM,
      title: 'Weekly session',
      provider: { id: USER, displayName: 'Dr Ada' },
      client: { id: OTHER, displayName: 'Grace' },
      startsAt: '2025-01-01T10:00:00.000Z',
      endsAt: '2025-01-01T10:50:00.000Z',
      durationMinutes: 50,
      status: 'confirmed',
      paymentStatus: 'paid',
      notes: null,
      myRole: 'client',
      opensAt: '2025-01-01T09:45:00.000Z',
      closesAt: '2025-01-01T12:00:00.000Z',
      room: null,
      cancelledAt: null,
      cancelledBy: null,
      cancelReason: null,
      callStartedAt: null,
      callEndedAt: null,
      callDurationSeconds: null,
      callDurationMinutes: null,
      providerJoinedAt: null,
      clientJoinedAt: null,
      createdAt: '2024-12-20T09:00:00.000Z',
      updatedAt: '2024-12-21T09:00:00.000Z',
    },
  },
];

describe('server messages', () => {
  it.each(validServerMessages)('accept a valid $type', (msg) => {
    expect(ServerMessage.parse(msg)).toEqual(msg);
  });

  it('refuse a call notice whose call is not a valid Call', () => {
    for (const call of [
      { ...ringing, state: 'on-hold' },
      { ...ended, durationSeconds: -1 },
      { ...accepted, room: { id: ROOM, code: 'not a code' } },
      { ...ringing, caller: { id: 'nope', displayName: 'Ada' } },
    ]) {
      expect(ServerMessage.safeParse({ type: 'call.incoming', call }).success).toBe(false);
    }
  });

  it('cover every listed server type with a valid example', () => {
    expect(new Set(validServerMessages.map((m) => m.type))).toEqual(new Set(ServerMessageType));
  });

  it('require the server-set sender on a relayed signal', () => {
    expect(ServerMessage.safeParse({ type: 'signal', description: offer }).success).toBe(false);
    expect(
      ServerMessage.safeParse({
        type: 'signal',
        from: 'c1',
        fromUserId: USER,
        description: offer,
        candidate,
      }).success,
    ).toBe(false);
  });

  it('let a client ignore fields a newer server adds', () => {
    const r = ServerMessage.parse({ type: 'lobby.admitted', roomId: ROOM, future: true });
    expect(r).toEqual({ type: 'lobby.admitted', roomId: ROOM });
  });

  it('read a room.joined without chat, playback, serverTime and spotlight as an empty tail, no video and no spotlight', () => {
    const {
      chat: _c,
      playback: _p,
      serverTime: _t,
      spotlight: _s,
      ...older
    } = validServerMessages.find((m) => m.type === 'room.joined') as Record<string, unknown>;
    expect(ServerMessage.parse(older)).toMatchObject({
      type: 'room.joined',
      chat: [],
      playback: { source: null, playing: false, position: 0, version: 0 },
      serverTime: 0,
      spotlight: null,
    });
  });

  it('read an older roster entry and room summary without the meeting fields as hand down, persistent, no meeting', () => {
    const { handRaisedAt: _h, ...entry } = roster;
    const { instant: _i, meetingStartedAt: _m, ...room } = summary;
    expect(
      ServerMessage.parse({ type: 'participant.joined', roomId: ROOM, participant: entry }),
    ).toMatchObject({
      participant: { handRaisedAt: null },
    });
    expect(ServerMessage.parse({ type: 'room.updated', roomId: ROOM, room })).toMatchObject({
      room: { instant: false, meetingStartedAt: null },
    });
    expect(ServerMessage.parse({ type: 'lobby.denied', roomId: ROOM })).toEqual({
      type: 'lobby.denied',
      roomId: ROOM,
      reason: 'denied',
    });
  });

  it('reject an unknown participant.left reason', () => {
    const msg = { type: 'participant.left', roomId: ROOM, connectionId: 'c1', userId: USER };
    expect(ServerMessage.safeParse({ ...msg, reason: 'vanished' }).success).toBe(false);
  });
});

describe('limits and close codes', () => {
  it('keep the heartbeat inside the dead-after window and the SDP inside a frame', () => {
    expect(WS_LIMITS.heartbeatIntervalMs * 2).toBeLessThan(WS_LIMITS.deadAfterMs);
    expect(WS_LIMITS.maxSdpLength).toBeLessThan(WS_LIMITS.maxPayloadBytes);
    expect(WS_LIMITS.burst).toBeGreaterThanOrEqual(WS_LIMITS.messagesPerSecond);
  });

  it('use distinct close codes, application ones in the 4000 range', () => {
    const codes = Object.values(WsCloseCode);
    expect(new Set(codes).size).toBe(codes.length);
    const { NORMAL, SERVICE_RESTART, UNSUPPORTED_DATA, MESSAGE_TOO_BIG, INTERNAL_ERROR, ...app } =
      WsCloseCode;
    expect([NORMAL, SERVICE_RESTART, UNSUPPORTED_DATA, MESSAGE_TOO_BIG, INTERNAL_ERROR]).toEqual([
      1000, 1012, 1003, 1009, 1011,
    ]);
    for (const code of Object.values(app)) {
      expect(code).toBeGreaterThanOrEqual(4000);
      expect(code).toBeLessThan(5000);
    }
  });
});
