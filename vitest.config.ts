import { availableParallelism } from 'node:os';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// One test command for the whole repo: every package's unit and integration tests.
// The browser suite (e2e/) runs separately with Playwright.
export default defineConfig({
  // Compiles .vue single-file components for the web app's component tests.
  plugins: [vue()],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  resolve: { conditions: ['@parley/source'] },
  ssr: { resolve: { conditions: ['@parley/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'scripts/**/*.test.ts',
      'bench/src/**/*.test.ts',
    ],
    // Vitest's default leaves a core free: one worker on these 2-core machines, though most
    // suites wait on sockets, PostgreSQL and Redis rather than compute. Two workers took the
    // suite from ~17 to ~10 minutes there; each suite has its own schema and key prefix.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
