import { CONTACT_LIMITS } from '@parley/protocol';
import type { UserSearchResult } from '@parley/protocol';
import type { RateLimiter } from '../../platform/live/index.js';
import { escapeLike, searchKey } from '../../platform/search-key.js';
import { normalizeEmail } from '../users/index.js';
import { ContactErrors } from './errors.js';
import type { ContactsRepo } from './repo.js';

export type SearchDeps = {
  repo: ContactsRepo;
  /** Per user across processes: search must not become a way to list every member. */
  limiter: RateLimiter;
};

/**
 * Finding people to add or call: members whose display name starts with the query (case
 * does not matter), or the one whose email is exactly the query. An email is shown only
 * on that exact match, so search never tells anyone an address they did not type.
 * Guests, disabled accounts and the caller are never listed. `q` comes trimmed and at
 * least CONTACT_LIMITS.searchMinLength long (the protocol schema).
 */
export function createUserSearch(deps: SearchDeps) {
  const { repo, limiter } = deps;
  return async function search(callerId: string, q: string): Promise<UserSearchResult[]> {
    const wait = await limiter.take(callerId);
    if (wait > 0) throw ContactErrors.searchThrottled(wait);
    const email = normalizeEmail(q);
    const rows = await repo.search({
      callerId,
      namePattern: `${escapeLike(searchKey(q))}%`,
      email,
      limit: CONTACT_LIMITS.searchResults,
    });
    return rows.map((r) => ({
      id: r.id,
      displayName: r.displayName,
      ...(r.email === email ? { email: r.email } : {}),
      isContact: r.isContact,
    }));
  };
}
