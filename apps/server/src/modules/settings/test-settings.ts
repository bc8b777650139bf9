import type { SettingsPatch } from '@parley/protocol';
import { expect } from 'vitest';
import { newAccount } from '../../test/harness.js';
import type { TestApp } from '../../test/harness.js';
import { injectJson } from '../../test/inject.js';
import type { Method } from '../../test/inject.js';
import { createUsersRepo } from '../users/index.js';

// Test support for the settings suites: REST by inject on one app (a "process"), people
// made through the real routes, an admin promoted in the database (every request reads
// the role afresh).

export type Session = { id: string; token: string };
/** A reply as the tests read it: freely, asserting its shape as they go. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Reply = { status: number; body: any; headers: Record<string, unknown> };

export class Api {
  constructor(readonly t: TestApp) {}

  async call(
    method: Method,
    url: string,
    who?: Session,
    body?: unknown,
    /** The caller's address as the server sees it (default: inject's 127.0.0.1). */
    ip?: string,
  ): Promise<Reply> {
    const res = await injectJson(this.t.app, method, url, { token: who?.token, body, ip });
    return {
      status: res.statusCode,
      body: res.body ? res.json<unknown>() : undefined,
      headers: res.headers,
    };
  }

  async register(prefix = 'member', extra: Record<string, unknown> = {}): Promise<Reply> {
    return this.call('POST', '/api/auth/register', undefined, { ...newAccount(prefix), ...extra });
  }

  /**
   * A signed-in account made the way `admin:create` makes one (no registration route), so
   * suites may close registration and still have people.
   */
  async member(prefix = 'member', role: 'member' | 'admin' = 'member'): Promise<Session> {
    const { auth } = this.t.services;
    const user = await auth.createAccount({ ...newAccount(prefix), role });
    const { tokens } = await auth.startSession(user);
    return { id: user.id, token: tokens.accessToken };
  }

  /** A new session for the same account (the fake clock outran the access token). */
  async fresh(who: Session): Promise<Session> {
    const user = await createUsersRepo(this.t.db.db).findById(who.id);
    const { tokens } = await this.t.services.auth.startSession(user!);
    return { id: who.id, token: tokens.accessToken };
  }

  admin(): Promise<Session> {
    return this.member('admin', 'admin');
  }

  async guest(name = 'Guest', ip?: string): Promise<Reply> {
    return this.call('POST', '/api/auth/guest', undefined, { displayName: name }, ip);
  }

  async patchSettings(admin: Session, patch: SettingsPatch): Promise<Reply> {
    const res = await this.call('PATCH', '/api/admin/settings', admin, patch);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res;
  }

  async createRoom(host: Session, body: Record<string, unknown> = {}): Promise<Reply> {
    return this.call('POST', '/api/rooms', host, {
      name: 'Standup',
      visibility: 'private',
      entry: 'open',
      ...body,
    });
  }

  /**
   * An invite to a new room of `host`: `token` is its code (what `inviteToken` and
   * `/api/invites/<code>` take).
   */
  async invite(
    host: Session,
    body: Record<string, unknown> = { expiresInMinutes: 60 },
    roomBody: Record<string, unknown> = {},
  ) {
    const room = await this.createRoom(host, roomBody);
    expect(room.status).toBe(201);
    const roomId = (room.body as { room: { id: string } }).room.id;
    const res = await this.call('POST', `/api/rooms/${roomId}/invites`, host, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { roomId, token: (res.body as { invite: { code: string } }).invite.code };
  }
}

export function session(res: Reply, status = 201): Session {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = res.body as { user: { id: string }; tokens: { accessToken: string } };
  return { id: body.user.id, token: body.tokens.accessToken };
}

/** `403 REGISTRATION_CLOSED`-style summary of a reply. */
export function outcome(res: Reply): string {
  const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code;
  return code ? `${res.status} ${code}` : String(res.status);
}
