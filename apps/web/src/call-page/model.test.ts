import { describe, expect, it, vi } from 'vitest';
import { SignalingClient } from '../calls';
import { JOINING_DRAWN_AFTER_MS } from './model';
import { ROOM_ID, joinAll, pageHarness, roomFor, settle } from './testing/page-harness';

const harness = pageHarness();
const { page } = harness;

describe('joining', () => {
  it('goes from loading through joining to in-call, with the room and the others drawn', async () => {
    const ada = page('ada', { handed: { role: 'host' } });
    const bob = page('bob');
    expect(bob.view.state).toEqual({ kind: 'loading' });
    await joinAll(ada);
    const started = bob.page.start();
    await settle(5);
    expect(bob.view.state).toEqual({ kind: 'joining' });
    await settle();
    await started;
    await settle();

    expect(bob.view.state).toEqual({ kind: 'in-call' });
    expect(bob.view.connection).toBe('connected');
    expect(bob.view.roomName).toBe('Weekly sync');
    expect(bob.view.remotes.map((r) => r.name)).toEqual(['ada']);
    expect(bob.view.people.map((p) => [p.name, p.self])).toEqual([
      ['ada', false],
      ['bob', true],
    ]);
    expect(bob.view.local).toMatchObject({ micOn: true, cameraOn: true });
    expect(bob.view.role).toBe('participant');
    expect(ada.view.role).toBe('host');
    expect(ada.view.canModerate).toBe(true);
    expect(bob.changes).toHaveBeenCalled();
  });

  it('takes the socket the pre-join page opened, and with its devices handed over sends room.join and its offers before the page is drawn', async () => {
    const ada = page('ada', { handed: { role: 'host' } });
    await joinAll(ada);
    // The pre-join page's socket, connected (hello, welcome) before the call page starts.
    const early = new SignalingClient({
      url: 'ws://test/ws',
      getToken: () => Promise.resolve('bob'),
      WebSocketImpl: harness.server.WebSocket,
    });
    void early.connect();
    await settle();
    expect(early.state).toBe('open');
    const sockets = harness.server.sockets.length;
    const bob = page('bob', {
      engine: { takeSignaling: () => early },
      overrides: { devicesHanded: () => true },
    });
    // What the server had been sent when the page first drew the call.
    let sentWhenDrawn: string[] | undefined;
    bob.page.subscribe(() => {
      if (bob.view.local && !sentWhenDrawn) {
        sentWhenDrawn = harness.server.sockets.at(-1)?.sent.map((f) => JSON.parse(f).type);
      }
    });
    const started = bob.page.start();
    await settle();
    await started;
    await settle();
    expect(harness.server.sockets).toHaveLength(sockets);
    // The first draw waited for the offer to ada (it would otherwise finish behind it).
    expect(sentWhenDrawn).toEqual(['hello', 'room.join', 'signal']);
    expect(harness.server.signals[0]).toMatchObject({
      fromName: 'bob',
      toName: 'ada',
      kind: 'offer',
    });
    expect(bob.view.state).toEqual({ kind: 'in-call' });
    expect(bob.view.remotes.map((r) => r.name)).toEqual(['ada']);
    // The engine owns it now: leaving closes it.
    bob.page.dispose();
    expect(early.state).toBe('closed');
  });

  it('with the devices handed over and a slow join, draws the control bar and own tile first', async () => {
    const ada = page('ada', { handed: { role: 'host' } });
    await joinAll(ada);
    const server = harness.server as unknown as { join: (...args: unknown[]) => void };
    const join = server.join.bind(harness.server);
    const held: (() => void)[] = [];
    server.join = (...args) => void held.push(() => join(...args));
    const bob = page('bob', { overrides: { devicesHanded: () => true } });
    const started = bob.page.start();
    await settle();
    expect(held).toHaveLength(1);
    expect(bob.view.state).toEqual({ kind: 'loading' });
    await vi.advanceTimersByTimeAsync(JOINING_DRAWN_AFTER_MS);
    expect(bob.view.state).toEqual({ kind: 'joining' });
    expect(bob.view.local).toMatchObject({ micOn: true, cameraOn: true });
    for (const release of held) release();
    await started;
    await settle();
    expect(bob.view.state).toEqual({ kind: 'in-call' });
    expect(bob.view.remotes.map((r) => r.name)).toEqual(['ada']);
  });

  it('asks the server for the room on a reload and joins when this person is still let in', async () => {
    const ada = page('ada', { handed: null });
    await joinAll(ada);
    expect(ada.api.getRoom).toHaveBeenCalledWith('abc-defg-hjkm');
    expect(ada.view.state.kind).toBe('in-call');
  });

  it('sends a person who is not let in (any more) back to the pre-join page, which explains', async () => {
    const ada = page('ada', { handed: null });
    ada.api.getRoom.mockResolvedValue({ room: { ...roomFor(), myStatus: 'pending' } });
    await ada.page.start();
    expect(ada.navigate).toHaveBeenCalledWith({ name: 'prejoin', code: 'abc-defg-hjkm' });
    expect(harness.server.sockets).toHaveLength(0);
  });

  it('fetches the ICE servers before joining, and again before their credentials expire', async () => {
    const ada = page('ada');
    await joinAll(ada);
    expect(ada.api.iceServers).toHaveBeenCalledTimes(1);
    // 80% of the 600 s lifetime.
    await vi.advanceTimersByTimeAsync(479_000);
    expect(ada.api.iceServers).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ada.api.iceServers).toHaveBeenCalledTimes(2);
  });

  it('still joins when the ICE servers cannot be fetched (direct connections work on most networks)', async () => {
    const ada = page('ada');
    ada.api.iceServers.mockRejectedValue(new Error('offline'));
    await joinAll(ada);
    expect(ada.view.state.kind).toBe('in-call');
  });

  it('opens the devices the pre-join page chose and enters with its mic and camera choice', async () => {
    const ada = page('ada', { prefs: { micOn: false, cameraOn: false, audioInputId: 'mic-2' } });
    await joinAll(ada);
    expect(ada.devices.calls[0]).toMatchObject({
      audio: true,
      video: false,
      audioDeviceId: 'mic-2',
    });
    expect(ada.view.local).toMatchObject({ micOn: false, cameraOn: false });
    expect(harness.server.connOf('ada')?.entry?.media).toMatchObject({
      audio: false,
      video: false,
    });
  });

  it('mute and camera off pressed while the devices open are what the join sends', async () => {
    const ada = page('ada');
    ada.devices.hold = true;
    const started = ada.page.start();
    await settle();
    expect(ada.view.state).toEqual({ kind: 'joining' });
    // The buttons show the pre-join choice while nothing has answered yet.
    expect(ada.view.local).toMatchObject({ micOn: true, cameraOn: true });
    ada.page.shortcut('mic');
    ada.page.shortcut('camera');
    await settle();
    expect(ada.view.local).toMatchObject({ micOn: false, cameraOn: false });

    ada.devices.release(true);
    await settle();
    await started;
    await settle();
    expect(ada.view.state).toEqual({ kind: 'in-call' });
    expect(ada.view.local).toMatchObject({ micOn: false, cameraOn: false });
    expect(harness.server.connOf('ada')?.entry?.media).toMatchObject({
      audio: false,
      video: false,
    });
    // The camera that answered after "off" was stopped at once: no light.
    expect(ada.devices.liveTracks().map((t) => t.kind)).toEqual(['audio']);
  });
});

