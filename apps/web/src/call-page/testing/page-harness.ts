import type { ParticipantRole, Room } from '@parley/protocol';
import { afterEach, beforeEach, vi } from 'vitest';
import { systemClock } from '../../calls';
import { FakeCanvas, FakeMediaDevices, createFakeStream } from '../../calls/testing/fake-media';
import { fakePeerConnectionFactory } from '../../calls/testing/fake-rtc';
import { FakeServer, ROOM_ID, roomSummary, userIdFor } from '../../calls/testing/fake-server';
import { settle } from '../../calls/testing/settle';
import { createCallPage } from '../model';
import type { CallPageApi, CallPageDeps, CallPagePrefs } from '../model';

// A call page on the engine's fakes: the fake server's sockets, fake peer connections and
// devices, a recording API and router. Time is the global clock: tests use vi.useFakeTimers().

export const CODE = roomSummary().code;

export function roomFor(myRole: ParticipantRole | null = null): Room {
  return { ...roomSummary(), myStatus: 'approved', myRole };
}

/** The REST routes, each a mock that answers at once (tests replace answers as they need). */
export function fakeApi() {
  return {
    getRoom: vi.fn<CallPageApi['getRoom']>(() => Promise.resolve({ room: roomFor() })),
    iceServers: vi.fn<CallPageApi['iceServers']>(() =>
      Promise.resolve({ iceServers: [{ urls: ['stun:stun.test:3478'] }], ttlSeconds: 600 }),
    ),
    decide: vi.fn<CallPageApi['decide']>(() => Promise.resolve({})),
    mute: vi.fn<CallPageApi['mute']>(() => Promise.resolve({})),
    muteAll: vi.fn<CallPageApi['muteAll']>(() => Promise.resolve({ muted: 2 })),
    lowerHand: vi.fn<CallPageApi['lowerHand']>(() => Promise.resolve({})),
    spotlight: vi.fn<CallPageApi['spotlight']>(() => Promise.resolve(undefined)),
    end: vi.fn<CallPageApi['end']>(() => Promise.resolve(undefined)),
  } satisfies CallPageApi;
}

export interface PageOptions {
  /** What the pre-join page handed over; `null` for a reload (the page asks the server). */
  handed?: { role: ParticipantRole } | null;
  overrides?: Partial<CallPageDeps>;
  /** Merged into the engine's factories (the fakes). */
  engine?: Partial<CallPageDeps['engine']>;
  prefs?: Partial<CallPagePrefs>;
}

export function openPage(server: FakeServer, name: string, o: PageOptions = {}) {
  const devices = new FakeMediaDevices();
  const rtc = fakePeerConnectionFactory();
  const api = fakeApi();
  const navigate = vi.fn<CallPageDeps['navigate']>();
  const focus = vi.fn<(testid: string) => void>();
  const knock = vi.fn<() => void>();
  const onAccountDisabled = vi.fn<() => void>();
  /** The microphone's level as the engine's meter reads it (0..1). */
  const mic = { level: 0 };
  const auth = {
    user: { id: userIdFor(name), displayName: name, isGuest: false },
    getToken: () => Promise.resolve(name),
    getFreshToken: () => Promise.resolve(name),
    adoptUser: vi.fn(),
    logout: vi.fn(() => Promise.resolve()),
  };
  const handed = o.handed === undefined ? { role: 'participant' as const } : o.handed;
  const prefs: CallPagePrefs = {
    micOn: true,
    cameraOn: true,
    audioInputId: '',
    videoInputId: '',
    audioOutputId: '',
    joined: handed && { room: roomFor(handed.role), role: handed.role },
    directStart: null,
    ...o.prefs,
  };
  const stored = new Map<string, string>();
  const storage = {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => void stored.set(k, v),
    removeItem: (k: string) => void stored.delete(k),
  };
  const page = createCallPage({
    code: CODE,
    api,
    auth,
    prefs,
    navigate,
    clock: systemClock,
    storage,
    layoutStorage: storage,
    search: '',
    canShare: true,
    focus,
    knock,
    onAccountDisabled,
    engine: {
      signalingUrl: 'ws://test/ws',
      WebSocketImpl: server.WebSocket,
      RTCPeerConnectionImpl: rtc.ctor,
      createMediaStream: () => createFakeStream(),
      meter: { setTrack: () => undefined, level: () => mic.level, close: () => undefined },
      mediaEnv: {
        getUserMedia: devices.getUserMedia,
        getDisplayMedia: devices.getDisplayMedia,
        enumerateDevices: devices.enumerateDevices,
        createMediaStream: createFakeStream,
        createCanvas: () => new FakeCanvas() as unknown as HTMLCanvasElement,
        createAudioContext: () => undefined,
        onDeviceChange: devices.onDeviceChange,
      },
      ...o.engine,
    },
    ...o.overrides,
  });
  const changes = vi.fn<() => void>();
  page.subscribe(changes);
  return {
    name,
    page,
    api,
    navigate,
    focus,
    knock,
    onAccountDisabled,
    auth,
    prefs,
    devices,
    mic,
    storage: stored,
    changes,
    userId: userIdFor(name),
    get view() {
      return page.view;
    },
  };
}

export type TestPage = ReturnType<typeof openPage>;

/**
 * The usual set-up of a page test file (call it once, at its top level): fake timers and a
 * new fake server for every test, and every page opened by `page()` disposed after it.
 * Read the server through the returned object: it is the running test's own.
 */
export function pageHarness() {
  let server: FakeServer | undefined;
  const pages: TestPage[] = [];
  beforeEach(() => {
    vi.useFakeTimers();
    server = new FakeServer();
  });
  afterEach(() => {
    for (const p of pages.splice(0)) p.page.dispose();
    vi.useRealTimers();
  });
  const current = (): FakeServer => {
    if (!server) throw new Error('pageHarness: no server outside a test');
    return server;
  };
  return {
    get server(): FakeServer {
      return current();
    },
    /** Opens a page on this test's server; it is disposed after the test. */
    page: (name: string, o?: PageOptions): TestPage => {
      const p = openPage(current(), name, o);
      pages.push(p);
      return p;
    },
  };
}

/** Opens each page and lets it join, one after the other (the first is the longest present). */
export async function joinAll(...pages: TestPage[]): Promise<void> {
  for (const p of pages) {
    const started = p.page.start();
    await settle();
    await started;
    await settle();
  }
}

export { ROOM_ID, settle, userIdFor };
