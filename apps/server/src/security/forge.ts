import { randomInt } from 'node:crypto';
import {
  INVITE_CODE_ALPHABET,
  INVITE_CODE_LENGTH,
  ROOM_CODE_ALPHABET,
  ROOM_CODE_LENGTH,
  formatRoomCode,
} from '@parley/protocol';
import { SignJWT } from 'jose';
import type { JWTHeaderParameters, JWTPayload } from 'jose';
import { testConfig } from '../test/harness.js';

/** The secret every test app signs with (harness testConfig), so forgeries use the real key. */
export const TEST_SECRET = testConfig().jwtSecret;

export type JwtParts = { header: JWTHeaderParameters; claims: JWTPayload };

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** The header and claims of a token, unverified. */
export function decodeJwt(token: string): JwtParts {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as JWTHeaderParameters,
    claims: JSON.parse(Buffer.from(p!, 'base64url').toString()) as JWTPayload,
  };
}

/**
 * Signs exactly this header and these claims (nothing added) with an HMAC secret: a
 * genuine token re-signed unchanged is accepted, so a refusal of one with one change is
 * that change's doing.
 */
export function signJwt(parts: JwtParts, secret = TEST_SECRET): Promise<string> {
  return new SignJWT(parts.claims)
    .setProtectedHeader(parts.header)
    .sign(new TextEncoder().encode(secret));
}

/** An unsigned token (`alg: none`), with an empty or a borrowed signature. */
export function unsignedJwt(parts: JwtParts, signature = ''): string {
  return `${b64({ ...parts.header, alg: 'none' })}.${b64(parts.claims)}.${signature}`;
}

/** The token with its claims replaced but its original signature kept (tampering). */
export function tamperJwt(token: string, claims: JWTPayload): string {
  const [h, , s] = token.split('.');
  return `${h}.${b64(claims)}.${s}`;
}

/** Claims without the named keys. */
export function without(claims: JWTPayload, ...keys: string[]): JWTPayload {
  return Object.fromEntries(Object.entries(claims).filter(([k]) => !keys.includes(k)));
}

/** A header without the named keys. */
export function headerWithout(header: JWTHeaderParameters, ...keys: string[]): JWTHeaderParameters {
  return Object.fromEntries(
    Object.entries(header).filter(([k]) => !keys.includes(k)),
  ) as JWTHeaderParameters;
}

/** A well-formed invite code (`xxxxx-xxxxx`), random, so almost surely no invite's. */
export function forgedInvite(): string {
  const chars = Array.from(
    { length: INVITE_CODE_LENGTH },
    () => INVITE_CODE_ALPHABET[randomInt(INVITE_CODE_ALPHABET.length)],
  );
  const half = INVITE_CODE_LENGTH / 2;
  return `${chars.slice(0, half).join('')}-${chars.slice(half).join('')}`;
}

/** A well-formed room code, random, so almost surely no room's. */
export function missingRoomCode(): string {
  const letters = Array.from(
    { length: ROOM_CODE_LENGTH },
    () => ROOM_CODE_ALPHABET[randomInt(ROOM_CODE_ALPHABET.length)],
  );
  return formatRoomCode(letters.join(''));
}
