import type { Contact, Presence, UserSearchResult } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import { ContactsBook } from './contacts-book';
import type { BlockedUser, ContactsApi } from './contacts-book';

const ADA = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const BOB = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const CY = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

const offline: Presence = { online: false, lastSeenAt: null, doNotDisturb: false };
const online: Presence = { online: true, lastSeenAt: null, doNotDisturb: false };
const contact = (id: string, name: string, presence = offline): Contact => ({
  user: { id, displayName: name },
  presence,
  addedAt: '2025-01-01T00:00:00.000Z',
});

class FakeContactsApi implements ContactsApi {
  contacts: Contact[] = [contact(ADA, 'Ada'), contact(BOB, 'Bob', online)];
  blocked: BlockedUser[] = [];
  dnd = false;
  searches: string[] = [];
  results: UserSearchResult[] = [{ id: CY, displayName: 'Cy', isContact: false }];
  list = () => Promise.resolve(this.contacts);
  add = (userId: string) => {
    const c = contact(userId, 'Cy');
    this.contacts = [...this.contacts, c];
    return Promise.resolve(c);
  };
  remove = (userId: string) => {
    this.contacts = this.contacts.filter((c) => c.user.id !== userId);
    return Promise.resolve();
  };
  search = (q: string) => {
    this.searches.push(q);
    return Promise.resolve(this.results);
  };
  blocks = () => Promise.resolve(this.blocked);
  block = (userId: string) => {
    this.blocked = [
      { user: { id: userId, displayName: 'x' }, blockedAt: '2025-01-01T00:00:00.000Z' },
    ];
    this.contacts = this.contacts.filter((c) => c.user.id !== userId);
    return Promise.resolve();
  };
  unblock = () => {
    this.blocked = [];
    return Promise.resolve();
  };
  doNotDisturb = () => Promise.resolve(this.dnd);
  setDoNotDisturb = (on: boolean) => Promise.resolve((this.dnd = on));
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const api = new FakeContactsApi();
  const book = new ContactsBook({ api, debounceMs: 300 });
  return { api, book };
}

describe('ContactsBook', () => {
  it('lists online contacts first', async () => {
    const { book } = setup();
    await book.load();
    expect(book.state.contacts?.map((c) => c.user.displayName)).toEqual(['Bob', 'Ada']);
  });

  it('moves a contact when their presence changes', async () => {
    const { book } = setup();
    await book.load();
    book.applyPresence({ userId: ADA, presence: online });
    book.applyPresence({
      userId: BOB,
      presence: { ...offline, lastSeenAt: '2025-01-01T00:00:00.000Z' },
    });
    expect(book.state.contacts?.map((c) => [c.user.displayName, c.presence.online])).toEqual([
      ['Ada', true],
      ['Bob', false],
    ]);
  });

  it('searches only from two characters, once typing pauses', async () => {
    const { api, book } = setup();
    book.setQuery('c');
    expect(book.state.search.kind).toBe('idle');
    book.setQuery('cy');
    book.setQuery('cy ');
    book.setQuery('cyr');
    expect(book.state.search).toEqual({ kind: 'waiting', query: 'cyr' });
    await vi.advanceTimersByTimeAsync(299);
    expect(api.searches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.searches).toEqual(['cyr']);
    expect(book.state.search).toMatchObject({ kind: 'results', query: 'cyr' });
  });

  it('drops the answer of a search the person typed past', async () => {
    const { api, book } = setup();
    let release!: () => void;
    api.search = (q) => {
      api.searches.push(q);
      return new Promise((resolve) => {
        release = () => resolve(api.results);
      });
    };
    book.setQuery('cy');
    await vi.advanceTimersByTimeAsync(300);
    book.setQuery('c');
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(book.state.search.kind).toBe('idle');
  });

  it('adding from the results marks the result as a contact', async () => {
    const { book } = setup();
    await book.load();
    book.setQuery('cy');
    await vi.advanceTimersByTimeAsync(300);
    await book.add({ id: CY, displayName: 'Cy' });
    expect(book.state.contacts?.map((c) => c.user.id)).toContain(CY);
    expect(book.state.search).toMatchObject({ users: [{ id: CY, isContact: true }] });
    expect(book.state.busy.size).toBe(0);
  });

  it('blocking reads the lists again', async () => {
    const { book } = setup();
    await book.load();
    await book.block({ id: ADA, displayName: 'Ada' });
    expect(book.state.contacts?.map((c) => c.user.id)).toEqual([BOB]);
    expect(book.state.blocked.map((b) => b.user.id)).toEqual([ADA]);
    await book.unblock(ADA);
    expect(book.state.blocked).toEqual([]);
  });

  it('a failed action is kept for the alert; do-not-disturb falls back', async () => {
    const { api, book } = setup();
    await book.load();
    api.setDoNotDisturb = () => Promise.reject(new ApiError(0, 'NETWORK_ERROR', 'x'));
    await book.setDoNotDisturb(true);
    expect(book.state.doNotDisturb).toBe(false);
    expect(book.state.actionError).toBeInstanceOf(ApiError);
  });
});
