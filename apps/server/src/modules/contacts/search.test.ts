import { CONTACT_LIMITS } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { dialects, testApp } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { escapeLike } from '../../platform/search-key.js';
import { people } from './test-people.js';
import type { Person } from './test-people.js';

// GET /api/users/search on both dialects: display-name prefixes, exact emails, who is
// never listed, and the per-user throttle.

type Found = { id: string; displayName: string; email?: string; isContact: boolean };

describe.each(dialects)('user search on %s', (dialect) => {
  let t: TestApp;
  let clock: ManualClock;
  let p: ReturnType<typeof people>;
  beforeEach(async () => {
    clock = new ManualClock(new Date());
    t = await testApp({ dialect, clock });
    p = people(t);
  });
  afterEach(async () => {
    await t.close();
  });

  const search = async (who: Person, q: string): Promise<Found[]> => {
    const res = await p.call('GET', `/api/users/search?q=${encodeURIComponent(q)}`, who);
    if (res.status !== 200)
      throw new Error(`search ${q}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.users as Found[];
  };
  const names = async (who: Person, q: string) => (await search(who, q)).map((u) => u.displayName);

  it('matches a display-name prefix whatever the case, never the middle of a name, sorted by name', async () => {
    const me = await p.member('Searcher');
    await p.member('Margaret Hamilton');
    await p.member('mary shelley');
    await p.member('MARIE Curie');
    await p.member('Ada Margolis');
    expect(await names(me, 'mar')).toEqual(['Margaret Hamilton', 'MARIE Curie', 'mary shelley']);
    expect(await names(me, 'MARG')).toEqual(['Margaret Hamilton']);
    expect(await names(me, 'margolis')).toEqual([]);
  });

  it('folds case in every script, not only ASCII (SQLite lower() would not)', async () => {
    const me = await p.member('Searcher');
    await p.member('Иван Петров');
    await p.member('Ölaf Ås');
    await p.member('Ｗｉｄｅ Name'); // full-width letters: NFKC makes them plain
    expect(await names(me, 'ив')).toEqual(['Иван Петров']);
    expect(await names(me, 'ИВАН')).toEqual(['Иван Петров']);
    expect(await names(me, 'öla')).toEqual(['Ölaf Ås']);
    expect(await names(me, 'wide')).toEqual(['Ｗｉｄｅ Name']);
  });

  it('% and _ in the query match themselves, not "anything"', async () => {
    const me = await p.member('Searcher');
    await p.member('50% Off');
    await p.member('500 Club');
    await p.member('a_b Corp');
    await p.member('axb Corp');
    await p.member('back\\slash');
    expect(await names(me, '50%')).toEqual(['50% Off']);
    expect(await names(me, 'a_')).toEqual(['a_b Corp']);
    expect(await names(me, '%%')).toEqual([]);
    expect(await names(me, '__')).toEqual([]);
    expect(await names(me, 'back\\')).toEqual(['back\\slash']);
  });

  it('a query shorter than two characters (after trimming) is 400 VALIDATION_FAILED', async () => {
    const me = await p.member('Searcher');
    for (const q of ['a', ' a ', '']) {
      expect(await p.refusal('GET', `/api/users/search?q=${encodeURIComponent(q)}`, me)).toBe(
        '400 VALIDATION_FAILED',
      );
    }
    expect(await p.refusal('GET', '/api/users/search', me)).toBe('400 VALIDATION_FAILED');
  });

  it('an exact email finds its owner and shows the email; a prefix of it finds nothing and never shows one', async () => {
    const me = await p.member('Searcher');
    const ada = await p.member('Ada Lovelace', 'ada.lovelace@example.org');
    await p.member('ada.lovelace@example.org fan');
    const byEmail = await search(me, '  Ada.Lovelace@Example.ORG ');
    expect(byEmail[0]).toEqual({
      id: ada.id,
      displayName: 'Ada Lovelace',
      email: 'ada.lovelace@example.org',
      isContact: false,
    });
    // The fan's name starts with the address: listed, but without any email.
    expect(byEmail.slice(1).map((u) => [u.displayName, 'email' in u])).toEqual([
      ['ada.lovelace@example.org fan', false],
    ]);
    expect(await search(me, 'ada.lovelace@example')).toEqual([
      { id: expect.any(String), displayName: 'ada.lovelace@example.org fan', isContact: false },
    ]);
    for (const u of await search(me, 'ad')) expect(u).not.toHaveProperty('email');
  });

  it('guests, disabled accounts and the caller are never listed; isContact says who is mine', async () => {
    const me = await p.member('Zed Searcher');
    await p.guest('Zed Guest');
    const gone = await p.member('Zed Gone', 'zed.gone@example.org');
    await p.disable(gone);
    const friend = await p.member('Zed Friend');
    await p.member('Zed Stranger');
    await p.call('POST', '/api/contacts', me, { userId: friend.id });
    expect((await search(me, 'zed')).map((u) => [u.displayName, u.isContact])).toEqual([
      ['Zed Friend', true],
      ['Zed Stranger', false],
    ]);
    expect(await search(me, 'zed.gone@example.org')).toEqual([]);
    expect(await search(me, me.email!)).toEqual([]);
  });

  it(`answers at most ${CONTACT_LIMITS.searchResults} people`, async () => {
    const me = await p.member('Searcher');
    for (let i = 0; i < CONTACT_LIMITS.searchResults + 3; i++) {
      await p.member(`Many ${String(i).padStart(2, '0')}`);
    }
    const found = await names(me, 'many');
    expect(found).toHaveLength(CONTACT_LIMITS.searchResults);
    expect(found[0]).toBe('Many 00');
  });

  it('is throttled per user: past the burst 429 RATE_LIMITED with Retry-After, others unaffected, a token back after a second', async () => {
    const me = await p.member('Searcher');
    const other = await p.member('Other');
    for (let i = 0; i < 10; i++) await search(me, 'ab');
    const res = await p.call('GET', '/api/users/search?q=ab', me);
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(res.headers['retry-after']).toBe('1');
    await search(other, 'ab');
    clock.advance(1_000);
    await search(me, 'ab');
    expect((await p.call('GET', '/api/users/search?q=ab', me)).status).toBe(429);
  });
});

describe('escapeLike', () => {
  it('escapes %, _ and the backslash, nothing else', () => {
    expect(escapeLike('50%_a\\b c')).toBe('50\\%\\_a\\\\b c');
  });
});
