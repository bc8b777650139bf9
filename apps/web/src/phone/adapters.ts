import type { Endpoints } from '../api/endpoints';
import type { HistoryApi } from './call-history';
import type { ContactsApi } from './contacts-book';
import type { PhoneApi } from './ports';

// The view models' ports over the app's REST endpoints.

export function phoneApi(endpoints: Endpoints): PhoneApi {
  const c = endpoints.calls;
  return {
    place: async (calleeId, media) => (await c.place(calleeId, media)).call,
    act: async (id, action) => (await c.act(id, action)).call,
    get: async (id) => (await c.get(id)).call,
    active: () => c.list({ filter: 'active', limit: 10 }),
  };
}

export function historyApi(endpoints: Endpoints): HistoryApi {
  return { list: (q) => endpoints.calls.list(q) };
}

export function contactsApi(endpoints: Endpoints): ContactsApi {
  const c = endpoints.contacts;
  return {
    list: async () => (await c.list()).contacts,
    add: async (userId) => (await c.add(userId)).contact,
    remove: (userId) => c.remove(userId),
    search: async (q) => (await c.search(q)).users,
    blocks: async () => (await c.blocks()).blocked,
    block: async (userId) => {
      await c.block(userId);
    },
    unblock: (userId) => c.unblock(userId),
    doNotDisturb: async () => (await c.presence()).doNotDisturb,
    setDoNotDisturb: async (on) => (await c.setPresence({ doNotDisturb: on })).doNotDisturb,
  };
}
