import type { ErrorCode, ServerMessage, ServerMessageType } from '@parley/protocol';
import { PROTOCOL_VERSION } from '@parley/protocol';
import type { Config } from '../platform/config.js';
import type { Dialect } from '../test/harness.js';
import { newAccount } from '../test/harness.js';
import { FAST_WS, SignalingServer } from '../modules/signaling/test-server.js';
import type { TestClient } from '../modules/signaling/test-client.js';
import { createUsersRepo, ensureAdmin } from '../modules/users/index.js';

// Support for the authorization matrix (matrix.ts): the actors, the room fixture they
// stand in, and the two cell runners (one HTTP request, one socket message) that turn
// what the server did into an outcome string the table can be compared with.

/**
 * Who asks. The room relations (pending … host) are members in one approval-mode room;
 * the others have no relation to it:
 * - `anonymous`: no token (over the socket: a socket that never sent a valid `hello`);
 * - `guest`: signed in through `/api/auth/guest`, in no room at all;
 * - `member`: a member who hosts a room of their own elsewhere (being a host somewhere
 *   gives no rights here);
 * - `otherMember`: a member with no rooms and no relation to this one;
 * - `admin`: an account promoted by `ensureAdmin` (the ADMIN_EMAIL / admin:create path),
 *   with no relation to the room: being admin grants nothing inside other people's rooms;
 * - `pending`: knocked, waiting in the lobby;
 * - `admitted`: a participant the host let in;
 * - `cohost`: admitted, then promoted by the host;
 * - `host`: created the room.
 */
export const ACTORS = [
  'anonymous',
  'guest',
  'member',
  'otherMember',
  'admin',
  'pending',
  'admitted',
  'cohost',
  'host',
] as const;
export type Actor = (typeof ACTORS)[number];
export type SignedIn = Exclude<Actor, 'anonymous'>;

export type Account = {
  id: string;
  token: string;
  refreshToken: string;
  displayName: string;
  /** Members only (guests have no credentials). */
  email?: string;
  password?: string;
};

/** `200`, or a refusal with its error code: `403 NOT_HOST`. */
export type HttpOutcome =
  `${200 | 201 | 204}` | `${400 | 401 | 403 | 404 | 409 | 410} ${ErrorCode}`;
/** `ok` (the row's reply or relay arrived), `error:<code>` (connection kept) or `close:<code>`. */
export type WsOutcome = 'ok' | `error:${ErrorCode}` | `close:${number}`;

/**
 * The app as the matrix runs it. Limits that are not authorization are opened up (the
 * matrix makes hundreds of sign-ups from one IP); a reconnection grace far longer than
 * the suite keeps a seat when a cell's socket closes, so every cell starts from the same
 * room; TURN has a secret so `/api/ice-servers` hands out real credentials.
 */
export const MATRIX_CONFIG: Partial<Config> = {
  rateLimitMax: 1_000_000,
  // A generous hello timeout: an anonymous cell may build its message after opening the socket.
  ws: { ...FAST_WS, helloTimeoutMs: 2_000, reconnectGraceMs: 30 * 60_000 },
  turn: {
    stunUrls: [],
    turnUrls: ['turn:turn.example.org:3478'],
    secret: 'matrix-turn-secret-0123456789',
    staticAuth: undefined,
    ttlSeconds: 3600,
  },
};

type Json = Record<string, unknown>;

/** One approval-mode room with every relation in place, plus a witness in the call. */
export type Fixture = {
  roomId: string;
  code: string;
  people: Record<SignedIn, Account>;
  /** An extra admitted participant (not an actor): target of `signal`, ear for relays. */
  witness: Account;
  /** A member no actor has anything to do with: the target of admin user changes. */
  subject: Account;
  /** The code of an invite to this room (not skipping the lobby), made by the host on first use. */
  invite(): Promise<string>;
  /** The host loads a video into the shared player (for play, pause, seek, rate). */
  loadVideo(): Promise<void>;
};

/**
 * The server and its people, created once: accounts are reused by every fixture (a
 * relation lives in the room, so a new room is a clean slate for everyone).
 */
