import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The demos import `sparrow-search` exactly as a user would; here it resolves to the package
// built into ../pkg by `node pkg-config/scripts/build.mjs`.
export default defineConfig({
  resolve: { alias: { 'sparrow-search': resolve(__dirname, '../pkg/dist/index.js') } },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    rollupOptions: { input: { main: resolve(__dirname, 'index.html') } },
  },
  server: { fs: { allow: ['..'] } },
});
