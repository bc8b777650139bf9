import { randomBytes } from 'node:crypto';
import { QUALITY_LIMITS } from '@parley/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { TEST_REDIS_URL } from '../../platform/live/redis/testing.js';
import { testLives } from '../../test/deployment.js';
import { TEST_DATABASE_URL, testConfig } from '../../test/harness.js';
import type { Dialect } from '../../test/harness.js';
import { AppointmentsServer, MINUTE } from '../appointments/test-appointments.js';
import type { TestClient } from '../signaling/test-client.js';
import { SignalingServer, eventually } from '../signaling/test-server.js';
import type { Person } from '../signaling/test-server.js';
import { TOTALS_FRESH_MS } from './live-readings.js';
import { startMetricsServer } from './metrics-server.js';
import { Exposition } from './test-exposition.js';

// `/metrics` end to end: a real listening app, real sockets, REST by inject, fake time.
// Each test drives traffic on a fresh app and reads the exposition a scraper would get,
// so every number asserted is exactly what that test caused. SQLite with memory live
// state always; PostgreSQL and Redis too when TEST_DATABASE_URL / TEST_REDIS_URL are set.

type Setup = { dialect: Dialect; redis: boolean };
const SETUPS: Setup[] = [
  { dialect: 'sqlite', redis: false },
  ...(TEST_DATABASE_URL || TEST_REDIS_URL
    ? [
        {
          dialect: TEST_DATABASE_URL ? ('postgres' as const) : ('sqlite' as const),
          redis: !!TEST_REDIS_URL,
        },
      ]
    : []),
];

const TURN: Config['turn'] = {
  stunUrls: ['stun:turn.example.org:3478'],
  turnUrls: ['turn:turn.example.org:3478'],
  secret: 'metrics-turn-secret-0123456789',
  staticAuth: undefined,
  ttlSeconds: 600,
};
const METRICS_TOKEN = 'scrape-token-for-the-tests-0123456789abcdef';

/** An app of its own, on fake time (date and timers), with an admin to scrape as. */
class MetricsWorld {
  private constructor(
    readonly s: SignalingServer,
    readonly clock: ManualClock,
    readonly admin: Person,
    private readonly done: () => Promise<void>,
  ) {}

  static async start(setup: Setup, config: Partial<Config> = {}): Promise<MetricsWorld> {
    const clock = new ManualClock(new Date('2031-03-03T09:00:00.000Z'));
    const { lives, close } = await testLives(setup.redis ? 'redis' : 'memory', clock);
    const s = await SignalingServer.start(
      { turn: TURN, ...config },
      { dialect: setup.dialect, clock, timers: clock, live: lives[0]! },
    );
    const admin = await s.member('admin');
    await s.t.db.db
      .updateTable('users')
      .set({ role: 'admin' })
      .where('id', '=', admin.id)
      .execute();
    return new MetricsWorld(s, clock, admin, async () => {
      await s.close();
      await close();
    });
  }

  /** GET /metrics as the admin, parsed. */
  async scrape(): Promise<Exposition> {
    const res = await this.s.t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${this.admin.token}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return new Exposition(res.body);
  }

  /** A scrape once the last roster totals are stale, so the live gauges are read afresh. */
  scrapeLive(): Promise<Exposition> {
    this.clock.advance(TOTALS_FRESH_MS);
    return this.scrape();
  }

  close(): Promise<void> {
    return this.done();
  }
}

let open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const w of open.reverse()) await w.close();
  open = [];
});
async function world(setup: Setup, config: Partial<Config> = {}): Promise<MetricsWorld> {
  const w = await MetricsWorld.start(setup, config);
  open.push(w);
  return w;
}

