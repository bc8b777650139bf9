import { describe, expect, it } from 'vitest';
import en from './en.json';
import ru from './ru.json';

type Tree = { [key: string]: string | Tree };

/** Every leaf key as a dotted path. */
function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );
}

function get(tree: Tree, key: string): string | Tree | undefined {
  return key
    .split('.')
    .reduce<string | Tree | undefined>(
      (node, part) => (typeof node === 'object' ? node[part] : undefined),
      tree,
    );
}

/** The distinct `{name}` placeholders of a message (plural forms repeat them). */
const placeholders = (message: string) =>
  [...new Set([...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

/** The app's own source text (the call engine has no user-visible strings). */
const SOURCES = import.meta.glob<string>(
  ['../**/*.vue', '../**/*.ts', '!../**/*.test.ts', '!../calls/**', '!../testing/**'],
  { query: '?raw', import: 'default', eager: true },
);

describe('locales', () => {
  it('English and Russian have exactly the same keys', () => {
    const enKeys = keys(en).sort();
    const ruKeys = keys(ru).sort();
    expect(ruKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
    expect(enKeys.filter((k) => !ruKeys.includes(k))).toEqual([]);
  });

  it('every message is translated (not empty) and keeps the same placeholders', () => {
    for (const key of keys(en)) {
      const a = get(en, key) as string;
      const b = get(ru, key) as string;
      expect(a.trim(), key).not.toBe('');
      expect(b.trim(), key).not.toBe('');
      expect(placeholders(b), key).toEqual(placeholders(a));
    }
  });

  it('every literal key the app passes to t() exists', () => {
    const used = new Set<string>();
    for (const text of Object.values(SOURCES)) {
      for (const m of text.matchAll(/\bt\(\s*'([\w.-]+)'/g)) used.add(m[1] ?? '');
      // Keys handed around as strings ('validation.email', 'errors.EMAIL_TAKEN', …).
      for (const m of text.matchAll(/'((?:validation|errors|prejoin)\.[\w.-]+)'/g)) {
        used.add(m[1] ?? '');
      }
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((key) => typeof get(en, key) !== 'string');
    expect(missing).toEqual([]);
  });
});
