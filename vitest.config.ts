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
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
