import { describe, expect, it } from 'vitest';
import { isAdmin } from './hook.js';

// The one admin check (admin routes, and the services behind them): the admin role, held
// by an account that is not a guest.
describe('isAdmin', () => {
  it('is the admin role on a real account; never a guest, never another role', () => {
    expect(isAdmin({ role: 'admin', isGuest: false })).toBe(true);
    expect(isAdmin({ role: 'admin', isGuest: true })).toBe(false);
    expect(isAdmin({ role: 'provider', isGuest: false })).toBe(false);
    expect(isAdmin({ role: 'member', isGuest: false })).toBe(false);
  });
});
