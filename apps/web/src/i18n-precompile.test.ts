import { createI18n } from 'vue-i18n';
import { describe, expect, it } from 'vitest';
import { russianPlural } from './i18n';
import { precompileMessages, precompiledMessages } from './i18n-precompile';
import en from './locales/en.json';
import ru from './locales/ru.json';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string'
      ? [[`${prefix}${k}`, v] as [string, string]]
      : leaves(v, `${prefix}${k}.`),
  );
}

/** One vue-i18n over both locales, from the JSON as the build makes it or as written. */
function i18nOf(precompiled: boolean) {
  const load = (tree: Tree) =>
    precompiled ? (JSON.parse(precompileMessages(JSON.stringify(tree))) as Tree) : tree;
  return createI18n({
    legacy: false,
    locale: 'en',
    fallbackLocale: 'en',
    messages: { en: load(en), ru: load(ru) },
    pluralRules: { ru: russianPlural },
    missingWarn: false,
    fallbackWarn: false,
  }).global;
}

describe('precompiled messages', () => {
  it('say exactly what the strings say, for every key of both locales', () => {
    const plain = i18nOf(false);
    const built = i18nOf(true);
    let checked = 0;
    for (const locale of ['en', 'ru'] as const) {
      plain.locale.value = locale;
      built.locale.value = locale;
      for (const [key, source] of leaves(locale === 'en' ? en : ru)) {
        // Every placeholder filled; plural messages at each form Russian has.
        const named = Object.fromEntries(
          [...source.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], `<${m[1]}>`]),
        );
        const counts = source.includes('|') ? [0, 1, 2, 5, 21] : [undefined];
        for (const n of counts) {
          const args = n === undefined ? named : { ...named, n, count: n };
          const want = n === undefined ? plain.t(key, args) : plain.t(key, args, n);
          const got = n === undefined ? built.t(key, args) : built.t(key, args, n);
          expect(got, `${locale} ${key} n=${n}`).toBe(want);
          checked += 1;
        }
      }
    }
    // Both locales, all their keys: a loader that dropped messages would check few.
    expect(checked).toBeGreaterThan(2 * leaves(en).length);
  });

  it('are vue-i18n message ASTs', () => {
    const out = JSON.parse(precompileMessages('{"a":{"b":"Hi {name}"}}')) as {
      a: { b: Record<string, unknown> };
    };
    expect(out.a.b).toMatchObject({ t: 0, b: { t: 2 } });
  });

  it('fail the build on a message that does not parse, naming its key', () => {
    expect(() => precompileMessages('{"call":{"title":"Broken {name"}}', 'en.json')).toThrow(
      /en\.json: messages that do not compile:\n {2}call\.title: /,
    );
  });

  it('apply to the locale files only, and only in a build', () => {
    const plugin = precompiledMessages('/repo/apps/web/src/locales');
    expect(plugin.apply).toBe('build');
    const transform = plugin.transform as (code: string, id: string) => unknown;
    expect(transform('{"a":"x"}', '/repo/apps/web/src/locales/en.json')).toMatchObject({
      code: '{"a":{"t":0,"b":{"t":2,"i":[{"t":3}],"s":"x"}}}',
    });
    // The file as it is, when asked for so; other JSON, and other files in the folder.
    expect(transform('{"a":"x"}', '/repo/apps/web/src/locales/en.json?raw')).toBeNull();
    expect(transform('{"a":"x"}', '/repo/apps/web/public/manifest.json')).toBeNull();
    expect(transform('{"a":"x"}', '/repo/node_modules/x/src/locales/en.json')).toBeNull();
    expect(transform('{"a":"x"}', '/repo/apps/web/src/locales/en.ts')).toBeNull();
  });
});
