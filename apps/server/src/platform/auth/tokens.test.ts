import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenService } from './tokens.js';

const SECRET = 'a'.repeat(40);
const now = new Date('2026-01-01T10:00:00Z');

describe('access tokens with the key imported once', () => {
  afterEach(() => vi.restoreAllMocks());

  it('imports the key once per service, not per signature or verification', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const tokens = createTokenService(SECRET);
    for (let i = 0; i < 5; i++) {
      const { token } = await tokens.signAccess(`user-${i}`, `session-${i}`, now);
      const claims = await tokens.verifyAccess(token, now);
      expect(claims).toMatchObject({ userId: `user-${i}`, sessionId: `session-${i}` });
    }
    expect(importKey).toHaveBeenCalledTimes(1);
  });

  it('still refuses a token signed with another secret, and accepts its own afterwards', async () => {
    const tokens = createTokenService(SECRET);
    const other = createTokenService('b'.repeat(40));
    const { token: foreign } = await other.signAccess('user-1', 'session-1', now);
    await expect(tokens.verifyAccess(foreign, now)).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    });
    const { token } = await tokens.signAccess('user-1', 'session-1', now);
    await expect(tokens.verifyAccess(token, now)).resolves.toMatchObject({ userId: 'user-1' });
    // The other service's cached key is its own too.
    await expect(other.verifyAccess(token, now)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses an expired token with the cached key', async () => {
    const tokens = createTokenService(SECRET);
    const { token } = await tokens.signAccess('user-1', 'session-1', now);
    const later = new Date(now.getTime() + 16 * 60_000);
    await expect(tokens.verifyAccess(token, later)).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
  });
});
