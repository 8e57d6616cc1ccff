import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { sparrowNotesPwa } from './pwa/build/plugin';

// The demos import `sparrow-search` exactly as a user would; here it resolves to the package
// built into ../pkg by `node pkg-config/scripts/build.mjs`.
//
// Three pages: the demo (index.html), the offline notes PWA (pwa/index.html), whose plugin
// emits its manifest, icons and service worker (see pwa/build/plugin.ts), and the docs search
// (docs/index.html) over a prebuilt index in public/generated/ (scripts/demo.sh builds it).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^sparrow-search\/worker$/, replacement: resolve(__dirname, '../pkg/dist/worker.js') },
      { find: /^sparrow-search\/lite$/, replacement: resolve(__dirname, '../pkg/dist/lite.js') },
      { find: /^sparrow-search$/, replacement: resolve(__dirname, '../pkg/dist/index.js') },
    ],
  },
  plugins: [sparrowNotesPwa({ dir: resolve(__dirname, 'pwa'), pkgDir: resolve(__dirname, '../pkg') })],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    rollupOptions: { input: { main: resolve(__dirname, 'index.html'), pwa: resolve(__dirname, 'pwa/index.html'), docs: resolve(__dirname, 'docs/index.html') } },
  },
  server: { fs: { allow: ['..'] } },
});
