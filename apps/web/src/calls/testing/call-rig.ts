/**
 * People in a call for tests: each one a CallSession with its own LocalMedia on fake
 * devices, a SignalingClient on the FakeServer's sockets and fake RTCPeerConnections.
 * Time is the global clock, so tests drive it with vi.useFakeTimers().
 */
import { CallSession } from '../call';
import type { CallEnded } from '../call';
import { LocalMedia } from '../media';
import { SignalingClient } from '../signaling';
import { FakeCanvas, FakeMediaDevices, createFakeStream } from './fake-media';
import { decodeFakeSdp, fakePeerConnectionFactory } from './fake-rtc';
import type { FakeRTCPeerConnection } from './fake-rtc';
import { ROOM_ID } from './fake-server';
import type { FakeServer } from './fake-server';
import { settle } from './settle';

export type Person = ReturnType<typeof person>;

export function person(
  server: FakeServer,
  name: string,
  opts: { random?: () => number; getFreshToken?: (staleToken: string) => Promise<string> } = {},
) {
  const devices = new FakeMediaDevices();
  const media = new LocalMedia({
    env: {
      getUserMedia: devices.getUserMedia,
      getDisplayMedia: devices.getDisplayMedia,
      enumerateDevices: devices.enumerateDevices,
      createMediaStream: createFakeStream,
      createCanvas: () => new FakeCanvas() as unknown as HTMLCanvasElement,
      createAudioContext: () => undefined,
      onDeviceChange: () => () => undefined,
    },
    displayName: name,
  });
  const signaling = new SignalingClient({
    url: 'ws://test/ws',
    getToken: () => Promise.resolve(name),
    getFreshToken: opts.getFreshToken,
    WebSocketImpl: server.WebSocket,
    random: opts.random ?? (() => 0),
  });
  const factory = fakePeerConnectionFactory();
  const errors: [string, unknown][] = [];
  const call = new CallSession({
    signaling,
    roomId: ROOM_ID,
    media,
    RTCPeerConnectionImpl: factory.ctor,
    createMediaStream: () => createFakeStream(),
    onError: (e, context) => errors.push([context, e]),
  });
  const ended: CallEnded[] = [];
  call.on('ended', (why) => ended.push(why));
  return { name, devices, media, signaling, call, factory, pcs: factory.instances, errors, ended };
}

/** Each joins in turn (acquire, join, answered), like people arriving one after another. */
export async function joinAll(...people: Person[]): Promise<void> {
  for (const p of people) {
    await p.media.acquire();
    const joined = p.call.join({ audio: true, video: true });
    await settle();
    await joined;
  }
  await settle();
}

/** The open peer connections of a person. */
export const openPcs = (p: Person): FakeRTCPeerConnection[] => p.pcs.filter((pc) => !pc.closed);

/** How many m-sections a description has (a fake one). */
export const sectionCount = (d: RTCSessionDescriptionInit | null): number =>
  d ? decodeFakeSdp(d.sdp).sections.length : 0;
