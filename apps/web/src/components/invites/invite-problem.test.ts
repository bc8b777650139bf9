import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { inviteProblem } from './invite-problem';

const refusal = (status: number, code: string, details: Record<string, unknown> = {}) =>
  new ApiError(status, code, 'refused', {}, details);

describe('inviteProblem', () => {
  it('tells a revoked, a used-up and an expired invite apart by the reason the server gives', () => {
    expect(inviteProblem(refusal(410, 'INVITE_INVALID', { reason: 'revoked' }))).toBe('revoked');
    expect(inviteProblem(refusal(410, 'INVITE_INVALID', { reason: 'used-up' }))).toBe('used-up');
    expect(inviteProblem(refusal(410, 'INVITE_INVALID', { reason: 'expired' }))).toBe('expired');
    // A server that gives no reason: "expired" covers it.
    expect(inviteProblem(refusal(410, 'INVITE_INVALID'))).toBe('expired');
    expect(inviteProblem(refusal(410, 'INVITE_INVALID', { reason: 'made-up' }))).toBe('expired');
  });

  it('an unknown or malformed code is not found; an ended meeting and a removal have their own', () => {
    expect(inviteProblem(refusal(404, 'INVITE_NOT_FOUND'))).toBe('not-found');
    expect(inviteProblem(refusal(400, 'VALIDATION_FAILED'))).toBe('not-found');
    expect(inviteProblem(refusal(410, 'ROOM_CLOSED'))).toBe('ended');
    expect(inviteProblem(refusal(403, 'KICKED_FROM_ROOM'))).toBe('kicked');
  });

  it('anything a retry may fix is no invite problem', () => {
    expect(inviteProblem(refusal(429, 'TOO_MANY_ATTEMPTS'))).toBeNull();
    expect(inviteProblem(refusal(403, 'ROOM_LOCKED'))).toBeNull();
    expect(inviteProblem(refusal(0, 'NETWORK_ERROR'))).toBeNull();
    expect(inviteProblem(new Error('boom'))).toBeNull();
  });
});
