import { z } from 'zod';

/**
 * Letters a person can read aloud and type back without confusion: a–z minus
 * `i`, `l` (look like 1/I/l) and `o` (looks like 0). 23 letters, log2(23) ≈ 4.52 bits each.
 */
export const ROOM_CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz';

/**
 * Group sizes of the dashed form `xxx-xxxx-xxxx`. Ten letters of a 23-letter alphabet give
 * only 45.2 bits, short of the 47 DESIGN.md §8 asks for, so the last group has four letters:
 * 11 letters -> 11 × log2(23) ≈ 49.8 bits.
 */
export const ROOM_CODE_GROUPS = [3, 4, 4] as const;

/** Letters in a code, without dashes. */
export const ROOM_CODE_LENGTH = ROOM_CODE_GROUPS.reduce((sum, n) => sum + n, 0);

/** Bits of randomness in a code drawn uniformly from the alphabet (≈ 49.76). */
export const ROOM_CODE_ENTROPY_BITS = ROOM_CODE_LENGTH * Math.log2(ROOM_CODE_ALPHABET.length);

const letter = `[${ROOM_CODE_ALPHABET}]`;

/** The canonical form, as stored and returned by the server: `abc-defg-hjkm`. */
export const ROOM_CODE_PATTERN = new RegExp(
  `^${ROOM_CODE_GROUPS.map((n) => `${letter}{${n}}`).join('-')}$`,
);

const bareCode = new RegExp(`^${letter}{${ROOM_CODE_LENGTH}}$`);

/**
 * The canonical dashed form of a code a person typed or pasted (any case, with or without
 * dashes or spaces between letters), or null when it cannot be a room code.
 */
export function normalizeRoomCode(input: string): string | null {
  const bare = input
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '');
  if (!bareCode.test(bare)) return null;
  const groups: string[] = [];
  let at = 0;
  for (const n of ROOM_CODE_GROUPS) {
    groups.push(bare.slice(at, at + n));
    at += n;
  }
  return groups.join('-');
}

/**
 * Dashed form of a code; the server calls it on the letters it drew from
 * ROOM_CODE_ALPHABET with node:crypto. Throws on anything that is not a room code.
 */
export function formatRoomCode(raw: string): string {
  const code = normalizeRoomCode(raw);
  if (code === null) throw new RangeError(`Not a room code: ${JSON.stringify(raw)}`);
  return code;
}

/** A code as typed by a person (input); parses to the canonical dashed form. */
export const RoomCode = z
  .string()
  .max(64)
  .transform((s, ctx) => {
    const code = normalizeRoomCode(s);
    if (code === null) {
      ctx.addIssue({ code: 'custom', message: 'Not a valid room code' });
      return z.NEVER;
    }
    return code;
  })
  .meta({ description: 'Room code, e.g. `abc-defg-hjkm` (case and dashes optional)' });

/** A code in canonical form, as the server returns it (output). */
export const CanonicalRoomCode = z
  .string()
  .regex(ROOM_CODE_PATTERN)
  .meta({ description: 'Room code in canonical form', example: 'abc-defg-hjkm' });
