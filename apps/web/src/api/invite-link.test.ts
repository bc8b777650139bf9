// @vitest-environment happy-dom
import type { InviteResponse } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { createApiClient } from './client';
import { createEndpoints } from './endpoints';

function endpointsAnswering(invite: InviteResponse) {
  const api = createApiClient({
    storage: { load: () => null, save: () => undefined, clear: () => undefined },
    fetch: () =>
      Promise.resolve(
        new Response(JSON.stringify(invite), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        }),
      ),
  });
  return createEndpoints(api);
}

const base = { token: 'tok', expiresAt: '2030-01-01T00:00:00.000Z', maxUses: null };

// A server without PUBLIC_URL answers `/invite/<token>` rather than trust the Host header.
describe('invite links', () => {
  it('a relative link from the server is shown and copied as an absolute one on this origin', async () => {
    const made = await endpointsAnswering({ ...base, url: '/invite/tok' }).rooms.createInvite(
      'room-1',
      { expiresInMinutes: 60 },
    );
    expect(made.url).toBe(`${location.origin}/invite/tok`);
  });

  it('an absolute link (PUBLIC_URL) is kept as it is', async () => {
    const url = 'https://meet.example.org/invite/tok';
    const made = await endpointsAnswering({ ...base, url }).rooms.createInvite('room-1', {
      expiresInMinutes: 60,
    });
    expect(made.url).toBe(url);
  });
});
