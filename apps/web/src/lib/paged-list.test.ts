import { describe, expect, it } from 'vitest';
import { PagedList } from './paged-list';
import type { Page, PagedListOptions } from './paged-list';
import { deferred } from './testing/deferred';

type Row = { id: string; v?: number };
type Filter = { q: string };
const rows = (...ids: string[]): Row[] => ids.map((id) => ({ id }));

/** A source whose answers the test hands out, one per request, in order. */
function scripted(options: PagedListOptions<Filter> = {}) {
  const calls: {
    filter: Filter;
    cursor: string | null;
    answer: ReturnType<typeof deferred<Page<Row>>>;
  }[] = [];
  const list = new PagedList<Row, Filter>(
    (filter, cursor) => {
      const answer = deferred<Page<Row>>();
      calls.push({ filter, cursor, answer });
      return answer.promise;
    },
    { q: '' },
    options,
  );
  return { list, calls, ids: () => list.state.items.map((r) => r.id) };
}

describe('PagedList', () => {
  it('loads the first page, then appends the next by cursor without repeating a row', async () => {
    const { list, calls, ids } = scripted();
    const first = list.load();
    expect(list.state.status).toBe('loading');
    calls[0]!.answer.resolve({ items: rows('a', 'b'), nextCursor: 'c1' });
    await first;
    expect([ids(), list.state.status, list.state.nextCursor]).toEqual([['a', 'b'], 'ready', 'c1']);

    const more = list.loadMore();
    expect(list.state.status).toBe('more');
    expect(calls[1]!.cursor).toBe('c1');
    calls[1]!.answer.resolve({ items: rows('b', 'c'), nextCursor: null });
    await more;
    expect(ids()).toEqual(['a', 'b', 'c']);
    expect(list.state.nextCursor).toBeNull();
    await list.loadMore();
    expect(calls).toHaveLength(2);
  });

  it('a new filter starts over and drops a late answer for the old one', async () => {
    const { list, calls, ids } = scripted();
    const old = list.load({ q: 'an' });
    const fresh = list.load({ q: 'ann' });
    expect(list.state.items).toEqual([]);
    calls[1]!.answer.resolve({ items: rows('ann'), nextCursor: null });
    await fresh;
    calls[0]!.answer.resolve({ items: rows('andy', 'ann'), nextCursor: 'x' });
    await old;
    expect([ids(), list.state.filter, list.state.nextCursor]).toEqual([
      ['ann'],
      { q: 'ann' },
      null,
    ]);
  });

  it('a failed first page is `failed`; a failed "more" keeps the rows and says why', async () => {
    const { list, calls, ids } = scripted();
    const first = list.load();
    calls[0]!.answer.reject(new Error('down'));
    await first;
    expect(list.state.status).toBe('failed');

    const retry = list.load();
    calls[1]!.answer.resolve({ items: rows('a'), nextCursor: 'c' });
    await retry;
    const more = list.loadMore();
    calls[2]!.answer.reject(new Error('blip'));
    await more;
    expect([ids(), list.state.status, (list.state.error as Error).message]).toEqual([
      ['a'],
      'ready',
      'blip',
    ]);
    expect(list.state.nextCursor).toBe('c');
  });

  it('replaces a changed row in place and removes one that left the list', async () => {
    const { list, calls, ids } = scripted();
    const first = list.load();
    calls[0]!.answer.resolve({ items: rows('a', 'b', 'c'), nextCursor: null });
    await first;
    list.replace({ id: 'b', v: 2 });
    list.replace({ id: 'zzz', v: 9 });
    expect(list.state.items).toEqual([{ id: 'a' }, { id: 'b', v: 2 }, { id: 'c' }]);
    list.remove('a');
    expect(ids()).toEqual(['b', 'c']);
  });

  it('says nothing after it is disposed', async () => {
    const { list, calls } = scripted();
    const seen: string[] = [];
    list.on('change', (s) => seen.push(s.status));
    const first = list.load();
    list.dispose();
    calls[0]!.answer.resolve({ items: rows('a'), nextCursor: null });
    await first;
    expect(seen).toEqual(['loading']);
  });

  it("tells which pages it took in, never one dropped as an older filter's", async () => {
    const { list, calls } = scripted();
    const taken: string[][] = [];
    list.on('page', (items) => taken.push(items.map((r) => r.id)));
    const old = list.load({ q: 'a' });
    const fresh = list.load({ q: 'b' });
    calls[1]!.answer.resolve({ items: rows('b1'), nextCursor: 'n' });
    await fresh;
    calls[0]!.answer.resolve({ items: rows('a1'), nextCursor: null });
    await old;
    const more = list.loadMore();
    calls[2]!.answer.resolve({ items: rows('b2'), nextCursor: null });
    await more;
    expect(taken).toEqual([['b1'], ['b2']]);
  });

  it('a filter equal by the given rule is the same list: its rows stay while it reloads', async () => {
    const { list, calls, ids } = scripted({ sameFilter: (a, b) => a.q === b.q });
    const first = list.load({ q: 'x' });
    calls[0]!.answer.resolve({ items: rows('a'), nextCursor: null });
    await first;
    void list.load({ q: 'x' });
    expect([ids(), list.state.status]).toEqual([['a'], 'loading']);
    void list.load({ q: 'y' });
    expect(ids()).toEqual([]);
  });

  it('takes the rows a page rearranged by its own rule, keeping the cursor', async () => {
    const { list, calls, ids } = scripted();
    const first = list.load();
    calls[0]!.answer.resolve({ items: rows('a', 'b'), nextCursor: 'c' });
    await first;
    list.setItems(rows('new', 'b'));
    expect([ids(), list.state.nextCursor, list.state.status]).toEqual([['new', 'b'], 'c', 'ready']);
  });
});
