import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import { newAccount, testConfig } from '../test/harness.js';
import type { TestApp } from '../test/harness.js';
import { deployments, twoProcesses } from '../test/deployment.js';
import { injectJson } from '../test/inject.js';
import { forgedInvite, missingRoomCode } from './forge.js';

// Guessing secrets (room codes, room passwords, invite links, account passwords) is
// throttled per IP and per target, in the live state: a guesser spreading attempts over
// two processes of one deployment is stopped at exactly the count one process allows.
// On memory (two apps sharing one live state) always; on Redis (two connections under one
// key prefix, as two processes) when TEST_REDIS_URL is set. Windows are on a fake clock.
//
// On one process only, rooms.routes.test.ts already shows "throttles an IP that guesses
// codes" and the per-person password limit; auth.routes.test.ts the login limits.

/** As app.ts configures the limiters (15-minute windows). */
const LIMITS = {
  roomLookupPerIp: 60,
  passwordPerRoomAndPerson: 10,
  passwordPerRoomAndIp: 30,
  inviteLookupPerIp: 30,
  windowMs: 15 * 60_000,
};
const LOGIN = testConfig().loginThrottle;

type Res = Awaited<ReturnType<TestApp['app']['inject']>>;
type Who = { id: string; token: string; email: string; password: string };
type Method = 'GET' | 'POST';

