import { describe, expect, it, vi } from 'vitest';
import { createAdminEndpoints } from './admin';
import type { ApiClient, RequestOptions } from './client';
import { createEndpoints } from './endpoints';
import { queryString } from './query-string';

describe('queryString', () => {
  it('keeps the set values, in order, encoded; leaves out undefined, null and empty', () => {
    expect(queryString({ a: 'x y', b: undefined, c: null, d: '', e: 0, f: 'é&' })).toBe(
      '?a=x+y&e=0&f=%C3%A9%26',
    );
    expect(queryString({ a: undefined })).toBe('');
  });
});

describe('the list endpoints build their addresses with it', () => {
  function recording() {
    const asked: { path: string; options: RequestOptions | undefined }[] = [];
    const request = vi.fn((path: string, options?: RequestOptions) => {
      asked.push({ path, options });
      return Promise.resolve(undefined as never);
    });
    const api = { request } as unknown as ApiClient;
    return { e: createEndpoints(api), admin: createAdminEndpoints(api), asked };
  }

  it('calls, appointments and the member search', async () => {
    const { e, asked } = recording();
    await e.calls.list();
    await e.calls.list({ filter: 'missed', cursor: 'c/1', limit: 10 });
    await e.appointments.list({ when: 'past', as: 'all', cursor: null });
    await e.contacts.search('Zoë B');
    expect(asked.map((a) => a.path)).toEqual([
      '/api/calls?filter=all',
      '/api/calls?filter=missed&cursor=c%2F1&limit=10',
      '/api/appointments?when=past&as=all',
      '/api/users/search?q=Zo%C3%AB+B',
    ]);
  });

  it('the public settings are asked without a token, outside the admin endpoints', async () => {
    const { e, admin, asked } = recording();
    await e.settings.public();
    expect(asked).toEqual([{ path: '/api/settings', options: { auth: false } }]);
    expect('public' in admin.settings).toBe(false);
  });
});
