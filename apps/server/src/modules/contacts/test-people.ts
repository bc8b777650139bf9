import type { AuthResponse, RosterEntry } from '@parley/protocol';
import { PRESENCE_KEY } from '../../platform/live/presence.js';
import { newAccount } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';

// People and REST calls for the contacts tests: members with chosen names, guests, an
// admin, a disabled account, and presence entries put straight on the roster port.

export type Person = { id: string; token: string; displayName: string; email: string | null };
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** Response bodies, loosely typed on purpose: a test reads the fields it asserts on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
type Reply = { status: number; headers: Record<string, unknown>; body: Loose };

const toPerson = (r: AuthResponse): Person => ({
  id: r.user.id,
  token: r.tokens.accessToken,
  displayName: r.user.displayName,
  email: r.user.email,
});

export function people(t: TestApp) {
  async function call(method: Method, url: string, who?: Person, body?: unknown): Promise<Reply> {
    const res = await t.app.inject({
      method,
      url,
      headers: {
        ...(who ? { authorization: `Bearer ${who.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    // A 204 has no body.
    const parsed: unknown = res.body ? res.json() : {};
    return { status: res.statusCode, headers: res.headers, body: parsed };
  }

  /** The error code of a refusal, with its status: `404 USER_NOT_FOUND`. */
  async function refusal(method: Method, url: string, who?: Person, body?: unknown) {
    const res = await call(method, url, who, body);
    const code = (res.body as { error?: { code?: string } }).error?.code;
    return `${res.status} ${code ?? '(no code)'}`;
  }

  async function member(displayName?: string, email?: string): Promise<Person> {
    const acct = newAccount('contacts');
    const body = {
      ...acct,
      ...(displayName ? { displayName } : {}),
      ...(email ? { email } : {}),
    };
    const res = await call('POST', '/api/auth/register', undefined, body);
    if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
    return toPerson(res.body as AuthResponse);
  }

  async function guest(displayName = 'Visitor'): Promise<Person> {
    const res = await call('POST', '/api/auth/guest', undefined, { displayName });
    if (res.status !== 201) throw new Error(`guest: ${res.status}`);
    return toPerson(res.body as AuthResponse);
  }

  /** A member promoted in the database (each request reads the role afresh). */
  async function admin(displayName = 'Admin'): Promise<Person> {
    const a = await member(displayName);
    await t.db.db.updateTable('users').set({ role: 'admin' }).where('id', '=', a.id).execute();
    return a;
  }

  async function disable(p: Person): Promise<void> {
    await t.db.db
      .updateTable('users')
      .set({ disabled_at: new Date().toISOString() })
      .where('id', '=', p.id)
      .execute();
  }

  /** `p` has one more socket somewhere (as the socket layer records it). */
  async function connected(p: Person, connectionId: string, processId = 'elsewhere') {
    const entry: RosterEntry = {
      connectionId,
      userId: p.id,
      displayName: p.displayName,
      isGuest: false,
      role: 'participant',
      media: { audio: false, video: false, screen: false, handRaised: false },
      joinedAt: new Date().toISOString(),
      handRaisedAt: null,
    };
    await t.live.roster.add(PRESENCE_KEY, entry, processId);
  }

  return { call, refusal, member, guest, admin, disable, connected };
}