describe('who may read /metrics', () => {
  const setup = SETUPS[0]!;

  it('the main port serves admins and the METRICS_TOKEN; anonymous 401, members 403, a wrong token 401', async () => {
    const w = await world(setup, {
      metrics: { ...testConfig().metrics, token: METRICS_TOKEN },
    });
    const member = await w.s.member();
    const get = (authorization?: string) =>
      w.s.t.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization ? { authorization } : {},
      });

    const anonymous = await get();
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const asMember = await get(`Bearer ${member.token}`);
    expect(asMember.statusCode).toBe(403);
    expect(asMember.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const wrong = await get(`Bearer ${METRICS_TOKEN.slice(0, -1)}x`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });

    for (const authorization of [`Bearer ${w.admin.token}`, `Bearer ${METRICS_TOKEN}`]) {
      const ok = await get(authorization);
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('# TYPE parley_ws_connections gauge');
    }
  });

  it('without METRICS_TOKEN configured no bearer string but an admin token opens it', async () => {
    const w = await world(setup);
    const res = await w.s.t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.statusCode).toBe(401);
  });

  it('with METRICS_PORT the main port answers 404 and the metrics port serves /metrics with no token', async () => {
    const config = { metrics: { ...testConfig().metrics, port: 0, token: METRICS_TOKEN } };
    const w = await world(setup, config);
    const main = await w.s.t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${w.admin.token}` },
    });
    expect(main.statusCode).toBe(404);
    expect(main.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const server = await startMetricsServer(w.s.t, testConfig(config));
    open.push(server);
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('# TYPE parley_rooms_active gauge');
    expect((await fetch(`http://127.0.0.1:${server.port}/api/health`)).status).toBe(404);
    expect(
      (await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status,
    ).toBe(404);
  });
});

