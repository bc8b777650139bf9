import { describe, expect, it, vi } from 'vitest';
import { REACTION_LIMITS } from '@parley/protocol';
import { MUTE_ALL, SPOTLIGHT } from './moderation';
import { ROOM_ID, joinAll, pageHarness, settle } from './testing/page-harness';

const harness = pageHarness();
const { page } = harness;

async function hostWithBob() {
  const [ada, bob] = [page('ada', { handed: { role: 'host' } }), page('bob')];
  await joinAll(ada, bob);
  return { ada, bob };
}

describe('moderation intents', () => {
  it('each intent calls its route with the room and the person', async () => {
    const { ada, bob } = await hostWithBob();
    const bobConn = harness.server.connOf('bob')!.id;
    await ada.page.admit('u-1');
    await ada.page.deny('u-2');
    await ada.page.kick(bob.userId);
    await ada.page.promote(bob.userId);
    await ada.page.mute(bob.userId);
    await ada.page.muteAll();
    await ada.page.lowerHand(bob.userId);
    await ada.page.spotlight(bobConn);
    await ada.page.spotlight(null);
    expect(ada.api.decide.mock.calls).toEqual([
      [ROOM_ID, 'u-1', 'admit'],
      [ROOM_ID, 'u-2', 'deny'],
      [ROOM_ID, bob.userId, 'kick'],
      [ROOM_ID, bob.userId, 'promote'],
    ]);
    expect(ada.api.mute).toHaveBeenCalledWith(ROOM_ID, bob.userId);
    expect(ada.api.muteAll).toHaveBeenCalledWith(ROOM_ID);
    expect(ada.api.lowerHand).toHaveBeenCalledWith(ROOM_ID, bob.userId);
    expect(ada.api.spotlight.mock.calls).toEqual([
      [ROOM_ID, bobConn],
      [ROOM_ID, null],
    ]);
  });

  it('admit all admits everyone waiting', async () => {
    const ada = page('ada', { handed: { role: 'host' } });
    await joinAll(ada);
    const [x, y] = [harness.server.knock('Xena'), harness.server.knock('Yuri')];
    await settle();
    expect(ada.view.lobby.map((e) => e.user.displayName)).toEqual(['Xena', 'Yuri']);
    await ada.page.admitAll();
    expect(ada.api.decide.mock.calls).toEqual([
      [ROOM_ID, x.user.id, 'admit'],
      [ROOM_ID, y.user.id, 'admit'],
    ]);
  });

  it('marks the person busy while the request is on its way, and drops a double click', async () => {
    const { ada, bob } = await hostWithBob();
    let answer: () => void = () => undefined;
    ada.api.mute.mockReturnValue(new Promise((resolve) => (answer = () => resolve({}))));
    const first = ada.page.mute(bob.userId);
    expect(ada.view.busy.has(bob.userId)).toBe(true);
    await ada.page.mute(bob.userId);
    expect(ada.api.mute).toHaveBeenCalledTimes(1);
    answer();
    await first;
    expect(ada.view.busy.has(bob.userId)).toBe(false);
  });

  it('"mute all" and the spotlight have busy keys of their own', async () => {
    const { ada } = await hostWithBob();
    const all = ada.page.muteAll();
    const spot = ada.page.spotlight(null);
    expect([...ada.view.busy].sort()).toEqual([MUTE_ALL, SPOTLIGHT].sort());
    await Promise.all([all, spot]);
    expect(ada.view.busy.size).toBe(0);
  });

  it('says what was done, with the name, and why a refusal happened', async () => {
    const { ada, bob } = await hostWithBob();
    await ada.page.kick(bob.userId);
    await ada.page.mute(bob.userId);
    await ada.page.muteAll();
    const error = new Error('NOT_HOST');
    ada.api.lowerHand.mockRejectedValue(error);
    await ada.page.lowerHand(bob.userId);
    expect(ada.view.notices.map((n) => n.message)).toEqual([
      { key: 'call.notices.mutedOther', params: { name: 'bob' } },
      { key: 'call.notices.mutedAll', params: { n: 2 } },
      { error },
    ]);
    expect(ada.view.notices.map((n) => n.kind)).toEqual(['info', 'info', 'error']);
  });
});