export class World {
  private constructor(
    readonly s: SignalingServer,
    readonly people: Record<SignedIn, Account>,
    readonly witness: Account,
    readonly subject: Account,
    /** An account whose credentials the login/refresh/logout rows use. */
    readonly loginAccount: Account,
  ) {}

  static async start(dialect: Dialect): Promise<World> {
    const s = await SignalingServer.start(MATRIX_CONFIG, { dialect });
    try {
      const [member, otherMember, host, cohost, admitted, pending, witness, subject, login] =
        await Promise.all(
          [
            'member',
            'other',
            'host',
            'cohost',
            'admitted',
            'pending',
            'witness',
            'subject',
            'login',
          ].map((prefix) => register(s, prefix)),
        );
      // Hosting a room elsewhere: the room rows must not mistake that for standing here.
      await call(
        s,
        'POST',
        '/api/rooms',
        member,
        { name: 'Elsewhere', visibility: 'private', entry: 'open' },
        201,
      );
      const people = {
        guest: await guest(s, 'Guest'),
        member: member!,
        otherMember: otherMember!,
        admin: await admin(s),
        pending: pending!,
        admitted: admitted!,
        cohost: cohost!,
        host: host!,
      };
      return new World(s, people, witness!, subject!, login!);
    } catch (err) {
      await s.close();
      throw err;
    }
  }

  /** A new approval-mode room in which host, co-host, admitted, pending and witness stand. */
  async fixture(): Promise<Fixture> {
    const { s, people, witness } = this;
    const { host, cohost, admitted, pending } = people;
    const created = await call(
      s,
      'POST',
      '/api/rooms',
      host,
      {
        name: 'Matrix',
        visibility: 'private',
        entry: 'approval',
      },
      201,
    );
    const room = created.room as { id: string; code: string };
    const [knock] = await Promise.all(
      [pending, cohost, admitted, witness].map((p) =>
        call(s, 'POST', `/api/rooms/${room.id}/join`, p, {}, 200),
      ),
    );
    if (knock?.status !== 'pending')
      throw new Error(`fixture: knock answered ${String(knock?.status)}`);
    await Promise.all(
      [cohost, admitted, witness].map((p) =>
        call(s, 'POST', `/api/rooms/${room.id}/participants/${p.id}/admit`, host, undefined, 200),
      ),
    );
    await call(
      s,
      'POST',
      `/api/rooms/${room.id}/participants/${cohost.id}/promote`,
      host,
      undefined,
      200,
    );

    let invite: Promise<string> | undefined;
    let video: Promise<void> | undefined;
    return {
      roomId: room.id,
      code: room.code,
      people,
      witness,
      subject: this.subject,
      invite: () =>
        (invite ??= call(
          s,
          'POST',
          `/api/rooms/${room.id}/invites`,
          host,
          { expiresInMinutes: 60 },
          201,
        ).then((r) => (r.invite as { code: string }).code)),
      loadVideo: () =>
        (video ??= (async () => {
          const c = await s.connect(host);
          await c.join(room.id);
          const reply = await c.request({
            type: 'playback.set',
            source: { kind: 'url', url: 'https://media.example.org/matrix.webm' },
          });
          if (reply.type !== 'playback.state')
            throw new Error(`fixture: playback.set got ${reply.type}`);
          await c.close();
        })()),
    };
  }

  /** A guest account made just now: in no room, not even a lobby. */
  roomlessGuest(): Promise<Account> {
    return guest(this.s, 'Roomless');
  }

  /** A fresh access token for the same user (the refresh token rotates). */
  async freshToken(who: Account): Promise<string> {
    const res = await call(
      this.s,
      'POST',
      '/api/auth/refresh',
      undefined,
      { refreshToken: who.refreshToken },
      200,
    );
    const tokens = res.tokens as { accessToken: string; refreshToken: string };
    who.refreshToken = tokens.refreshToken;
    return tokens.accessToken;
  }

  /** A refresh token nobody else holds, of `loginAccount` (for the refresh and logout rows). */
  async spareRefreshToken(): Promise<string> {
    const { email, password } = this.loginAccount;
    const res = await call(this.s, 'POST', '/api/auth/login', undefined, { email, password }, 200);
    return (res.tokens as { refreshToken: string }).refreshToken;
  }

  close(): Promise<void> {
    return this.s.close();
  }
}