describe('a refused join, per family of codes', () => {
  it.each([
    ['KICKED_FROM_ROOM', { name: 'ended', reason: 'kicked', code: 'abc-defg-hjkm' }],
    ['ROOM_CLOSED', { name: 'ended', reason: 'ended', code: 'abc-defg-hjkm' }],
    ['NOT_APPROVED', { name: 'prejoin', code: 'abc-defg-hjkm' }],
    ['JOIN_DENIED', { name: 'prejoin', code: 'abc-defg-hjkm' }],
    ['ROOM_NOT_FOUND', { name: 'prejoin', code: 'abc-defg-hjkm' }],
  ])('%s leaves the page for %o', async (code, route) => {
    harness.server.joinError = () => code;
    const bob = page('bob');
    await joinAll(bob);
    expect(bob.navigate).toHaveBeenCalledExactlyOnceWith(route);
    expect(bob.view.state.kind).toBe('ended');
    expect(bob.devices.liveTracks()).toEqual([]);
  });

  it('ROOM_FULL stays on the page with "Try again", and a retry that passes enters the call', async () => {
    harness.server.joinError = () => 'ROOM_FULL';
    const bob = page('bob');
    await joinAll(bob);
    expect(bob.view.state).toEqual({ kind: 'join-failed', code: 'ROOM_FULL', retrying: false });
    expect(bob.navigate).not.toHaveBeenCalled();

    harness.server.joinError = () => undefined;
    const retried = bob.page.retryJoin();
    expect(bob.view.state).toEqual({ kind: 'join-failed', code: 'ROOM_FULL', retrying: true });
    await settle();
    await retried;
    expect(bob.view.state).toEqual({ kind: 'in-call' });
  });

  it('a session revoked elsewhere signs this tab out too and says why', async () => {
    const bob = page('bob');
    await joinAll(bob);
    harness.server.closeUnauthenticated(harness.server.connOf('bob')!, 'SESSION_REVOKED');
    await settle();
    expect(bob.auth.logout).toHaveBeenCalled();
    expect(bob.view.state).toEqual({
      kind: 'join-failed',
      code: 'SESSION_REVOKED',
      retrying: false,
    });
  });

  it('a disabled account hands over to the account page', async () => {
    const bob = page('bob');
    await joinAll(bob);
    harness.server.closeUnauthenticated(harness.server.connOf('bob')!, 'ACCOUNT_DISABLED');
    await settle();
    expect(bob.onAccountDisabled).toHaveBeenCalledOnce();
    expect(bob.navigate).not.toHaveBeenCalled();
  });

  it('being removed or the meeting ending later goes to the end screen with the reason', async () => {
    const [ada, bob, cat] = [page('ada', { handed: { role: 'host' } }), page('bob'), page('cat')];
    await joinAll(ada, bob, cat);
    harness.server.kick(harness.server.connOf('bob')!);
    await settle();
    expect(bob.navigate).toHaveBeenCalledWith({
      name: 'ended',
      reason: 'kicked',
      code: 'abc-defg-hjkm',
    });
    harness.server.closeRoom();
    await settle();
    for (const p of [ada, cat]) {
      expect(p.navigate).toHaveBeenCalledWith({
        name: 'ended',
        reason: 'ended',
        code: 'abc-defg-hjkm',
      });
    }
  });
});