describe('moderation that reaches me', () => {
  it('a host mutes me: my microphone is off, the room hears silence, and I am told who did it', async () => {
    const { bob } = await hostWithBob();
    expect(bob.view.local?.micOn).toBe(true);
    harness.server.moderate('bob', 'mute');
    await settle();
    expect(bob.view.local?.micOn).toBe(false);
    expect(bob.view.notices).toEqual([
      {
        id: expect.any(Number) as number,
        kind: 'moderation',
        message: { key: 'call.notices.mutedBy', params: { name: 'ada' } },
      },
    ]);
    // Unmuting stays mine.
    await bob.page.toggleMic();
    await settle();
    expect(bob.view.local?.micOn).toBe(true);
    expect(harness.server.connOf('bob')?.entry?.media.audio).toBe(true);
  });

  it('a host lowers my hand: it is down and I am told', async () => {
    const { bob } = await hostWithBob();
    bob.page.setHandRaised(true);
    await settle();
    expect(bob.view.local?.handRaised).toBe(true);
    harness.server.moderate('bob', 'lower-hand');
    await settle();
    expect(bob.view.local?.handRaised).toBe(false);
    expect(bob.view.notices.map((n) => n.message)).toEqual([
      { key: 'call.notices.handLowered', params: { name: 'ada' } },
    ]);
  });

  it('taking over as co-host when the host left brings the lobby and says so', async () => {
    const { ada, bob } = await hostWithBob();
    ada.page.leaveNow();
    await settle();
    harness.server.knock('Xena');
    harness.server.grant('bob', { reason: 'handover' });
    await settle();
    expect(bob.view.role).toBe('cohost');
    expect(bob.view.canModerate).toBe(true);
    expect(bob.view.lobby.map((e) => e.user.displayName)).toEqual(['Xena']);
    expect(bob.view.lobbyToast.map((e) => e.user.displayName)).toEqual(['Xena']);
    expect(bob.knock).toHaveBeenCalled();
    expect(bob.view.notices.map((n) => n.message)).toEqual([
      { key: 'call.notices.handover', params: { role: 'cohost' } },
    ]);
  });

  it('a knock chimes and shows the toast until dismissed; a new knock shows it again', async () => {
    const ada = page('ada', { handed: { role: 'host' } });
    await joinAll(ada);
    harness.server.knock('Xena');
    await settle();
    expect(ada.knock).toHaveBeenCalledOnce();
    expect(ada.view.lobbyToast).toHaveLength(1);
    ada.page.dismissLobbyToast();
    expect(ada.view.lobbyToast).toHaveLength(0);
    // The people panel lists them instead of the toast.
    harness.server.knock('Yuri');
    await settle();
    expect(ada.view.lobbyToast.map((e) => e.user.displayName)).toEqual(['Yuri']);
    ada.page.openPanel('participants');
    expect(ada.view.lobbyToast).toHaveLength(0);
  });

  it('a participant sees no lobby', async () => {
    const { bob } = await hostWithBob();
    harness.server.knock('Xena');
    await settle();
    expect(bob.view.lobby).toEqual([]);
    expect(bob.knock).not.toHaveBeenCalled();
  });

  it('reactions float over the sender for a few seconds, mine included', async () => {
    const { ada, bob } = await hostWithBob();
    ada.page.react('👍');
    await settle();
    harness.server.react('bob', '🎉');
    await settle();
    const adaConn = harness.server.connOf('ada')!.id;
    const bobConn = harness.server.connOf('bob')!.id;
    expect(bob.view.reactions.map((r) => [r.connectionId, r.emoji])).toEqual([
      [adaConn, '👍'],
      [bobConn, '🎉'],
    ]);
    await vi.advanceTimersByTimeAsync(3_100);
    expect(bob.view.reactions).toEqual([]);
  });

  it('past the reaction limit a click says "slow down" once, instead of nothing', async () => {
    const { ada } = await hostWithBob();
    const slowDown = () =>
      ada.view.notices.filter((n) => 'key' in n.message && n.message.key.endsWith('slowDown'));
    for (let i = 0; i < REACTION_LIMITS.burst; i++) ada.page.react('👍');
    expect(slowDown()).toEqual([]);
    ada.page.react('👍');
    ada.page.react('🎉');
    expect(slowDown()).toHaveLength(1);
    await settle();
    expect(harness.server.reactions).toHaveLength(REACTION_LIMITS.burst);
  });

  it('the spotlight a host sets reaches everyone', async () => {
    const { ada, bob } = await hostWithBob();
    const bobConn = harness.server.connOf('bob')!.id;
    harness.server.spotlight(bobConn);
    await settle();
    expect(ada.view.spotlight).toBe(bobConn);
    expect(bob.view.spotlight).toBe(bobConn);
  });
});
