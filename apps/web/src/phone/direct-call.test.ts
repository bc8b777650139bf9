import type { Call } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { DirectCall } from './direct-call';
import { CALL_ID, ME, ROOM, makeCall } from './testing/fakes';

function setup(answer: Call = makeCall({ state: 'accepted', room: ROOM })) {
  const ended = new Set<(call: Call) => void>();
  const hungUp: string[] = [];
  const direct = new DirectCall({
    callId: CALL_ID,
    userId: ME,
    get: () => Promise.resolve(answer),
    hangUp: (id) => {
      hungUp.push(id);
      return Promise.resolve(makeCall({ state: 'ended', durationSeconds: 42 }));
    },
    onCallEnded: (fn) => {
      ended.add(fn);
      return () => ended.delete(fn);
    },
  });
  const endCall = (call: Call) => ended.forEach((fn) => fn(call));
  return { direct, hungUp, endCall, ended };
}

describe('DirectCall', () => {
  it('starts a video call with camera and mic, unless this device accepted audio only', async () => {
    const { direct } = setup();
    await direct.load();
    expect(direct.startMedia(null)).toEqual({ micOn: true, cameraOn: true });
    expect(direct.startMedia({ callId: CALL_ID, media: 'audio' })).toEqual({
      micOn: true,
      cameraOn: false,
    });
    expect(direct.otherName).toBe('Bob Caller');
  });

  it('an audio call uses the avatar layout while no camera is on', async () => {
    const { direct } = setup(makeCall({ state: 'accepted', media: 'audio', room: ROOM }));
    await direct.load();
    expect(direct.startMedia(null).cameraOn).toBe(false);
    expect(direct.audioLayout(false)).toBe(true);
    expect(direct.audioLayout(true)).toBe(false);
  });

  it('a call that is over is not entered', async () => {
    const { direct } = setup(makeCall({ state: 'ended', durationSeconds: 5 }));
    expect(await direct.load()).toBeUndefined();
    expect(direct.state).toMatchObject({ kind: 'ended', byMe: false });
  });

  it('hanging up ends it for both and keeps the server’s duration', async () => {
    const { direct, hungUp } = setup();
    await direct.load();
    await direct.hangUp();
    expect(hungUp).toEqual([CALL_ID]);
    expect(direct.state).toMatchObject({
      kind: 'ended',
      byMe: true,
      call: { durationSeconds: 42 },
    });
  });

  it('hears once that the other side ended this call, and ignores other calls', async () => {
    const { direct, endCall, ended } = setup();
    await direct.load();
    let heard = 0;
    direct.onEndedRemotely(() => (heard += 1));
    endCall(makeCall({ id: '99999999-9999-4999-8999-999999999999', state: 'ended' }));
    expect(heard).toBe(0);
    endCall(makeCall({ state: 'ended', durationSeconds: 7 }));
    endCall(makeCall({ state: 'ended', durationSeconds: 7 }));
    expect(heard).toBe(1);
    expect(direct.state).toMatchObject({ kind: 'ended', byMe: false });
    direct.dispose();
    expect(ended.size).toBe(0);
  });
});