describe('leaving', () => {
  it('a participant leaves at once: no question, the seat is given up', async () => {
    const [ada, bob] = [page('ada', { handed: { role: 'host' } }), page('bob')];
    await joinAll(ada, bob);
    bob.page.leave();
    await settle();
    expect(bob.view.dialog).toBeNull();
    expect(bob.navigate).toHaveBeenCalledWith({
      name: 'ended',
      reason: 'left',
      code: 'abc-defg-hjkm',
    });
    expect(harness.server.connOf('bob')?.entry).toBeUndefined();
    expect(ada.view.remotes).toEqual([]);
  });

  it('a host alone is asked to leave or end for all; ending calls the end route and goes to the end screen', async () => {
    const ada = page('ada', { handed: { role: 'host' } });
    await joinAll(ada);
    ada.page.leave();
    expect(ada.view.dialog).toBe('leave');
    expect(ada.view.leave).toEqual({ kind: 'leave-or-end' });
    expect(ada.navigate).not.toHaveBeenCalled();

    await ada.page.endForAll();
    expect(ada.api.end).toHaveBeenCalledWith(ROOM_ID);
    expect(ada.navigate).toHaveBeenCalledWith({
      name: 'ended',
      reason: 'ended',
      code: 'abc-defg-hjkm',
    });
  });

  it('a host who leaves while a co-host stays is asked only to leave or end', async () => {
    harness.server.roles.set('bob', 'cohost');
    const [ada, bob] = [page('ada', { handed: { role: 'host' } }), page('bob')];
    await joinAll(ada, bob);
    ada.page.leave();
    expect(ada.view.leave).toEqual({ kind: 'leave-or-end' });
    ada.page.leaveNow();
    await settle();
    expect(ada.navigate).toHaveBeenCalledWith({
      name: 'ended',
      reason: 'left',
      code: 'abc-defg-hjkm',
    });
    expect(ada.api.decide).not.toHaveBeenCalled();
  });

  it('the last host with others present chooses whom to hand over to, the longest present suggested', async () => {
    const [ada, bob, cat] = [page('ada', { handed: { role: 'host' } }), page('bob'), page('cat')];
    await joinAll(ada, bob, cat);
    ada.page.leave();
    expect(ada.view.leave).toEqual({
      kind: 'handover',
      candidates: [
        { userId: bob.userId, name: 'bob', isGuest: false },
        { userId: cat.userId, name: 'cat', isGuest: false },
      ],
      suggested: bob.userId,
    });
  });

  it('handing over promotes the chosen person, then leaves', async () => {
    const [ada, bob, cat] = [page('ada', { handed: { role: 'host' } }), page('bob'), page('cat')];
    await joinAll(ada, bob, cat);
    let promoted: () => void = () => undefined;
    ada.api.decide.mockReturnValue(new Promise((resolve) => (promoted = () => resolve({}))));
    ada.page.leave();
    const done = ada.page.handOverAndLeave(cat.userId);
    await settle();
    expect(ada.api.decide).toHaveBeenCalledWith(ROOM_ID, cat.userId, 'promote');
    expect(ada.view.leaving).toBe(true);
    // Still in the call until the promotion is confirmed.
    expect(harness.server.connOf('ada')?.entry).toBeDefined();
    promoted();
    await done;
    await settle();
    expect(harness.server.connOf('ada')?.entry).toBeUndefined();
    expect(ada.navigate).toHaveBeenCalledWith({
      name: 'ended',
      reason: 'left',
      code: 'abc-defg-hjkm',
    });
  });

  it('the dialog follows the call: who left is no longer offered, a new co-host ends the hand-over', async () => {
    const [ada, bob, cat] = [page('ada', { handed: { role: 'host' } }), page('bob'), page('cat')];
    await joinAll(ada, bob, cat);
    ada.page.leave();
    expect(ada.view.leave).toMatchObject({ kind: 'handover', suggested: bob.userId });
    bob.page.leaveNow();
    await settle();
    expect(ada.view.leave).toEqual({
      kind: 'handover',
      candidates: [{ userId: cat.userId, name: 'cat', isGuest: false }],
      suggested: cat.userId,
    });
    // Picked before Bob left (the dialog had not redrawn yet): the one suggested now instead.
    await ada.page.handOverAndLeave(bob.userId);
    await settle();
    expect(ada.api.decide).toHaveBeenCalledExactlyOnceWith(ROOM_ID, cat.userId, 'promote');
  });

  it('with a co-host arrived while the dialog is open, leaving hands nothing over', async () => {
    harness.server.roles.set('dan', 'cohost');
    const [ada, bob] = [page('ada', { handed: { role: 'host' } }), page('bob')];
    await joinAll(ada, bob);
    ada.page.leave();
    expect(ada.view.leave?.kind).toBe('handover');
    const dan = page('dan', { handed: { role: 'cohost' } });
    await joinAll(dan);
    expect(ada.view.leave).toEqual({ kind: 'leave-or-end' });
    await ada.page.handOverAndLeave(bob.userId);
    await settle();
    expect(ada.api.decide).not.toHaveBeenCalled();
    expect(harness.server.connOf('ada')?.entry).toBeUndefined();
  });

  it('"let Parley choose" just leaves: the server picks who moderates next', async () => {
    const [ada, bob] = [page('ada', { handed: { role: 'host' } }), page('bob')];
    await joinAll(ada, bob);
    ada.page.leave();
    await ada.page.handOverAndLeave('auto');
    await settle();
    expect(ada.api.decide).not.toHaveBeenCalled();
    expect(harness.server.connOf('ada')?.entry).toBeUndefined();
  });

  it('a promotion that fails keeps the host in the call with the dialog open and says why', async () => {
    const [ada, bob] = [page('ada', { handed: { role: 'host' } }), page('bob')];
    await joinAll(ada, bob);
    const error = new Error('nope');
    ada.api.decide.mockRejectedValue(error);
    ada.page.leave();
    await ada.page.handOverAndLeave(bob.userId);
    expect(ada.view.dialog).toBe('leave');
    expect(ada.view.leaving).toBe(false);
    expect(ada.view.notices.map((n) => n.message)).toEqual([{ error }]);
    expect(harness.server.connOf('ada')?.entry).toBeDefined();
    expect(ada.navigate).not.toHaveBeenCalled();
  });

  it('a co-host who is the last moderator gets no list (only a host promotes): Parley chooses', async () => {
    harness.server.roles.set('bob', 'cohost');
    const [bob, cat] = [page('bob', { handed: { role: 'cohost' } }), page('cat')];
    await joinAll(bob, cat);
    bob.page.leave();
    expect(bob.view.leave).toEqual({ kind: 'handover', candidates: [], suggested: null });
  });

  it('ending for all that the server refuses stays in the call with the reason', async () => {
    const ada = page('ada', { handed: { role: 'host' } });
    await joinAll(ada);
    const error = new Error('refused');
    ada.api.end.mockRejectedValue(error);
    await ada.page.endForAll();
    expect(ada.view.notices.map((n) => n.message)).toEqual([{ error }]);
    expect(ada.view.state.kind).toBe('in-call');
  });

  it('leaving from the join error leaves without asking', async () => {
    harness.server.joinError = () => 'ROOM_FULL';
    const ada = page('ada', { handed: { role: 'host' } });
    await joinAll(ada);
    ada.page.leave();
    await settle();
    expect(ada.view.dialog).toBeNull();
    expect(ada.navigate).toHaveBeenCalledWith({
      name: 'ended',
      reason: 'left',
      code: 'abc-defg-hjkm',
    });
  });

  it('dispose mid-start stops the devices and joins nothing', async () => {
    const ada = page('ada');
    ada.devices.hold = true;
    const started = ada.page.start();
    await settle();
    ada.page.dispose();
    ada.devices.release(true);
    await settle();
    await started;
    expect(ada.devices.liveTracks()).toEqual([]);
    expect(harness.server.inRoom()).toEqual([]);
    expect(ada.navigate).not.toHaveBeenCalled();
  });
});

