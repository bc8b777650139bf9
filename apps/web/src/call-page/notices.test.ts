import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../calls';
import { FakeServer } from '../calls/testing/fake-server';
import { MUTED_HINT_MS } from './model';
import { MAX_NOTICES, NOTICE_MS, NoticeQueue } from './notices';
import { joinAll, openPage, settle } from './testing/page-harness';

/** A clock that only moves when told, and says how many timers are pending. */
function manualClock() {
  let now = 0;
  let nextId = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++nextId;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void pending.delete(id as number),
    setInterval: () => {
      throw new Error('not used');
    },
    clearInterval: () => undefined,
  };
  return {
    clock,
    pending: () => pending.size,
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending]) {
        if (t.at > now) continue;
        pending.delete(id);
        t.fn();
      }
    },
  };
}

describe('NoticeQueue', () => {
  it('each notice goes after NOTICE_MS by the clock', () => {
    const c = manualClock();
    const q = new NoticeQueue(c.clock, () => undefined);
    q.push({ key: 'a' });
    c.advance(1_000);
    q.push({ key: 'b' });
    c.advance(NOTICE_MS - 1_000);
    expect(q.list.map((n) => n.message)).toEqual([{ key: 'b' }]);
    c.advance(1_000);
    expect(q.list).toEqual([]);
    expect(c.pending()).toBe(0);
  });

  it(`shows at most ${MAX_NOTICES}: the oldest gives way and its timer goes with it`, () => {
    const c = manualClock();
    const q = new NoticeQueue(c.clock, () => undefined);
    for (const key of ['a', 'b', 'c', 'd']) q.push({ key });
    expect(q.list.map((n) => n.message)).toEqual([{ key: 'b' }, { key: 'c' }, { key: 'd' }]);
    expect(c.pending()).toBe(MAX_NOTICES);
  });

  it('an error is its own kind of notice', () => {
    const q = new NoticeQueue(manualClock().clock, () => undefined);
    q.push({ error: new Error('x') });
    q.push({ key: 'a' });
    expect(q.list.map((n) => n.kind)).toEqual(['error', 'info']);
  });

  it('dismissing one clears its timer', () => {
    const c = manualClock();
    const changes = vi.fn();
    const q = new NoticeQueue(c.clock, changes);
    q.push({ key: 'a' });
    q.dismiss(q.list[0]!.id);
    expect(q.list).toEqual([]);
    expect(c.pending()).toBe(0);
    expect(changes).toHaveBeenCalledTimes(2);
  });

  it('after dispose no timer is left and nothing more is shown', () => {
    const c = manualClock();
    const changes = vi.fn();
    const q = new NoticeQueue(c.clock, changes);
    q.push({ key: 'a' });
    q.push({ key: 'b' });
    q.dispose();
    expect(c.pending()).toBe(0);
    changes.mockClear();
    q.push({ key: 'c' });
    c.advance(NOTICE_MS);
    expect(changes).not.toHaveBeenCalled();
    expect(q.list).toEqual([]);
  });
});

describe('the page’s notices and hints', () => {
  let server: FakeServer;
  beforeEach(() => {
    vi.useFakeTimers();
    server = new FakeServer();
  });
  afterEach(() => vi.useRealTimers());

  it('a notice on the page expires by the clock', async () => {
    const ada = openPage(server, 'ada', { handed: { role: 'host' } });
    const bob = openPage(server, 'bob');
    await joinAll(ada, bob);
    server.moderate('bob', 'mute');
    await settle();
    expect(bob.view.notices).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(NOTICE_MS);
    expect(bob.view.notices).toEqual([]);
    ada.page.dispose();
    bob.page.dispose();
  });

  it('no notice, reaction or hint timer fires after the page is disposed', async () => {
    const ada = openPage(server, 'ada', { handed: { role: 'host' } });
    const bob = openPage(server, 'bob');
    await joinAll(ada, bob);
    server.moderate('bob', 'mute');
    server.react('ada', '👍');
    await settle();
    expect(bob.view.notices).toHaveLength(1);
    expect(bob.view.reactions).toHaveLength(1);
    bob.page.dispose();
    ada.page.dispose();
    bob.changes.mockClear();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(bob.changes).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('speaking into a muted microphone shows the hint for a few seconds', async () => {
    const ada = openPage(server, 'ada');
    await joinAll(ada);
    await ada.page.toggleMic();
    // The engine decides when speech counts (LocalMedia's MutedSpeechDetector); the page shows it.
    ada.mic.level = 0.9;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ada.view.mutedSpeech).toBe(true);
    ada.mic.level = 0;
    await vi.advanceTimersByTimeAsync(MUTED_HINT_MS);
    expect(ada.view.mutedSpeech).toBe(false);
    ada.page.dispose();
  });
});
