import { expect, test, type Browser, type Page } from '@playwright/test';
import { startCoturn, type RunningCoturn } from '../support/coturn.js';
import { startServer, type RunningServer } from '../support/server.js';

// Two browsers in one room with relay-only ICE (the `?relay=1` user setting): they can
// only see each other if coturn relays the media, with credentials Parley handed out.
let coturn: RunningCoturn;
let server: RunningServer;

test.beforeAll(async () => {
  coturn = await startCoturn();
  server = await startServer({
    TURN_URLS: `turn:127.0.0.1:${coturn.port}?transport=udp`,
    TURN_SECRET: coturn.secret,
    TURN_TTL_SECONDS: '600',
  });
});

// Each test's browsers close with it: a call left running would keep encoding video
// through the relay and slow every test after this one.
let pages: Page[] = [];
test.afterEach(async () => {
  await Promise.all(
    pages.map((p) =>
      p
        .context()
        .close()
        .catch(() => undefined),
    ),
  );
  pages = [];
});

test.afterAll(async () => {
  await server?.stop();
  await coturn?.stop();
});

async function api<T>(path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${server.baseURL}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

type Auth = { user: { id: string }; tokens: { accessToken: string } };

/** A browser page signed in as `auth`, recording every RTCPeerConnection it creates. */
async function signedInPage(browser: Browser, auth: Auth): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.baseURL });
  await context.addInitScript((session) => {
    localStorage.setItem('parley.session', session);
    const Original = window.RTCPeerConnection;
    const all: RTCPeerConnection[] = [];
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
    window.RTCPeerConnection = class extends Original {
      constructor(config?: RTCConfiguration) {
        super(config);
        all.push(this);
      }
    };
  }, JSON.stringify(auth));
  return context.newPage();
}

/** Candidate types of the selected pair of each live peer connection, and its ICE policy. */
function selectedPairs(page: Page) {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const out: { policy: string | undefined; local?: string; remote?: string }[] = [];
    for (const pc of pcs.filter((p) => p.connectionState === 'connected')) {
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
      const transport = [...byId.values()].find((s) => s.type === 'transport');
      const pair = byId.get(transport?.selectedCandidatePairId as string);
      out.push({
        policy: pc.getConfiguration().iceTransportPolicy,
        local: byId.get(pair?.localCandidateId as string)?.candidateType as string | undefined,
        remote: byId.get(pair?.remoteCandidateId as string)?.candidateType as string | undefined,
      });
    }
    return out;
  });
}

test('two browsers with relay forced see each other through coturn', async ({ browser }) => {
  const host = await api<Auth>('/api/auth/register', {
    email: `turn-host-${Date.now()}@example.org`,
    password: 'turn test password 1',
    displayName: 'Relay Host',
  });
  const guest = await api<Auth>('/api/auth/guest', { displayName: 'Relay Guest' });
  const { room } = await api<{ room: { id: string; code: string } }>(
    '/api/rooms',
    { name: 'Relay check', visibility: 'private', entry: 'open' },
    host.tokens.accessToken,
  );
  await api(`/api/rooms/${room.id}/join`, {}, guest.tokens.accessToken);

  pages = [await signedInPage(browser, host), await signedInPage(browser, guest)];
  for (const page of pages) await page.goto(`/r/${room.code}/call?relay=1`);

  for (const page of pages) {
    const remote = page.getByTestId('remote-video').first();
    await expect(remote).toBeVisible({ timeout: 30_000 });
    await expect
      .poll(() => remote.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 30_000 })
      .toBeGreaterThan(0);
  }

  for (const page of pages) {
    const pairs = await selectedPairs(page);
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs)
      expect(pair).toEqual({ policy: 'relay', local: 'relay', remote: 'relay' });
  }
  // coturn saw allocations authenticated with Parley's "<expiry>:<user id>" usernames.
  expect(coturn.log()).toMatch(
    new RegExp(`user <\\d+:${host.user.id}>.*ALLOCATE processed, success`),
  );
  expect(coturn.log()).toMatch(
    new RegExp(`user <\\d+:${guest.user.id}>.*ALLOCATE processed, success`),
  );
});