describe('the meeting clock', () => {
  it('shows 00:00 until the meeting start is known', () => {
    const ada = page('ada');
    expect(ada.view.timer).toBe('00:00');
  });

  it('counts from the server’s meeting start, the same for someone who joins 20 s later', async () => {
    // The server's clock runs an hour ahead of the devices': the offset is measured, not assumed.
    harness.server.clockSkewMs = 3_600_000;
    const [ada, bob] = [page('ada', { handed: { role: 'host' } }), page('bob')];
    await joinAll(ada);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(ada.view.timer).toBe('00:20');
    await joinAll(bob);
    expect(bob.view.timer).toBe('00:20');
    await vi.advanceTimersByTimeAsync(45_000);
    expect(ada.view.timer).toBe('01:05');
    expect(bob.view.timer).toBe('01:05');
  });

  it('a tick changes the time and nothing else the page draws from', async () => {
    const [ada, bob] = [page('ada', { handed: { role: 'host' } }), page('bob')];
    await joinAll(ada, bob);
    await vi.advanceTimersByTimeAsync(5_000);
    let quiet = 0;
    for (let i = 0; i < 6; i++) {
      const before = ada.view;
      await vi.advanceTimersByTimeAsync(1_000);
      const after = ada.view;
      expect(after.timer).not.toBe(before.timer);
      // A link's stats sample (every 2 s) is news for its tile; the seconds between are not.
      if (after.remotes[0]?.stats !== before.remotes[0]?.stats) continue;
      quiet += 1;
      // Every prop of a drawn part keeps its identity, so no part redraws for the tick.
      const changed = (Object.keys(after) as (keyof typeof after)[]).filter(
        (k) => k !== 'timer' && after[k] !== before[k],
      );
      expect(changed).toEqual([]);
    }
    expect(quiet).toBeGreaterThanOrEqual(2);
  });
});

