// Type-aware lint for every TypeScript package and every Vue single-file component; plain JS
// scripts get the basic rules.
import js from '@eslint/js';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import vueParser from 'vue-eslint-parser';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'data/**',
      'coverage/**',
      'e2e/test-results/**',
      'e2e/playwright-report/**',
      'e2e/screenshots/**',
      'apps/web/dev-dist/**',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.vue'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        // One project service for both: it must know .vue files to type their <script setup>.
        extraFileExtensions: ['.vue'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  // Vue: the plugin's strictest preset (findings are errors), then vue-eslint-parser for the
  // SFC with typescript-eslint's parser for its <script setup lang="ts">, so the type-aware
  // rules above run on every component.
  ...pluginVue.configs['flat/recommended-error'],
  {
    files: ['**/*.vue'],
    languageOptions: {
      parser: vueParser,
      parserOptions: { parser: tseslint.parser },
    },
  },
  // Prettier formats templates; the plugin's layout rules would fight it (e.g. it wants void
  // elements as `<input>`, Prettier prints `<input />`).
  pluginVue.configs['no-layout-rules'],
  {
    files: ['**/*.vue'],
    rules: {
      // From the Options API: there a missing prop default was a trap. With typed props an
      // optional prop is `undefined` when absent, which its type already says, and a
      // default of `undefined` would be noise.
      'vue/require-default-prop': 'off',
    },
  },
  {
    // Tests poke at loosely typed JSON responses on purpose.
    files: ['**/*.test.ts', '**/test/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
