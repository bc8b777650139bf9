import { ApiError } from '../../api/errors';

/** Why an invite cannot be used; the invite page has a message for each. */
export type InviteProblem = 'expired' | 'used-up' | 'revoked' | 'not-found' | 'ended' | 'kicked';

/**
 * Invite problems that no retry can fix, from the server's refusal; null for anything
 * else (shown as an error with "try again").
 */
export function inviteProblem(err: unknown): InviteProblem | null {
  if (!(err instanceof ApiError)) return null;
  if (err.code === 'INVITE_INVALID') {
    // The server says why in details.reason; without it, "expired" says enough.
    const why = err.details.reason;
    return why === 'used-up' || why === 'revoked' ? why : 'expired';
  }
  if (err.code === 'ROOM_CLOSED') return 'ended';
  // Removed from the room: no invite brings them back, only a host.
  if (err.code === 'KICKED_FROM_ROOM') return 'kicked';
  if (err.status === 404 || err.code === 'INVITE_NOT_FOUND') return 'not-found';
  // A malformed code (an old signed link, a typo) fails path validation before the lookup.
  if (err.code === 'VALIDATION_FAILED') return 'not-found';
  return null;
}