describe('shortcuts and panels', () => {
  it('M, V, H and ? act on the call; none while a dialog is open', async () => {
    const ada = page('ada');
    await joinAll(ada);
    expect(ada.page.shortcut('mic')).toBe(true);
    expect(ada.view.local?.micOn).toBe(false);
    ada.page.shortcut('camera');
    await settle();
    expect(ada.view.local?.cameraOn).toBe(false);
    ada.page.shortcut('hand');
    expect(ada.view.local?.handRaised).toBe(true);
    ada.page.shortcut('help');
    expect(ada.view.dialog).toBe('shortcuts');
    expect(ada.page.shortcut('mic')).toBe(false);
    expect(ada.view.local?.micOn).toBe(false);
  });

  it('closing a panel gives focus back to its button', async () => {
    const ada = page('ada');
    await joinAll(ada);
    ada.page.shortcut('chat');
    expect(ada.view.panel).toBe('chat');
    ada.page.togglePanel('chat');
    expect(ada.view.panel).toBeNull();
    expect(ada.focus).toHaveBeenCalledWith('toggle-chat');
  });

  it('the layout choice is remembered', () => {
    const ada = page('ada');
    ada.page.setLayout('grid');
    expect(ada.view.layoutMode).toBe('grid');
    expect(ada.storage.get('parley.layout')).toBe('grid');
    const again = page('ada', {
      overrides: { layoutStorage: { getItem: () => 'grid', setItem: () => undefined } },
    });
    expect(again.view.layoutMode).toBe('grid');
  });
});
