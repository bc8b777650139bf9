import { randomBytes } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32
const TIME_DIGITS = 10; // 48 bits of milliseconds
const RANDOM_DIGITS = 16; // 80 bits

/**
 * ULIDs (https://github.com/ulid/spec): 48-bit time + 80 random bits, so ids sort by
 * creation time as text. Monotonic in this process: within one millisecond, or when the
 * clock steps back, the random part counts up instead of being drawn again.
 */
export function createUlidFactory(clock: Clock, random: (n: number) => Buffer = randomBytes) {
  let lastTime = -1;
  let digits: number[] = [];

  return function ulid(): string {
    const now = clock.now().getTime();
    if (now > lastTime) {
      lastTime = now;
      digits = [...random(RANDOM_DIGITS)].map((b) => b & 31);
    } else if (!increment(digits)) {
      // 2^80 ids in one millisecond: move to the next one rather than repeat.
      lastTime += 1;
      digits = [...random(RANDOM_DIGITS)].map((b) => b & 31);
    }
    return encodeTime(lastTime) + digits.map((d) => ALPHABET[d]).join('');
  };
}

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < TIME_DIGITS; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** Adds one to a base-32 number in place; false when it overflowed. */
function increment(digits: number[]): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]! += 1;
      return true;
    }
    digits[i] = 0;
  }
  return false;
}
