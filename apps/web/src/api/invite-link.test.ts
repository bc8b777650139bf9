// @vitest-environment happy-dom
import type { Invite } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { createApiClient } from './client';
import { createEndpoints } from './endpoints';

function endpointsAnswering(body: unknown, status = 200) {
  const api = createApiClient({
    storage: { load: () => null, save: () => undefined, clear: () => undefined },
    fetch: () =>
      Promise.resolve(
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        }),
      ),
  });
  return createEndpoints(api);
}

const base: Invite = {
  code: 'abcde-fghij',
  url: '/i/abcde-fghij',
  roomId: '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12',
  createdAt: '2030-01-01T00:00:00.000Z',
  createdBy: { id: '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11', displayName: 'Ada' },
  expiresAt: '2030-01-02T00:00:00.000Z',
  maxUses: null,
  uses: 0,
  skipLobby: false,
  revokedAt: null,
  status: 'active',
};

// A server without PUBLIC_URL answers `/i/<code>` rather than trust the Host header.
describe('invite links', () => {
  it('a relative link from the server is shown and copied as an absolute one on this origin', async () => {
    const made = await endpointsAnswering({ invite: base }, 201).rooms.createInvite('room-1', {
      expiresInMinutes: 60,
    });
    expect(made.invite.url).toBe(`${location.origin}/i/abcde-fghij`);
  });

  it('an absolute link (PUBLIC_URL) is kept as it is', async () => {
    const url = 'https://meet.example.org/i/abcde-fghij';
    const made = await endpointsAnswering({ invite: { ...base, url } }, 201).rooms.createInvite(
      'room-1',
      { expiresInMinutes: 60 },
    );
    expect(made.invite.url).toBe(url);
  });

  it("the room's list gets absolute links too", async () => {
    const { invites } = await endpointsAnswering({
      invites: [base, { ...base, code: 'kmnpq-rstuv', url: '/i/kmnpq-rstuv' }],
    }).rooms.invites('room-1');
    expect(invites.map((i) => i.url)).toEqual([
      `${location.origin}/i/abcde-fghij`,
      `${location.origin}/i/kmnpq-rstuv`,
    ]);
  });
});
