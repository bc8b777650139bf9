import { clientKey } from '../../platform/client-key.js';
import type { Config } from '../../platform/config.js';
import type { LiveState } from '../../platform/live/index.js';

/**
 * Who may try a password now (OWASP: throttle the attacker, never lock the owner out).
 * - per address (its clientKey: an IPv6 /64 is one address), any account: `perIp` failures in `windowMs`, then 429 until the window ends;
 * - per address+account: from the `perPair.after`-th failure a lockout that doubles with
 *   each further failure (capped), forgiven by a successful sign-in from that address;
 * - per account, from anywhere: past `accountCeiling` failures in `windowMs` the account is
 *   under attack and every address loses its free tries on it. That slows a spread-out
 *   attack; the owner, right the first time, still gets in.
 * All of it lives in the live state, so it holds across processes (Redis).
 */
export type LoginThrottle = {
  /** Seconds this address must wait before trying this account; 0: it may try now. */
  waitFor(email: string, ip: string): Promise<number>;
  failed(email: string, ip: string): Promise<void>;
  succeeded(email: string, ip: string): Promise<void>;
};

export function createLoginThrottle(
  live: Pick<LiveState, 'attempts' | 'backoff'>,
  limits: Config['loginThrottle'],
): LoginThrottle {
  const perIp = live.attempts('login-ip', { limit: limits.perIp, windowMs: limits.windowMs });
  const perPair = live.backoff('login-pair', limits.perPair);
  const underAttack = live.backoff('login-pair-strict', { ...limits.perPair, after: 1 });
  const perAccount = live.attempts('login-account', {
    limit: limits.accountCeiling,
    windowMs: limits.windowMs,
  });
  // An address counts as its clientKey: an IPv6 /64 is one caller, not 2^64 fresh budgets.
  const ipKey = (ip: string) => `ip:${clientKey(ip)}`;
  const pairKey = (email: string, ip: string) => `${clientKey(ip)} ${email}`;

  return {
    async waitFor(email, ip) {
      return Math.max(
        ...(await Promise.all([
          perIp.blockedFor(ipKey(ip)),
          perPair.blockedFor(pairKey(email, ip)),
          underAttack.blockedFor(pairKey(email, ip)),
        ])),
      );
    },
    async failed(email, ip) {
      const [, , account] = await Promise.all([
        perIp.fail(ipKey(ip)),
        perPair.fail(pairKey(email, ip)),
        perAccount.fail(`acct:${email}`),
      ]);
      if (account.count >= limits.accountCeiling) await underAttack.fail(pairKey(email, ip));
    },
    async succeeded(email, ip) {
      await Promise.all([perPair.reset(pairKey(email, ip)), underAttack.reset(pairKey(email, ip))]);
    },
  };
}
