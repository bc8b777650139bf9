import type { AuthResponse, IceServersResponse, JoinRoomResponse } from './protocol.js';

/** A REST failure with the server's `{ error: { code, message } }` (DESIGN: one error shape). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/**
 * The REST calls a guest makes before and around the socket. JSON in and out; the access
 * token goes in `Authorization: Bearer …`. A POST always carries a JSON body (`{}` when there is
 * nothing to say): the server answers 400 to a POST to a route with a body schema and no body.
 */
export class Rest {
  token: string | undefined;

  constructor(private readonly baseUrl: string) {}

  /** `POST /api/auth/guest { displayName }` → 201: a guest account, signed in. */
  guest(displayName: string): Promise<AuthResponse> {
    return this.call('POST', '/api/auth/guest', { displayName }, false);
  }

  /** `POST /api/auth/refresh { refreshToken }`: a new pair; the old refresh token is spent. */
  refresh(refreshToken: string): Promise<AuthResponse> {
    return this.call('POST', '/api/auth/refresh', { refreshToken }, false);
  }

  /** `POST /api/rooms/:idOrCode/join { password? }`: `approved`, or `pending` in the lobby. */
  join(idOrCode: string, password?: string): Promise<JoinRoomResponse> {
    const body = password === undefined ? {} : { password };
    return this.call('POST', `/api/rooms/${encodeURIComponent(idOrCode)}/join`, body);
  }

  /** `POST /api/rooms/:id/leave`: gives up the seat, or withdraws a knock from the lobby. */
  async leave(roomId: string): Promise<void> {
    await this.call('POST', `/api/rooms/${encodeURIComponent(roomId)}/leave`, undefined);
  }

  /** `GET /api/ice-servers`: for a guest, only once admitted to (or waiting in) a room. */
  iceServers(): Promise<IceServersResponse> {
    return this.call('GET', '/api/ice-servers', undefined);
  }

  private async call<T>(method: string, path: string, body: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? 'HTTP_ERROR', err?.message ?? res.statusText);
    }
    return json as T;
  }
}
