/**
 * JSON.parse for text from the wire (socket frames and HTTP bodies alike), refusing
 * anything that is not plain data: duplicate keys (two parsers may disagree on which one
 * wins), `__proto__` and `constructor` keys (prototype-pollution gadgets downstream),
 * absurd nesting, and numbers a double cannot hold or no client would write.
 * Our messages nest three levels deep; the limit only has to stop abuse.
 */
export const MAX_JSON_DEPTH = 16;

/**
 * Longest number literal accepted. JSON.stringify never writes a double in more than 24
 * characters ("-2.2250738585072014e-308"), so anything longer was written to hurt.
 */
export const MAX_JSON_NUMBER_LENGTH = 32;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);

export type PlainJsonResult = { ok: true; value: unknown } | { ok: false; reason: string };

export function parsePlainJson(text: string): PlainJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'Not valid JSON.' };
  }
  // The text is valid JSON now, so the scan below only has to follow its structure.
  const problem = scanStructure(text);
  return problem ? { ok: false, reason: problem } : { ok: true, value };
}

/** Walks valid JSON text once: depth, numbers and every object's keys. Returns a problem or undefined. */
function scanStructure(text: string): string | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push(c === 0x7b ? new Set() : null);
      if (stack.length > MAX_JSON_DEPTH) {
        return `JSON nested too deeply (more than ${MAX_JSON_DEPTH} levels).`;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const keys = stack.at(-1);
      if (keys && isFollowedByColon(text, end + 1)) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (FORBIDDEN_KEYS.has(key)) return `The key "${key}" is not allowed.`;
        if (keys.has(key)) return 'Duplicate key in a JSON object.';
        keys.add(key);
      }
      i = end;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39) /* 0-9 */) {
      const end = numberEnd(text, i);
      if (end - i > MAX_JSON_NUMBER_LENGTH || !Number.isFinite(Number(text.slice(i, end)))) {
        return 'A number in the JSON is too large or too long.';
      }
      i = end - 1;
    }
  }
  return undefined;
}

/** Index of the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22) return i;
    else i++;
  }
  return text.length;
}

/** Index just past the number literal starting at `start`: digits, sign, point, exponent. */
function numberEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const inNumber =
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2e ||
      c === 0x65 ||
      c === 0x45 ||
      c === 0x2b ||
      c === 0x2d;
    if (!inNumber) break;
    i++;
  }
  return i;
}

function isFollowedByColon(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a /* : */) return true;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return false;
}
