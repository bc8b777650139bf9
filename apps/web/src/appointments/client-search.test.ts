import type { UserSearchResult } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { ClientSearch } from './client-search';
import { CLIENT, PROVIDER } from './testing/fixtures';
import { FakeClock } from './testing/fake-clock';

const user = (p: { id: string; displayName: string }): UserSearchResult => ({
  ...p,
  isContact: false,
});
const settle = () => new Promise<void>((r) => setTimeout(r, 0));

describe('ClientSearch', () => {
  it('searches once typing pauses, and never offers the provider as their own client', async () => {
    const clock = new FakeClock();
    const asked: string[] = [];
    const search = new ClientSearch({
      selfId: PROVIDER.id,
      clock,
      debounceMs: 250,
      search: (q) => {
        asked.push(q);
        return Promise.resolve([user(PROVIDER), user(CLIENT)]);
      },
    });
    search.type('c');
    expect(search.state.kind).toBe('idle');
    search.type('ca');
    search.type('car');
    clock.advance(249);
    expect(asked).toEqual([]);
    clock.advance(1);
    await settle();
    expect(asked).toEqual(['car']);
    expect(search.state).toEqual({ kind: 'results', query: 'car', users: [user(CLIENT)] });
  });

  it('drops the answer of a query typed over', async () => {
    const clock = new FakeClock();
    let release: (u: UserSearchResult[]) => void = () => undefined;
    const search = new ClientSearch({
      selfId: PROVIDER.id,
      clock,
      search: (q) =>
        q === 'old' ? new Promise((r) => (release = r)) : Promise.resolve([user(CLIENT)]),
    });
    search.type('old');
    clock.advance(300);
    search.type('new');
    clock.advance(300);
    await settle();
    release([user({ id: PROVIDER.id.replace('1', '3'), displayName: 'Stale' })]);
    await settle();
    expect(search.state).toMatchObject({ kind: 'results', query: 'new' });
  });
});
