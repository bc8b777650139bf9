import { baseCompile } from '@intlify/message-compiler';
import type { Plugin } from 'vite';

/**
 * The locale files' messages compiled at build time into vue-i18n's message AST, the form
 * its run-time compiler makes of a string on first use. Without this every page load parsed
 * each message it showed (37–51 ms of main thread while joining a call, on a busy core);
 * with it vue-i18n only wraps the AST in a closure per use (no `cacheKey`: caching that
 * closure would cost the bundle the message text a second time).
 *
 * A message that does not parse fails the build, naming its key, instead of showing its
 * raw text in the app.
 */
export function precompileMessages(json: string, file = 'messages'): string {
  const errors: string[] = [];
  const compile = (source: string, key: string) => {
    const { ast } = baseCompile(source, {
      jit: true,
      minify: true,
      location: false,
      onError: (err) => errors.push(`${key}: ${err.message}`),
    });
    return ast;
  };
  const walk = (node: unknown, key: string): unknown => {
    if (typeof node === 'string') return compile(node, key);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${key}[${i}]`));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, walk(v, key ? `${key}.${k}` : k)]),
      );
    }
    return node;
  };
  const compiled = walk(JSON.parse(json) as unknown, '');
  if (errors.length > 0) {
    throw new Error(`${file}: messages that do not compile:\n  ${errors.join('\n  ')}`);
  }
  return JSON.stringify(compiled);
}

/** The build's plugin: `src/locales/*.json` precompiled, before Vite turns JSON into a module. */
export function precompiledMessages(): Plugin {
  return {
    name: 'parley:precompiled-messages',
    // The dev server and the tests keep the strings (edits show at once; tests read text).
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!/[\\/]src[\\/]locales[\\/][^\\/]+\.json$/.test(file)) return null;
      return { code: precompileMessages(code, file), map: null };
    },
  };
}
