import type { Call, CallFilter, ListCallsResponse } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { CallHistory } from './call-history';
import { ME, makeCall, myCall } from './testing/fakes';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function setup(pages: Record<string, ListCallsResponse>) {
  const asked: string[] = [];
  const unseen: string[][] = [];
  const history = new CallHistory({
    userId: ME,
    api: {
      list: ({ filter, cursor }: { filter: CallFilter; cursor?: string | null }) => {
        const key = `${filter}:${cursor ?? ''}`;
        asked.push(key);
        const page = pages[key];
        return page ? Promise.resolve(page) : Promise.reject(new Error(`no page ${key}`));
      },
    },
    onUnseen: (ids) => unseen.push(ids),
  });
  return { history, asked, unseen };
}

const page = (calls: Call[], nextCursor: string | null = null): ListCallsResponse => ({
  calls,
  nextCursor,
  unseenMissed: 0,
});

describe('CallHistory', () => {
  it('loads pages in order and reports unseen missed calls to mark them seen', async () => {
    const missed = makeCall({ id: id(1), state: 'missed', missedUnseen: true });
    const { history, asked, unseen } = setup({
      'all:': page([missed, myCall({ id: id(2), state: 'ended' })], 'c2'),
      'all:c2': page([myCall({ id: id(3), state: 'rejected' })]),
    });
    await history.load();
    expect(history.state.calls.map((c) => c.id)).toEqual([id(1), id(2)]);
    expect(unseen).toEqual([[id(1)]]);
    await history.loadMore();
    expect(asked).toEqual(['all:', 'all:c2']);
    expect(history.state.calls.map((c) => c.id)).toEqual([id(1), id(2), id(3)]);
    expect(history.state.nextCursor).toBeNull();
  });

  it('switching the filter drops the answer of the old one', async () => {
    const { history } = setup({
      'all:': page([myCall({ id: id(1), state: 'ended' })]),
      'missed:': page([makeCall({ id: id(2), state: 'missed' })]),
    });
    const first = history.load('all');
    const second = history.load('missed');
    await Promise.all([first, second]);
    expect(history.state.filter).toBe('missed');
    expect(history.state.calls.map((c) => c.id)).toEqual([id(2)]);
  });

  it('a new call goes on top; a call that leaves the filter leaves the list', async () => {
    const { history } = setup({ 'active:': page([makeCall({ id: id(1), state: 'accepted' })]) });
    await history.load('active');
    history.upsert(makeCall({ id: id(2), state: 'ringing' }));
    expect(history.state.calls.map((c) => c.id)).toEqual([id(2), id(1)]);
    history.upsert(makeCall({ id: id(1), state: 'ended', durationSeconds: 12 }));
    expect(history.state.calls.map((c) => c.id)).toEqual([id(2)]);
  });

  it('a failed load can be retried', async () => {
    const { history } = setup({});
    await history.load();
    expect(history.state.status).toBe('failed');
  });
});
