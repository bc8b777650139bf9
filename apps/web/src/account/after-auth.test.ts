import { describe, expect, it } from 'vitest';
import { afterAuthTarget, authRedirectFrom } from './after-auth';

describe('where log-in and sign-up lead', () => {
  it('leads to "My rooms" when nothing else was asked for', () => {
    expect(afterAuthTarget(undefined)).toBe('/rooms');
    expect(afterAuthTarget('')).toBe('/rooms');
    expect(afterAuthTarget(['/r/abc-defg-hjkm'])).toBe('/rooms');
  });

  it('leads to "My rooms", not the marketing page, when sent from the landing page', () => {
    expect(afterAuthTarget('/')).toBe('/rooms');
    expect(afterAuthTarget('/?lang=ru')).toBe('/rooms');
    expect(afterAuthTarget('/login?redirect=/')).toBe('/rooms');
    expect(afterAuthTarget('/register')).toBe('/rooms');
  });

  it('goes back to the page that asked, such as the meeting about to be joined', () => {
    expect(afterAuthTarget('/r/abc-defg-hjkm')).toBe('/r/abc-defg-hjkm');
    expect(afterAuthTarget('/appointments/1?x=1#top')).toBe('/appointments/1?x=1#top');
    expect(afterAuthTarget('/rooms')).toBe('/rooms');
  });

  it('never leaves the app', () => {
    expect(afterAuthTarget('https://evil.example/')).toBe('/rooms');
    expect(afterAuthTarget('//evil.example/x')).toBe('/rooms');
    expect(afterAuthTarget('/\\evil.example')).toBe('/rooms');
    expect(afterAuthTarget('javascript:alert(1)')).toBe('/rooms');
  });

  it('a log-in link carries the page it is on, except from pages that are no destination', () => {
    expect(authRedirectFrom({ name: 'prejoin', fullPath: '/r/abc-defg-hjkm' })).toBe(
      '/r/abc-defg-hjkm',
    );
    expect(authRedirectFrom({ name: 'invite', fullPath: '/i/abcde-fghjk' })).toBe('/i/abcde-fghjk');
    for (const name of ['landing', 'login', 'register', 'ended', 'account-disabled']) {
      expect(authRedirectFrom({ name, fullPath: '/whatever' })).toBeUndefined();
    }
  });
});