for (const setup of SETUPS) {
  describe(`metrics move with traffic (${setup.dialect}, live state in ${setup.redis ? 'Redis' : 'memory'})`, () => {
    it('HTTP requests are timed by route pattern and status, never by the raw URL', async () => {
      const w = await world(setup);
      const host = await w.s.member('host');
      const roomId = await w.s.createRoom(host);
      const code = (await w.s.api('GET', `/api/rooms/${roomId}`, host)).body.room as {
        code: string;
      };
      const before = await w.scrape();
      for (let i = 0; i < 3; i++) {
        expect((await w.s.api('GET', `/api/rooms/${code.code}`, host)).status).toBe(200);
      }
      expect((await w.s.api('GET', '/api/no-such-route')).status).toBe(404);
      const bogusInvite = `secret-invite-${randomBytes(8).toString('hex')}`;
      expect((await w.s.api('GET', `/api/invites/${bogusInvite}`)).status).toBeGreaterThanOrEqual(
        400,
      );
      const after = await w.scrape();

      const count = (e: Exposition, labels: Record<string, string>) =>
        e.value('parley_http_request_duration_seconds_count', labels);
      const rooms = { method: 'GET', route: '/api/rooms/:idOrCode', status_code: '200' };
      expect(count(after, rooms) - count(before, rooms)).toBe(3);
      const unmatched = { method: 'GET', route: 'unmatched', status_code: '404' };
      expect(count(after, unmatched) - count(before, unmatched)).toBe(1);
      expect(count(after, { route: '/api/invites/:code' })).toBe(1);
      // The histogram's buckets are cumulative: every request is in +Inf.
      expect(
        after.value('parley_http_request_duration_seconds_bucket', { ...rooms, le: '+Inf' }),
      ).toBe(count(after, rooms));
      // Ids, codes and tokens never become labels.
      expect(after.text).not.toContain(code.code);
      expect(after.text).not.toContain(roomId);
      expect(after.text).not.toContain(bogusInvite);
      for (const route of after.labelValues(
        'parley_http_request_duration_seconds_count',
        'route',
      )) {
        expect(route === 'unmatched' || route.startsWith('/'), route).toBe(true);
      }
    });

    it('open sockets, active rooms and participants are what is connected now', async () => {
      const w = await world(setup);
      const [host, guest] = [await w.s.member('host'), await w.s.member('guest')];
      const roomId = await w.s.createRoom(host);
      expect(await w.s.enter(guest, roomId)).toBe('approved');
      const other = await w.s.createRoom(guest);
      const empty = await w.scrapeLive();
      expect(empty.value('parley_ws_connections')).toBe(0);
      expect(empty.value('parley_rooms_active')).toBe(0);

      // The host in two tabs, the guest in the call and in a socket outside it.
      const tabs = [await w.s.inRoom(host, roomId), await w.s.inRoom(host, roomId)];
      const guestIn = await w.s.inRoom(guest, roomId);
      const lobbyOnly = await w.s.connect(guest);
      let now = await w.scrapeLive();
      expect(now.value('parley_ws_connections')).toBe(4);
      expect(now.value('parley_rooms_active')).toBe(1);
      expect(now.value('parley_participants_active')).toBe(2);

      const alone = await w.s.inRoom(guest, other);
      now = await w.scrapeLive();
      expect(now.value('parley_rooms_active')).toBe(2);
      expect(now.value('parley_participants_active')).toBe(3);

      await alone.close();
      await tabs[0]!.close();
      // The server sees each close a moment after the client's own close resolves.
      await eventually(async () => {
        const after = await w.scrapeLive();
        return (
          after.value('parley_rooms_active') === 1 && after.value('parley_ws_connections') === 3
        );
      }, 'the empty room is no longer active and two sockets are counted closed');
      now = await w.scrapeLive();
      expect(now.value('parley_participants_active')).toBe(2); // the host is still in a tab
      await Promise.all([tabs[1]!.close(), guestIn.close(), lobbyOnly.close()]);
      // A socket is counted closed at once; its seat leaves the roster when its departure
      // has run (a Redis round trip later), so both are awaited.
      await eventually(async () => {
        const after = await w.scrapeLive();
        return (
          after.value('parley_ws_connections') === 0 &&
          after.value('parley_participants_active') === 0
        );
      }, 'every socket is counted closed and every seat has left the roster');
    });

    it('messages in and out are counted by type; bad frames as invalid, unknown types as unknown; errors by code', async () => {
      const w = await world(setup);
      const [host, member] = [await w.s.member('host'), await w.s.member()];
      const roomId = await w.s.createRoom(host);
      const hostIn = await w.s.inRoom(host, roomId);
      await w.s.enter(member, roomId);
      const c = await w.s.inRoom(member, roomId);
      await hostIn.next('participant.joined');

      c.sendRaw('{"type": "ping"'); // not JSON
      expect((await c.next('error')).code).toBe('INVALID_JSON');
      c.send({ type: 'launch.missiles' });
      expect((await c.next('error')).code).toBe('UNKNOWN_MESSAGE_TYPE');
      c.send({ type: 'chat.send' }); // no text
      expect((await c.next('error')).code).toBe('INVALID_MESSAGE');
      c.send({ type: 'chat.send', text: 'hello' });
      await hostIn.next('chat.message');
      await c.next('chat.message');

      // Before hello anything else closes the socket: counted, and its error too.
      const early = await w.s.open();
      early.send({ type: 'ping' });
      expect((await early.whenClosed()).code).toBe(4004);
      const binary = await w.s.connect(member);
      binary.sendRaw(Buffer.from([1, 2, 3]), { binary: true });
      expect((await binary.whenClosed()).code).toBe(1003);

      const e = await w.scrape();
      const inOf = (type: string) => e.value('parley_ws_messages_received_total', { type });
      expect({
        hello: inOf('hello'),
        'room.join': inOf('room.join'),
        'chat.send': inOf('chat.send'),
        ping: inOf('ping'),
        invalid: inOf('invalid'),
        unknown: inOf('unknown'),
      }).toEqual({ hello: 3, 'room.join': 2, 'chat.send': 1, ping: 1, invalid: 3, unknown: 1 });
      expect(e.labelValues('parley_ws_messages_received_total', 'type')).not.toContain(
        'launch.missiles',
      );

      const outOf = (type: string) => e.value('parley_ws_messages_sent_total', { type });
      expect({
        welcome: outOf('welcome'),
        'room.joined': outOf('room.joined'),
        'participant.joined': outOf('participant.joined'),
        'chat.message': outOf('chat.message'),
        error: outOf('error'),
      }).toEqual({
        welcome: 3,
        'room.joined': 2,
        'participant.joined': 1,
        'chat.message': 2, // one per socket in the room
        error: 5,
      });

      const errorsOf = (code: string) => e.value('parley_signaling_errors_total', { code });
      expect({
        INVALID_JSON: errorsOf('INVALID_JSON'),
        UNKNOWN_MESSAGE_TYPE: errorsOf('UNKNOWN_MESSAGE_TYPE'),
        INVALID_MESSAGE: errorsOf('INVALID_MESSAGE'),
        HELLO_REQUIRED: errorsOf('HELLO_REQUIRED'),
      }).toEqual({
        INVALID_JSON: 1,
        UNKNOWN_MESSAGE_TYPE: 1,
        INVALID_MESSAGE: 2,
        HELLO_REQUIRED: 1,
      });
      expect(e.value('parley_signaling_errors_total')).toBe(5);
    });

    it('quality reports count in a call only, at most 30 a minute per connection', async () => {
      const w = await world(setup);
      const host = await w.s.member('host');
      const roomId = await w.s.createRoom(host);
      const outside = await w.s.connect(host);
      const inCall = await w.s.inRoom(host, roomId);

      const refused = await outside.request({ type: 'quality.report', outcome: 'direct' });
      expect(refused).toMatchObject({ type: 'error', code: 'NOT_IN_ROOM' });

      const reports = [
        ...Array.from({ length: 20 }, () => ({ outcome: 'direct', firstFrameMs: 800 })),
        ...Array.from({ length: 5 }, () => ({ outcome: 'relay', firstFrameMs: 2_500 })),
        ...Array.from({ length: 5 }, () => ({ outcome: 'failed' })),
      ];
      expect(reports).toHaveLength(QUALITY_LIMITS.reportsPerMinute);
      for (const r of reports) {
        expect(await inCall.request({ type: 'quality.report', ...r })).toMatchObject({
          type: 'quality.recorded',
        });
      }
      const over = await inCall.request({
        type: 'quality.report',
        outcome: 'direct',
        firstFrameMs: 1,
      });
      expect(over).toMatchObject({ type: 'error', code: 'RATE_LIMITED' });
      // A minute refills 30: two seconds, one more.
      w.clock.advance(2_000);
      const next = { type: 'quality.report', outcome: 'relay', firstFrameMs: 800 };
      expect(await inCall.request(next)).toMatchObject({ type: 'quality.recorded' });
      expect(await inCall.request(next)).toMatchObject({ type: 'error', code: 'RATE_LIMITED' });

      const e = await w.scrape();
      expect({
        direct: e.value('parley_link_outcomes_total', { outcome: 'direct' }),
        relay: e.value('parley_link_outcomes_total', { outcome: 'relay' }),
        failed: e.value('parley_link_outcomes_total', { outcome: 'failed' }),
      }).toEqual({ direct: 20, relay: 6, failed: 5 });
      expect(e.value('parley_first_frame_seconds_count')).toBe(26);
      expect(e.value('parley_first_frame_seconds_sum')).toBeCloseTo(20 * 0.8 + 5 * 2.5 + 0.8, 6);
      expect(e.value('parley_first_frame_seconds_bucket', { le: '1' })).toBe(21);
      expect(e.value('parley_first_frame_seconds_bucket', { le: '3' })).toBe(26);
      expect(e.value('parley_signaling_errors_total', { code: 'NOT_IN_ROOM' })).toBe(1);
      expect(e.value('parley_signaling_errors_total', { code: 'RATE_LIMITED' })).toBe(2);
      expect(e.value('parley_ws_messages_received_total', { type: 'quality.report' })).toBe(34);
      expect(e.value('parley_ws_messages_sent_total', { type: 'quality.recorded' })).toBe(31);
    });

    it('TURN credentials are counted when handed out, not when refused', async () => {
      const w = await world(setup);
      const member = await w.s.member();
      const roomless = await w.s.guest();
      for (let i = 0; i < 2; i++) {
        expect((await w.s.api('GET', '/api/ice-servers', member)).status).toBe(200);
      }
      expect((await w.s.api('GET', '/api/ice-servers', roomless)).status).toBe(403);
      expect((await w.scrape()).value('parley_turn_credentials_issued_total')).toBe(2);
    });

    it('no TURN configured: STUN answers count no credentials', async () => {
      const w = await world(setup, { turn: { ...TURN, turnUrls: [] } });
      const member = await w.s.member();
      expect((await w.s.api('GET', '/api/ice-servers', member)).status).toBe(200);
      expect((await w.scrape()).value('parley_turn_credentials_issued_total')).toBe(0);
    });

    it('each call is counted once by its final status, also when both parties hang up at once', async () => {
      const w = await world(setup);
      const [a, b, c] = [await w.s.member('a'), await w.s.member('b'), await w.s.member('c')];
      const place = async (from: Person, to: Person) => {
        const res = await w.s.api('POST', '/api/calls', from, { calleeId: to.id, media: 'audio' });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body.call as { id: string; state: string };
      };
      const act = (who: Person, id: string, action: string) =>
        w.s.api('POST', `/api/calls/${id}/${action}`, who);

      const ended = await place(a, b);
      expect((await act(b, ended.id, 'accept')).status).toBe(200);
      const hangups = await Promise.all([act(a, ended.id, 'end'), act(b, ended.id, 'end')]);
      expect(hangups.map((r) => r.status).sort()).toEqual([200, 409]);

      expect((await act(b, (await place(a, b)).id, 'reject')).status).toBe(200);
      expect((await act(a, (await place(a, b)).id, 'cancel')).status).toBe(200);
      const missed = await place(a, b);
      w.clock.advance(31_000);
      await w.s.t.services.calls.tick();
      await w.s.t.services.calls.tick(); // a second pass finds nothing more to do
      expect((await w.s.api('GET', `/api/calls/${missed.id}`, a)).body.call).toMatchObject({
        state: 'missed',
      });
      // c is on the phone with b: a's call to b is busy at once.
      expect((await act(b, (await place(c, b)).id, 'accept')).status).toBe(200);
      expect((await place(a, b)).state).toBe('busy');

      const e = await w.scrape();
      const by = (status: string) => e.value('parley_calls_finished_total', { status });
      expect({
        ended: by('ended'),
        rejected: by('rejected'),
        cancelled: by('cancelled'),
        missed: by('missed'),
        busy: by('busy'),
      }).toEqual({ ended: 1, rejected: 1, cancelled: 1, missed: 1, busy: 1 });
      expect(e.value('parley_calls_finished_total')).toBe(5); // the call still going counts nothing
    });
  });
}

