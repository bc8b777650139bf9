import path from 'node:path';
import { baseCompile } from '@intlify/message-compiler';
import type { Plugin } from 'vite';

/**
 * The locale files' messages compiled at build time into vue-i18n's message AST, the form
 * its run-time compiler makes of a string on first use. Without this every page load parsed
 * each message it showed (37–51 ms of main thread while joining a call, on a busy core);
 * with it vue-i18n only wraps the AST in a closure per use (cheap enough that the ASTs
 * carry no `cacheKey` for vue-i18n to cache that closure under).
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

/**
 * The build's plugin: the JSON files directly in `localesDir` precompiled, before Vite turns
 * JSON into a module. Only plain imports: `?raw` or `?url` asks for the file as it is.
 */
export function precompiledMessages(localesDir: string): Plugin {
  const dir = path.resolve(localesDir);
  return {
    name: 'parley:precompiled-messages',
    // The dev server keeps the strings, so an edited message shows at once. (The unit tests
    // use the root vitest config, without this plugin; the browser tests run the build.)
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (id.includes('?') || !id.endsWith('.json')) return null;
      if (path.dirname(path.resolve(id)) !== dir) return null;
      return { code: precompileMessages(code, id), map: null };
    },
  };
}
