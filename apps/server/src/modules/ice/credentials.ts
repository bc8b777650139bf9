import { createHmac } from 'node:crypto';
import type { IceServer, IceServersResponse } from '@parley/protocol';
import type { TurnConfig } from '../../platform/config.js';

/**
 * coturn's shared-secret ("TURN REST API") scheme: the username is
 * "<expiry unix time>:<user id>" and the password is base64(HMAC-SHA1(secret, username)).
 * coturn recomputes the HMAC and refuses the credential after the expiry.
 */
export function turnCredential(secret: string, userId: string, expiresAt: number) {
  const username = `${expiresAt}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/** What a browser needs to gather candidates: STUN as is, TURN with credentials. */
export function iceServersFor(config: TurnConfig, userId: string, now: Date): IceServersResponse {
  const iceServers: IceServer[] = [];
  if (config.stunUrls.length) iceServers.push({ urls: config.stunUrls });
  if (config.turnUrls.length) {
    if (config.secret) {
      const expiresAt = Math.floor(now.getTime() / 1000) + config.ttlSeconds;
      iceServers.push({
        urls: config.turnUrls,
        ...turnCredential(config.secret, userId, expiresAt),
      });
    } else if (config.staticAuth) {
      iceServers.push({
        urls: config.turnUrls,
        username: config.staticAuth.username,
        credential: config.staticAuth.password,
      });
    }
  }
  return { iceServers, ttlSeconds: config.ttlSeconds };
}
