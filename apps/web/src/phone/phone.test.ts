import type { Call, CallMedia } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import { Phone } from './phone';
import {
  BOB,
  CALL_ID,
  FakePhoneApi,
  FakePhoneSocket,
  FakeRinger,
  ME,
  OUT_ID,
  ROOM,
  deferred,
  makeCall,
  myCall,
} from './testing/fakes';

const flush = () => vi.advanceTimersByTimeAsync(0);

function setup() {
  const socket = new FakePhoneSocket();
  const api = new FakePhoneApi();
  const ringer = new FakeRinger();
  const shown: { call: Call; closed: boolean }[] = [];
  const alerts = {
    show: (call: Call) => {
      const entry = { call, closed: false };
      shown.push(entry);
      return { close: () => void (entry.closed = true) };
    },
  };
  const phone = new Phone({ userId: ME, socket, api, ringer, alerts, onError: () => undefined });
  const entered: { call: Call; media: CallMedia }[] = [];
  phone.on('enter-call', (call, media) => entered.push({ call, media }));
  phone.start();
  return { phone, socket, api, ringer, shown, entered };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Phone: an incoming call', () => {
  it('rings with a card and a ringtone until the caller cancels', () => {
    const { phone, socket, ringer } = setup();
    socket.call('call.incoming', makeCall());
    expect(phone.state.incoming).toMatchObject({ kind: 'ringing', call: { id: CALL_ID } });
    expect(ringer.ringing).toBe(true);

    socket.call('call.cancelled', makeCall({ state: 'cancelled' }));
    expect(phone.state.incoming.kind).toBe('idle');
    expect(ringer.ringing).toBe(false);
  });

  it('a missed call stops the ringing and raises the badge', () => {
    const { phone, socket, ringer } = setup();
    socket.call('call.incoming', makeCall());
    socket.call('call.missed', makeCall({ state: 'missed', missedUnseen: true }));
    expect(phone.state.incoming.kind).toBe('idle');
    expect(ringer.ringing).toBe(false);
    expect(phone.state.unseenMissed).toBe(1);
  });

  it('a call this person missed as the caller does not raise their badge', () => {
    const { phone, socket } = setup();
    socket.call('call.missed', myCall({ state: 'missed', missedUnseen: false }));
    expect(phone.state.unseenMissed).toBe(0);
  });

  it('accepting stops the ringing and enters the call with the chosen media', async () => {
    const { phone, socket, api, ringer, entered } = setup();
    socket.call('call.incoming', makeCall());
    api.byAction.set('accept', () => Promise.resolve(makeCall({ state: 'accepted', room: ROOM })));
    await phone.accept('audio');
    expect(api.calls).toContain(`accept ${CALL_ID}`);
    expect(ringer.ringing).toBe(false);
    expect(phone.state.incoming.kind).toBe('idle');
    expect(entered).toEqual([{ call: expect.objectContaining({ room: ROOM }), media: 'audio' }]);
  });

  it('the device that accepted ignores call.answered-elsewhere, even before its answer', async () => {
    const { phone, socket, api, entered } = setup();
    socket.call('call.incoming', makeCall());
    const reply = deferred<Call>();
    api.byAction.set('accept', () => reply.promise);
    const accepting = phone.accept('video');
    socket.call('call.answered-elsewhere', makeCall({ state: 'accepted', room: ROOM }));
    expect(phone.state.incoming.kind).toBe('answering');
    reply.resolve(makeCall({ state: 'accepted', room: ROOM }));
    await accepting;
    socket.call('call.answered-elsewhere', makeCall({ state: 'accepted', room: ROOM }));
    expect(phone.state.incoming.kind).toBe('idle');
    expect(entered).toHaveLength(1);
  });

  it('another device answering stops the ringing here and shows a short note', async () => {
    const { phone, socket, ringer, entered } = setup();
    socket.call('call.incoming', makeCall());
    socket.call('call.answered-elsewhere', makeCall({ state: 'accepted', room: ROOM }));
    expect(ringer.ringing).toBe(false);
    expect(phone.state.incoming).toMatchObject({ kind: 'gone', reason: 'answered-elsewhere' });
    expect(entered).toEqual([]);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(phone.state.incoming.kind).toBe('idle');
  });

  it('accepting a call that was cancelled meanwhile says it is no longer available', async () => {
    const { phone, socket, api, entered } = setup();
    socket.call('call.incoming', makeCall());
    api.byAction.set('accept', () => Promise.reject(new ApiError(409, 'INVALID_CALL_STATE', 'no')));
    await phone.accept('video');
    expect(phone.state.incoming).toMatchObject({ kind: 'gone', reason: 'unavailable' });
    expect(entered).toEqual([]);
  });

  it('a network failure while accepting leaves the call ringing with the error', async () => {
    const { phone, socket, api, ringer } = setup();
    socket.call('call.incoming', makeCall());
    api.byAction.set('accept', () => Promise.reject(new ApiError(0, 'NETWORK_ERROR', 'x')));
    await phone.accept('video');
    expect(phone.state.incoming).toMatchObject({ kind: 'ringing', error: 'NETWORK_ERROR' });
    expect(ringer.ringing).toBe(true);
  });

  it('declining stops the ringing at once and tells the server', async () => {
    const { phone, socket, api, ringer } = setup();
    socket.call('call.incoming', makeCall());
    const done = phone.reject();
    expect(ringer.ringing).toBe(false);
    expect(phone.state.incoming.kind).toBe('idle');
    await done;
    expect(api.calls).toContain(`reject ${CALL_ID}`);
  });

  it('shows a system notification while ringing and closes it when the ringing stops', () => {
    const { socket, shown } = setup();
    socket.call('call.incoming', makeCall());
    expect(shown).toHaveLength(1);
    expect(shown[0]?.closed).toBe(false);
    socket.call('call.cancelled', makeCall({ state: 'cancelled' }));
    expect(shown[0]?.closed).toBe(true);
  });

  it('dispose silences a ringing phone and closes the socket', () => {
    const { phone, socket, ringer } = setup();
    socket.call('call.incoming', makeCall());
    phone.dispose();
    expect(ringer.ringing).toBe(false);
    expect(socket.closed).toBe(true);
  });
});

