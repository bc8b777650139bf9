import { afterEach, describe, expect, it } from 'vitest';
import { AppointmentsServer } from './modules/appointments/test-appointments.js';
import { dialects, json, newAccount, testApp } from './test/harness.js';
import type { TestApp } from './test/harness.js';
import type { Config } from './platform/config.js';

// Without PUBLIC_URL, links used to be built from the request's Host header: anyone could
// get a genuine invite link (or calendar file) pointing at a site of their choosing.
describe.each(dialects)('links never take their origin from an untrusted Host on %s', (dialect) => {
  let t: TestApp | undefined;
  let b: AppointmentsServer | undefined;
  afterEach(async () => {
    await t?.close();
    await b?.s.close();
    t = b = undefined;
  });

  async function inviteWith(config: Partial<Config>, headers: Record<string, string>) {
    t = await testApp({ dialect, config: { publicUrl: undefined, ...config } });
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      ...json(newAccount()),
    });
    const auth = { authorization: `Bearer ${reg.json().tokens.accessToken}` };
    const room = await t.app.inject({
      method: 'POST',
      url: '/api/rooms',
      ...json({ name: 'Call', visibility: 'private', entry: 'approval' }),
      headers: { ...auth, 'content-type': 'application/json' },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.json().room.id}/invites`,
      ...json({ expiresInMinutes: 60 }),
      headers: { ...auth, 'content-type': 'application/json', ...headers },
    });
    expect(res.statusCode).toBe(201);
    return { body: res.body, invite: res.json<{ invite: { code: string; url: string } }>().invite };
  }

  it('Host: evil.example gets a relative invite link, and evil.example appears nowhere', async () => {
    const { body, invite } = await inviteWith({}, { host: 'evil.example' });
    expect(invite.url).toBe(`/i/${invite.code}`);
    expect(body).not.toContain('evil.example');
  });

  it('X-Forwarded-Host from a trusted proxy is held to the same rule', async () => {
    const { body, invite } = await inviteWith(
      { trustProxy: ['loopback'] },
      { host: 'localhost:8080', 'x-forwarded-host': 'evil.example' },
    );
    expect(invite.url).toBe(`/i/${invite.code}`);
    expect(body).not.toContain('evil.example');
  });

  it('a loopback Host (npm start on this machine) gets an absolute link', async () => {
    for (const host of ['localhost:8080', '127.0.0.1:5173', '[::1]:8080', 'localhost']) {
      const { invite } = await inviteWith({}, { host });
      expect(invite.url).toBe(`http://${host}/i/${invite.code}`);
      await t!.close();
      t = undefined;
    }
  });

  it('a Host that is one of CORS_ORIGINS gets that origin; PUBLIC_URL always wins', async () => {
    const cors = await inviteWith(
      { corsOrigins: ['https://meet.example.org'] },
      { host: 'meet.example.org' },
    );
    expect(cors.invite.url).toBe(`https://meet.example.org/i/${cors.invite.code}`);
    await t!.close();
    t = undefined;
    const pub = await inviteWith(
      { publicUrl: 'https://parley.example.org' },
      { host: 'evil.example' },
    );
    expect(pub.invite.url).toBe(`https://parley.example.org/i/${pub.invite.code}`);
    expect(pub.body).not.toContain('evil.example');
  });

  it('the calendar file of an appointment never links to the Host it was asked with', async () => {
    b = await AppointmentsServer.start(dialect, { publicUrl: undefined });
    const { provider, client } = await b.people();
    const a = await b.bookViaApi(provider, client, { title: 'Check-in' });
    const res = await b.s.t.app.inject({
      method: 'GET',
      url: `/api/appointments/${a.id}/calendar.ics`,
      headers: { authorization: `Bearer ${client.token}`, host: 'evil.example' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('evil.example');
    expect(res.body).toContain(`UID:${a.id}@parley`);
  });
});