// ---------------------------------------------------------------------------------------
// HTTP cells

export type HttpRequest = {
  url: string;
  body?: unknown;
  /** Ask as this account instead of the actor's usual one (a guest with no room at all). */
  as?: Account;
};

/** Sends one request as `actor` and describes the answer as the table does. */
export async function httpCell(
  w: World,
  fx: Fixture,
  method: string,
  actor: Actor,
  req: HttpRequest,
): Promise<string> {
  const who = actor === 'anonymous' ? undefined : (req.as ?? fx.people[actor]);
  const res = await w.s.t.app.inject({
    method: method as 'GET',
    url: req.url,
    headers: {
      ...(who ? { authorization: `Bearer ${who.token}` } : {}),
      ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(req.body !== undefined ? { payload: JSON.stringify(req.body) } : {}),
  });
  if (res.statusCode < 400) return String(res.statusCode);
  let code = '(no error body)';
  try {
    code = String(res.json<{ error?: { code?: string } }>().error?.code ?? code);
  } catch {
    // HEAD answers and non-JSON bodies have no code to show.
  }
  return method === 'HEAD' ? String(res.statusCode) : `${res.statusCode} ${code}`;
}

// ---------------------------------------------------------------------------------------
// Socket cells

/** Where an actor's socket stands before the row's message. */
export type Start = 'unauthenticated' | 'ready' | 'in-room';

/** Each actor's usual place: in the call if the room lets them, else signed in. */
export const NATURAL_START: Record<Actor, Start> = {
  anonymous: 'unauthenticated',
  guest: 'ready',
  member: 'ready',
  otherMember: 'ready',
  admin: 'ready',
  pending: 'ready',
  admitted: 'in-room',
  cohost: 'in-room',
  host: 'in-room',
};

export type WsCell = {
  w: World;
  fx: Fixture;
  actor: Actor;
  /** The actor's account (undefined for anonymous). */
  account: Account | undefined;
  client: TestClient;
  witness: TestClient;
};

/** What `ok` means for a row: a reply to the sender echoing its ref, or what the witness hears. */
export type OkEvidence =
  | { reply: ServerMessageType }
  | { witness: ServerMessageType; match(m: ServerMessage, cell: WsCell): boolean };

// Generous: they are only waited out when something is wrong (a busy CI must not flake).
const EVIDENCE_WAIT_MS = 3_000;
const PONG_WAIT_MS = 5_000;

/** Puts the witness in the call; the caller closes it (with every other client) after the row. */
export async function witnessIn(w: World, fx: Fixture): Promise<TestClient> {
  const c = await w.s.connect(fx.witness);
  await c.join(fx.roomId);
  return c;
}

/**
 * Opens a socket for `actor`, brings it to `start` (`socket`: opened, nothing sent), sends
 * `message` with a ref and a `ping` behind it, and reports what happened: a close, an
 * `error` echoing the ref, or whether the row's evidence of success arrived. A refusal
 * whose effect still reached the witness is reported too (`… +leaked`).
 */
export async function wsCell(
  w: World,
  fx: Fixture,
  actor: Actor,
  start: Start | 'socket',
  witness: TestClient,
  message: (cell: WsCell) => Json | Promise<Json>,
  ok: OkEvidence,
): Promise<string> {
  const account = actor === 'anonymous' ? undefined : fx.people[actor];
  const client = await w.s.open();
  if (start !== 'socket' && start !== 'unauthenticated') {
    if (!account) throw new Error('an anonymous socket cannot say hello');
    await client.hello(account.token);
    if (start === 'in-room') await client.join(fx.roomId);
  }
  try {
    return await exchange({ w, fx, actor, account, client, witness }, message, ok);
  } finally {
    // Per-user connection caps are small (10): never let a cell's socket outlive it.
    await client.terminate();
  }
}

async function exchange(
  cell: WsCell,
  message: (cell: WsCell) => Json | Promise<Json>,
  ok: OkEvidence,
): Promise<string> {
  const { client } = cell;
  const ref = `cell-${Math.random().toString(36).slice(2)}`;
  const flushRef = `${ref}-flush`;
  client.send({ ...(await message(cell)), ref });
  // Handled in order: its pong means every direct answer to the message went out before.
  client.send({ type: 'ping', ref: flushRef });

  const closed = await Promise.race([
    client.next('pong', { match: (m) => m.ref === flushRef, timeoutMs: PONG_WAIT_MS }).then(
      () => undefined,
      () => 'no-pong' as const,
    ),
    client.closed,
  ]);
  if (closed === 'no-pong') {
    const info = await client.whenClosed(EVIDENCE_WAIT_MS).catch(() => undefined);
    return info ? `close:${info.code}` : 'silent (no pong, still open)';
  }
  if (closed) return `close:${closed.code}`;

  const error = client.received.find((m) => m.type === 'error' && m.ref === ref);
  const evidence = await findEvidence(cell, ok, ref, error ? 0 : EVIDENCE_WAIT_MS);
  if (error && error.type === 'error') return `error:${error.code}${evidence ? ' +leaked' : ''}`;
  return evidence ? 'ok' : 'silent';
}

async function findEvidence(
  cell: WsCell,
  ok: OkEvidence,
  ref: string,
  waitMs: number,
): Promise<boolean> {
  const { client, witness } = cell;
  const [who, type, match] =
    'reply' in ok
      ? [client, ok.reply, (m: ServerMessage) => 'ref' in m && m.ref === ref]
      : [witness, ok.witness, (m: ServerMessage) => ok.match(m, cell)];
  if (waitMs === 0) {
    // A refusal: give a wrongly relayed message the time a flush of the witness takes.
    await flush(witness);
    return who.peekAll(type).some(match);
  }
  return who.next(type, { match, timeoutMs: waitMs }).then(
    () => true,
    () => false,
  );
}

async function flush(c: TestClient): Promise<void> {
  const ref = `flush-${Math.random().toString(36).slice(2)}`;
  c.send({ type: 'ping', ref });
  await c.next('pong', { match: (m) => m.ref === ref }).catch(() => undefined);
}

/** A socket that says `hello` with a token that is not one. */
export const BAD_HELLO = {
  type: 'hello',
  token: 'not-a-valid-token',
  protocolVersion: PROTOCOL_VERSION,
};

// ---------------------------------------------------------------------------------------
// REST helpers (fail loudly: a broken fixture must not look like an authorization answer)

async function call(
  s: SignalingServer,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  who: Account | undefined,
  body: unknown,
  status: number,
): Promise<Json> {
  const res = await s.api(method, url, who, body);
  if (res.status !== status) {
    throw new Error(
      `fixture: ${method} ${url} expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  return res.body;
}

function toAccount(body: Json, extra: Partial<Account> = {}): Account {
  const user = body.user as { id: string; displayName: string };
  const tokens = body.tokens as { accessToken: string; refreshToken: string };
  return {
    id: user.id,
    displayName: user.displayName,
    token: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    ...extra,
  };
}

async function register(s: SignalingServer, prefix: string): Promise<Account> {
  const acct = newAccount(prefix);
  const body = await call(s, 'POST', '/api/auth/register', undefined, acct, 201);
  return toAccount(body, { email: acct.email, password: acct.password });
}

async function guest(s: SignalingServer, displayName: string): Promise<Account> {
  return toAccount(await call(s, 'POST', '/api/auth/guest', undefined, { displayName }, 201));
}

/** The operator's path: an existing account promoted by `ensureAdmin`, then signed in. */
async function admin(s: SignalingServer): Promise<Account> {
  const acct = newAccount('admin');
  await call(s, 'POST', '/api/auth/register', undefined, acct, 201);
  const result = await ensureAdmin(
    {
      users: createUsersRepo(s.t.db.db),
      createAccount: () => Promise.reject(new Error('the account exists already')),
      scryptCost: 2 ** 10,
    },
    { email: acct.email, password: acct.password, resetPassword: false },
  );
  if (result !== 'promoted') throw new Error(`fixture: ensureAdmin answered ${result}`);
  const body = await call(
    s,
    'POST',
    '/api/auth/login',
    undefined,
    { email: acct.email, password: acct.password },
    200,
  );
  if ((body.user as { role: string }).role !== 'admin')
    throw new Error('fixture: admin is not admin');
  return toAccount(body, { email: acct.email, password: acct.password });
}
