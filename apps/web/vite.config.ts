import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import type { Preset } from '@vite-pwa/assets-generator/config';
import vue from '@vitejs/plugin-vue';
import { defaultClientConditions, defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { precompiledMessages } from './src/i18n-precompile';

// In development the browser talks only to Vite; API and socket traffic is forwarded to a
// locally running Parley server so the app sees one origin, as it does in production.
const apiTarget = `http://127.0.0.1:${process.env.PARLEY_API_PORT ?? 8080}`;

const BRAND = '#2f4fd6';

/**
 * The PWA icons, drawn by @vite-pwa/assets-generator (sharp) from public/favicon.svg on every
 * build (and served on the fly by the dev server), so nothing generated is committed. The
 * manifest's `icons` and the `<link rel="icon">`/`apple-touch-icon` tags come from this too.
 */
const pwaIcons: Preset = {
  // The logo is a rounded square already: edge to edge, transparent corners.
  transparent: { sizes: [64, 192, 512], padding: 0, favicons: [[48, 'favicon.ico']] },
  // The OS crops these to its own shape: brand colour to the edges, the logo in the safe zone.
  maskable: { sizes: [512], padding: 0.3, resizeOptions: { background: BRAND } },
  // iOS ignores transparency and rounds the corners itself.
  apple: { sizes: [180], padding: 0.3, resizeOptions: { background: BRAND } },
};

export default defineConfig({
  plugins: [
    // vue-i18n's messages as ASTs: the app does not parse them on every page load.
    precompiledMessages(fileURLToPath(new URL('./src/locales', import.meta.url))),
    vue(),
    tailwindcss(),
    VitePWA({
      registerType: 'autoUpdate',
      // A <script src="/registerSW.js"> tag: the server's CSP forbids inline scripts.
      injectRegister: 'script-defer',
      pwaAssets: {
        config: false,
        image: 'public/favicon.svg',
        preset: pwaIcons,
        overrideManifestIcons: true,
        // <meta name="theme-color"> from the manifest below.
        injectThemeColor: true,
      },
      manifest: {
        name: 'Parley',
        short_name: 'Parley',
        description: 'Self-hosted video calls for your team.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#f6f7fb',
        theme_color: BRAND,
        // `icons` is filled in from pwaIcons above.
      },
      workbox: {
        // The app shell; API answers and the socket are never cached (no runtime caching).
        globPatterns: ['**/*.{js,css,html,svg,png,ico,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api(?:\/|$)/, /^\/ws(?:\/|$)/],
        cleanupOutdatedCaches: true,
        // autoUpdate: a new version takes over open tabs at once instead of waiting for them
        // all to close.
        skipWaiting: true,
        clientsClaim: true,
      },
    }),
  ],
  define: {
    // vue-i18n feature flags: Composition API only, no devtools hooks in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  resolve: {
    // Workspace packages (e.g. @parley/protocol) are consumed from source, no prior build needed.
    conditions: ['@parley/source', ...defaultClientConditions],
  },
  server: {
    proxy: {
      '/api': { target: apiTarget },
      '/ws': { target: apiTarget, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