describe('Phone: an outgoing call', () => {
  it('placing a call shows it calling; call.accepted enters the room once', async () => {
    const { phone, socket, api, entered } = setup();
    const call = await phone.place({ id: BOB }, 'video');
    expect(api.calls).toEqual([`place ${BOB} video`]);
    expect(call.state).toBe('ringing');
    expect(phone.state.outgoing).toMatchObject({ kind: 'calling' });

    const accepted = myCall({ state: 'accepted', room: ROOM });
    socket.call('call.accepted', accepted);
    socket.call('call.accepted', accepted);
    expect(phone.state.outgoing.kind).toBe('connecting');
    expect(entered).toEqual([{ call: accepted, media: 'video' }]);
  });

  it.each([
    ['call.busy', 'busy'],
    ['call.rejected', 'rejected'],
    ['call.missed', 'missed'],
  ] as const)('%s shows the outcome %s', async (type, outcome) => {
    const { phone, socket } = setup();
    await phone.place({ id: BOB }, 'audio');
    socket.call(type, myCall({ state: outcome }));
    expect(phone.state.outgoing).toMatchObject({ kind: 'finished', outcome });
  });

  it('a callee who is busy answers at once', async () => {
    const { phone, api } = setup();
    api.placed = myCall({ state: 'busy' });
    await phone.place({ id: BOB }, 'video');
    expect(phone.state.outgoing).toMatchObject({ kind: 'finished', outcome: 'busy' });
  });

  it('news that overtakes the reply to the call request wins', async () => {
    const { phone, socket } = setup();
    socket.call('call.busy', myCall({ state: 'busy' }));
    await phone.place({ id: BOB }, 'video');
    expect(phone.state.outgoing).toMatchObject({ kind: 'finished', outcome: 'busy' });
  });

  it('cancelling while it rings finishes as cancelled', async () => {
    const { phone, api } = setup();
    await phone.place({ id: BOB }, 'video');
    api.byAction.set('cancel', () => Promise.resolve(myCall({ state: 'cancelled' })));
    await phone.cancel();
    expect(api.calls).toContain(`cancel ${OUT_ID}`);
    expect(phone.state.outgoing).toMatchObject({ kind: 'finished', outcome: 'cancelled' });
  });

  it('a cancel that comes too late shows what the call became', async () => {
    const { phone, api, entered } = setup();
    await phone.place({ id: BOB }, 'video');
    api.byAction.set('cancel', () => Promise.reject(new ApiError(409, 'INVALID_CALL_STATE', 'no')));
    api.getAnswer = () => Promise.resolve(myCall({ state: 'accepted', room: ROOM }));
    await phone.cancel();
    expect(phone.state.outgoing.kind).toBe('connecting');
    expect(entered).toHaveLength(1);
  });

  it('call back calls the other party of a call with its media', async () => {
    const { phone, api } = setup();
    await phone.callBack(makeCall({ state: 'missed', media: 'audio' }));
    expect(api.calls).toEqual([`place ${BOB} audio`]);
  });
});

describe('Phone: sync after every welcome', () => {
  it('takes the badge from the server and rings a call whose notice was missed', async () => {
    const { phone, socket, api, ringer } = setup();
    api.activeAnswer = () => Promise.resolve({ calls: [makeCall()], unseenMissed: 3 });
    socket.emit({
      type: 'welcome',
      connectionId: 'c1',
      userId: ME,
      protocolVersion: 1,
      heartbeatIntervalMs: 20_000,
      serverTime: 0,
      tokenExpiresAt: 0,
      resumed: false,
      resumeToken: 'r',
    } as never);
    await flush();
    expect(phone.state.unseenMissed).toBe(3);
    expect(phone.state.incoming.kind).toBe('ringing');
    expect(ringer.ringing).toBe(true);
  });

  it('stops ringing a call that is no longer active, and finds out what happened to an outgoing one', async () => {
    const { phone, socket, api } = setup();
    socket.call('call.incoming', makeCall());
    await phone.place({ id: BOB }, 'video');
    api.placed = myCall();
    api.getAnswer = () => Promise.resolve(myCall({ state: 'rejected' }));
    await phone.sync();
    expect(phone.state.incoming.kind).toBe('idle');
    expect(phone.state.outgoing).toMatchObject({ kind: 'finished', outcome: 'rejected' });
  });

  it('marking calls seen asks the server for the new badge', async () => {
    const { phone, socket, api } = setup();
    socket.call('call.missed', makeCall({ state: 'missed', missedUnseen: true }));
    expect(phone.state.unseenMissed).toBe(1);
    await phone.markSeen([CALL_ID]);
    expect(api.calls).toEqual([`seen ${CALL_ID}`, 'active']);
    expect(phone.state.unseenMissed).toBe(0);
  });
});
