import vue from '@vitejs/plugin-vue';
import { defaultClientConditions, defineConfig } from 'vite';

// In development the browser talks only to Vite; API and socket traffic is forwarded to a
// locally running Parley server so the app sees one origin, as it does in production.
const apiTarget = `http://127.0.0.1:${process.env.PARLEY_API_PORT ?? 8080}`;

export default defineConfig({
  plugins: [vue()],
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