describe('appointment joins refused', () => {
  let s: AppointmentsServer | undefined;
  afterEach(async () => {
    await s?.s.close();
    s = undefined;
  });

  it('every refused join (room route, REST join, socket join) counts by reason; can-join and looking do not', async () => {
    s = await AppointmentsServer.start(SETUPS[SETUPS.length - 1]!.dialect);
    const { provider, client, stranger } = await s.people();
    const id = await s.book({
      provider,
      client,
      startsAt: new Date(s.clock.now().getTime() + 3 * 60 * MINUTE),
    });
    const refusals = async () =>
      new Exposition((await s!.s.t.exposition()).body).value(
        'parley_appointment_joins_refused_total',
        { reason: 'TOO_EARLY' },
      );

    const ask = await s.api('GET', `/api/appointments/${id}/can-join`, client);
    expect(ask.body).toMatchObject({ canJoin: false, reason: 'TOO_EARLY' });
    expect(await refusals()).toBe(0);

    const open = await s.api('POST', `/api/appointments/${id}/room`, client);
    expect(open.status).toBe(403);
    expect(open.body).toMatchObject({ error: { details: { reason: 'TOO_EARLY' } } });
    expect(await refusals()).toBe(1);

    // Its room, made early (as if it had been opened before a reschedule).
    const roomId = await s.openRoom(id);
    expect((await s.api('GET', `/api/rooms/${roomId}`, client)).status).toBe(200); // a look
    expect((await s.api('POST', `/api/rooms/${roomId}/join`, client, {})).status).toBe(403);
    expect(await refusals()).toBe(2);
    const socket: TestClient = await s.s.connect(client);
    await expect(socket.join(roomId)).rejects.toThrow(/APPOINTMENT_NOT_JOINABLE/);
    expect(await refusals()).toBe(3);

    // Someone else's appointment room: refused as if there were none, counted as such.
    expect((await s.api('POST', `/api/rooms/${roomId}/join`, stranger, {})).status).toBe(404);
    const e = new Exposition((await s.s.t.exposition()).body);
    expect(e.value('parley_appointment_joins_refused_total', { reason: 'NOT_A_PARTICIPANT' })).toBe(
      1,
    );
    expect(e.value('parley_appointment_joins_refused_total')).toBe(4);
  });
});