describe.each(deployments)('brute force, live state in $live, database $dialect', (where) => {
  let clock: ManualClock;
  let a: TestApp;
  let b: TestApp;
  let close: () => Promise<void>;
  beforeEach(async () => {
    clock = new ManualClock(new Date());
    ({ a, b, close } = await twoProcesses({ ...where, clock }));
  });
  afterEach(async () => close());

  /** The first process only, or every attempt on the other process than the last. */
  const onOne = () => a;
  const spread = (i: number) => (i % 2 === 0 ? a : b);

  function call(app: TestApp, ip: string, method: Method, url: string, who?: Who, body?: unknown) {
    return injectJson(app.app, method, url, { ip, token: who?.token, body });
  }

  async function member(app: TestApp = a): Promise<Who> {
    const account = newAccount('bf');
    const res = await call(app, '192.0.2.250', 'POST', '/api/auth/register', undefined, account);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    return { id: body.user.id, token: body.tokens.accessToken, ...account };
  }

  /** A fresh access token (the old one ran out while the clock moved on). */
  async function signIn(who: Who, ip = '192.0.2.250'): Promise<Who> {
    const res = await call(a, ip, 'POST', '/api/auth/login', undefined, {
      email: who.email,
      password: who.password,
    });
    expect(res.statusCode).toBe(200);
    return { ...who, token: res.json().tokens.accessToken };
  }

  async function createRoom(host: Who, body: Record<string, unknown> = {}) {
    const res = await call(a, '192.0.2.250', 'POST', '/api/rooms', host, {
      name: 'Vault',
      visibility: 'private',
      entry: 'open',
      ...body,
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ room: { id: string; code: string } }>().room;
  }

  /**
   * Attempts until the first 429: how many got through (each must be the plain miss,
   * indistinguishable from any other), and the refusal, which must be a throttle.
   */
  async function allowedBeforeThrottle(
    attempt: (i: number) => Promise<Res>,
    miss: { status: number; code: string },
    ceiling = 200,
  ): Promise<number> {
    for (let i = 0; i < ceiling; i++) {
      const res = await attempt(i);
      if (res.statusCode === 429) {
        expectThrottled(res);
        return i;
      }
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({
        status: miss.status,
        code: miss.code,
      });
    }
    throw new Error(`still not throttled after ${ceiling} attempts`);
  }

  function expectThrottled(res: Res) {
    expect(res.statusCode).toBe(429);
    expect(res.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LIMITS.windowMs / 1000);
  }

  it('room codes: an IP looking up codes that do not exist is stopped after 60, however it spreads them; other IPs are not; the window ends', async () => {
    const host = await member();
    const room = await createRoom(host);
    const prober = await member();
    // GET lookups and POST joins count alike: both resolve the code.
    const probe = (app: TestApp, ip: string, i: number, code = missingRoomCode()) =>
      i % 3 === 2
        ? call(app, ip, 'POST', `/api/rooms/${code}/join`, prober, {})
        : call(app, ip, 'GET', `/api/rooms/${code}`, prober);
    const miss = { status: 404, code: 'ROOM_NOT_FOUND' };

    expect(await allowedBeforeThrottle((i) => probe(onOne(), '198.51.100.1', i), miss)).toBe(
      LIMITS.roomLookupPerIp,
    );
    expect(await allowedBeforeThrottle((i) => probe(spread(i), '198.51.100.2', i), miss)).toBe(
      LIMITS.roomLookupPerIp,
    );

    // Blocked means blocked: even a code that exists, on either process.
    expectThrottled(await probe(a, '198.51.100.2', 0, room.code));
    expectThrottled(await probe(b, '198.51.100.2', 2, room.code));
    expect((await probe(b, '198.51.100.3', 0, room.code)).statusCode).toBe(200);

    clock.advance(LIMITS.windowMs + 1000);
    const back = await call(
      b,
      '198.51.100.2',
      'GET',
      `/api/rooms/${room.code}`,
      await signIn(prober),
    );
    expect(back.statusCode).toBe(200);
  });

  /**
   * Three people behind one IP guess a room's password until each is stopped; a fourth
   * from that IP is then refused at once, even with the right password.
   */
  async function passwordSiege(pick: (i: number) => TestApp, ip: string) {
    const host = await member();
    const room = await createRoom(host, { entry: 'password', password: 'open sesame' });
    const people = [await member(), await member(), await member()];
    const allowed: number[] = [];
    for (const who of people) {
      allowed.push(
        await allowedBeforeThrottle(
          (i) =>
            call(pick(i), ip, 'POST', `/api/rooms/${room.id}/join`, who, {
              password: `guess ${i}`,
            }),
          { status: 403, code: 'BAD_ROOM_PASSWORD' },
        ),
      );
    }
    const fourth = await member();
    const right = { password: 'open sesame' };
    const refused = await call(pick(1), ip, 'POST', `/api/rooms/${room.id}/join`, fourth, right);
    return { room, people, fourth, allowed, refused, right };
  }

  it('room passwords: stopped after 10 wrong per room and person and 30 per room and IP, counted across processes; another room or IP is another count', async () => {
    const single = await passwordSiege(onOne, '203.0.113.1');
    const spreadOut = await passwordSiege(spread, '203.0.113.2');
    const { passwordPerRoomAndPerson: perPerson, passwordPerRoomAndIp: perIp } = LIMITS;
    expect(perIp).toBe(3 * perPerson); // the fourth person meets the per-IP limit untouched
    for (const siege of [single, spreadOut]) {
      expect(siege.allowed).toEqual([perPerson, perPerson, perPerson]);
      expectThrottled(siege.refused);
    }
    const { room, people, fourth, right } = spreadOut;
    const join = (app: TestApp, ip: string, who: Who, body: unknown, roomId = room.id) =>
      call(app, ip, 'POST', `/api/rooms/${roomId}/join`, who, body);

    // The person is the target too: a stopped guesser moving to another IP stays stopped.
    expectThrottled(await join(b, '203.0.113.99', people[0]!, right));
    // Somebody else from another IP is not held back by the siege.
    expect((await join(a, '203.0.113.99', fourth, right)).json().status).toBe('approved');
    // Another room from the same IP and person: its own count.
    const host = await member();
    const other = await createRoom(host, { entry: 'password', password: 'other door' });
    expect(
      (await join(b, '203.0.113.2', people[1]!, { password: 'nope' }, other.id)).statusCode,
    ).toBe(403);

    clock.advance(LIMITS.windowMs + 1000);
    const again = await join(a, '203.0.113.2', await signIn(people[0]!), right);
    expect(again.json().status).toBe('approved');
  });

  it('invite links: an IP trying made-up codes (404 INVITE_NOT_FOUND) is stopped after 30, however it spreads them; real links from elsewhere still work; the window ends', async () => {
    const host = await member();
    const room = await createRoom(host);
    const res = await call(a, '192.0.2.250', 'POST', `/api/rooms/${room.id}/invites`, host, {
      expiresInMinutes: 60,
    });
    const real = res.json().invite.code as string;
    const probe = (app: TestApp, ip: string, i: number, token = forgedInvite()) =>
      i % 2 === 1
        ? call(app, ip, 'POST', `/api/invites/${token}/accept`, undefined, { displayName: 'Guess' })
        : call(app, ip, 'GET', `/api/invites/${token}`);
    const miss = { status: 404, code: 'INVITE_NOT_FOUND' };

    expect(await allowedBeforeThrottle((i) => probe(onOne(), '198.51.100.11', i), miss)).toBe(
      LIMITS.inviteLookupPerIp,
    );
    expect(await allowedBeforeThrottle((i) => probe(spread(i), '198.51.100.12', i), miss)).toBe(
      LIMITS.inviteLookupPerIp,
    );
    // Blocked means blocked, the real link included; from another IP it works.
    expectThrottled(await probe(b, '198.51.100.12', 0, real));
    expectThrottled(await probe(a, '198.51.100.12', 1, real));
    expect((await probe(b, '198.51.100.13', 0, real)).statusCode).toBe(200);

    clock.advance(LIMITS.windowMs + 1000);
    expect((await probe(a, '198.51.100.12', 1, real)).statusCode).toBe(200);
  });

  it('invite links: a real link that expired is no guess; looking it up again and again is never throttled', async () => {
    const host = await member();
    const room = await createRoom(host);
    const res = await call(a, '192.0.2.250', 'POST', `/api/rooms/${room.id}/invites`, host, {
      expiresInMinutes: 1,
    });
    const stale = res.json().invite.code as string;
    clock.advance(2 * 60_000);
    for (let i = 0; i < LIMITS.inviteLookupPerIp + 10; i++) {
      const r = await call(spread(i), '198.51.100.21', 'GET', `/api/invites/${stale}`);
      expect(r.statusCode).toBe(410);
    }
  });

  // The per-account rule (who is throttled when one account is attacked) is the login
  // module's own (auth.routes.test.ts); here only the per-IP ceiling, across processes.
  it('logins: an IP spraying accounts is stopped at the per-IP limit, however it spreads them; the account owner elsewhere is not', async () => {
    const owner = await member();
    const spray = (app: TestApp, ip: string, i: number) =>
      call(app, ip, 'POST', '/api/auth/login', undefined, {
        // A new address every time: no account's own limit is ever what stops it.
        email: `nobody${i}.${ip}@example.org`,
        password: `guess number ${i}`,
      });
    const miss = { status: 401, code: 'INVALID_CREDENTIALS' };
    expect(await allowedBeforeThrottle((i) => spray(onOne(), '198.51.100.31', i), miss)).toBe(
      LOGIN.perIp,
    );
    expect(await allowedBeforeThrottle((i) => spray(spread(i), '198.51.100.32', i), miss)).toBe(
      LOGIN.perIp,
    );
    const fromHome = await call(b, '192.0.2.7', 'POST', '/api/auth/login', undefined, {
      email: owner.email,
      password: owner.password,
    });
    expect(fromHome.statusCode).toBe(200);
  });
});
