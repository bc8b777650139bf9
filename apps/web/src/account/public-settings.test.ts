import { describe, expect, it } from 'vitest';
import { inviteTokenFrom, registerGate } from './public-settings';

describe('registerGate', () => {
  it('shows the form while registration is open or not known yet', () => {
    expect(registerGate('open', null)).toBe('form');
    expect(registerGate(undefined, null)).toBe('form');
  });

  it('says "closed" when it is, invite or not', () => {
    expect(registerGate('closed', null)).toBe('closed');
    expect(registerGate('closed', 'tok')).toBe('closed');
  });

  it('asks for an invite link while invite-only, and shows the form with one', () => {
    expect(registerGate('invite-only', null)).toBe('invite-needed');
    expect(registerGate('invite-only', 'tok')).toBe('form');
  });
});

describe('inviteTokenFrom', () => {
  it('takes ?invite=, else the invite page in ?redirect=', () => {
    expect(inviteTokenFrom({ invite: 'abc.def' })).toBe('abc.def');
    expect(inviteTokenFrom({ redirect: '/i/abcde-fghij?from=mail' })).toBe('abcde-fghij');
    expect(inviteTokenFrom({ redirect: '/invite/eyJ.x-y_z?from=mail' })).toBe('eyJ.x-y_z');
    expect(inviteTokenFrom({ redirect: '/invite/a%2Eb' })).toBe('a.b');
  });

  it('finds none elsewhere', () => {
    expect(inviteTokenFrom({})).toBeNull();
    expect(inviteTokenFrom({ redirect: '/rooms' })).toBeNull();
    expect(inviteTokenFrom({ redirect: 'https://evil.example/invite/x' })).toBeNull();
    expect(inviteTokenFrom({ redirect: 'https://evil.example/i/x' })).toBeNull();
    expect(inviteTokenFrom({ invite: ['a', 'b'] })).toBeNull();
  });
});
