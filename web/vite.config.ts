import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  // 'hidden': maps are written without a sourceMappingURL, and config/build.mjs moves them out of web/dist (never served).
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: 'hidden' },
  server: { proxy: { '/api': 'http://localhost:3000', '/socket.io': { target: 'ws://localhost:3000', ws: true } } },
});
