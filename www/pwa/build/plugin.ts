// Vite plugin for the offline notes PWA (www/pwa/): emits the web manifest, the icons and the
// service worker. The service worker gets, inlined at build time, the list of every file the PWA
// page needs (its HTML, JS chunks, CSS, the worker chunk and what the worker loads: .wasm, .onnx
// model, tokenizer.json; plus manifest and icons) and a cache version hashed from their contents.
//
// The list is the closure of references from pwa/index.html: a hashed file under the assets
// directory is needed when a needed HTML/JS/CSS file names it. That follows static and dynamic
// imports, `new URL('…', import.meta.url)` assets and worker chunks alike, without knowing
// anything about the package's internals.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OutputBundle, PreRenderedChunk } from 'rollup';
import type { HtmlTagDescriptor, Plugin, ResolvedConfig } from 'vite';
import { iconPng, iconSvg } from './icons';

export interface NotesPwaOptions {
  /** Absolute path of www/pwa. */
  dir: string;
  /** Absolute path of the built package (pkg/), to fingerprint the bundled model. */
  pkgDir: string;
  /** Output sub-directory of the page (default `pwa`). */
  outDir?: string;
}

const THEME = '#1f4e8c';
const SW_MARKER = '/*__PRECACHE_MANIFEST__*/ null';

/** Identity of the bundled model + package version: stored indexes built with another are rebuilt. */
function modelId(pkgDir: string): string {
  const model = resolve(pkgDir, 'model/splade-tiny.int8.onnx');
  const pkgJson = resolve(pkgDir, 'package.json');
  if (!existsSync(model) || !existsSync(pkgJson)) return 'unknown';
  const version = JSON.parse(readFileSync(pkgJson, 'utf8')).version as string;
  return `${version}+${createHash('sha256').update(readFileSync(model)).digest('hex').slice(0, 16)}`;
}

function staticFiles(): Record<string, string | Buffer> {
  const manifest = {
    id: './',
    name: 'Sparrow Notes',
    short_name: 'Notes',
    description: 'Your notes, searchable by meaning and by keyword. Runs entirely on this device, offline.',
    start_url: './',
    scope: './',
    display: 'standalone',
    background_color: '#fbfbfd',
    theme_color: THEME,
    icons: [
      { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      { src: 'icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
  return {
    'manifest.webmanifest': JSON.stringify(manifest, null, 2) + '\n',
    'icon.svg': iconSvg(),
    'icon-192.png': iconPng(192),
    'icon-512.png': iconPng(512),
    'icon-maskable-512.png': iconPng(512, true),
  };
}

const TEXT_RE = /\.(html|js|mjs|css|svg|webmanifest)$/;

function fileText(bundle: OutputBundle, name: string): string | null {
  const f = bundle[name];
  if (!f) return null;
  if (f.type === 'chunk') return f.code;
  if (typeof f.source === 'string') return f.source;
  return TEXT_RE.test(name) ? Buffer.from(f.source).toString('utf8') : null;
}

function fileBytes(bundle: OutputBundle, name: string): Buffer {
  const f = bundle[name]!;
  return Buffer.from(f.type === 'chunk' ? f.code : f.source);
}

/** Whether `text` names `file` (its hashed basename, after a path separator or a quote). */
function mentions(text: string, file: string): boolean {
  const base = posix.basename(file);
  for (let i = text.indexOf(base); i >= 0; i = text.indexOf(base, i + 1)) {
    if (i === 0 || '/"\'`( '.includes(text[i - 1]!)) return true;
  }
  return false;
}

export function sparrowNotesPwa(options: NotesPwaOptions): Plugin {
  const outDir = options.outDir ?? 'pwa';
  const html = resolve(options.dir, 'index.html');
  const statics = staticFiles();
  let config: ResolvedConfig;
  /** The package's relaxed-SIMD probe module (`RELAXED_SIMD_PROBE`), for the service worker. */
  let relaxedSimdProbe: readonly number[] | undefined;
  /** URL prefix of the page's own files, as written in the HTML. */
  const pageBase = () => (config.base.startsWith('/') || /^[a-z]+:/i.test(config.base) ? `${config.base}${outDir}/` : './');

  return {
    name: 'sparrow-notes-pwa',
    enforce: 'post',
    config() {
      return {
        define: { __SPARROW_NOTES_MODEL_ID__: JSON.stringify(modelId(options.pkgDir)) },
        worker: {
          rollupOptions: {
            output: {
              // The PWA's own worker entry goes under pwa/: a service worker controls a dedicated
              // worker only when the worker script's URL is inside its scope.
              entryFileNames: (chunk: PreRenderedChunk) =>
                posix.join(chunk.facadeModuleId?.startsWith(options.dir) ? outDir : '', config.build.assetsDir, '[name]-[hash].js'),
            },
          },
        },
      };
    },
    configResolved(resolved) {
      config = resolved;
    },
    async buildStart() {
      const load = pathToFileURL(resolve(options.pkgDir, 'dist/load.js')).href;
      ({ RELAXED_SIMD_PROBE: relaxedSimdProbe } = (await import(load)) as { RELAXED_SIMD_PROBE: readonly number[] });
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx): HtmlTagDescriptor[] | undefined {
        if (resolve(ctx.filename) !== html) return undefined;
        const base = pageBase();
        return [
          { tag: 'link', attrs: { rel: 'manifest', href: `${base}manifest.webmanifest` }, injectTo: 'head' },
          { tag: 'link', attrs: { rel: 'icon', href: `${base}icon.svg`, type: 'image/svg+xml' }, injectTo: 'head' },
          { tag: 'link', attrs: { rel: 'apple-touch-icon', href: `${base}icon-192.png` }, injectTo: 'head' },
        ];
      },
    },
    configureServer(server) {
      // Dev server: serve the manifest and icons (the service worker is only registered in builds).
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0]!;
        const prefix = `${config.base}${outDir}/`;
        const name = path.startsWith(prefix) ? path.slice(prefix.length) : '';
        const body = statics[name];
        if (!body) return next();
        const type = name.endsWith('.png') ? 'image/png' : name.endsWith('.svg') ? 'image/svg+xml' : 'application/manifest+json';
        res.setHeader('content-type', type);
        res.end(body);
      });
    },
    generateBundle(_out, bundle) {
      const htmlFile = `${outDir}/index.html`;
      if (!bundle[htmlFile]) return;
      for (const [name, source] of Object.entries(statics)) {
        this.emitFile({ type: 'asset', fileName: `${outDir}/${name}`, source });
      }

      const hashed = Object.keys(bundle).filter((n) => n.startsWith(`${config.build.assetsDir}/`) || n.startsWith(`${outDir}/${config.build.assetsDir}/`));
      const needed = new Set([htmlFile, ...Object.keys(statics).map((n) => `${outDir}/${n}`)]);
      const queue = [...needed];
      while (queue.length) {
        const text = fileText(bundle, queue.pop()!);
        if (text === null) continue;
        for (const cand of hashed) {
          if (!needed.has(cand) && mentions(text, cand)) {
            needed.add(cand);
            queue.push(cand);
          }
        }
      }

      const template = readFileSync(resolve(options.dir, 'sw.js'), 'utf8');
      if (!template.includes(SW_MARKER)) this.error(`pwa/sw.js lacks the marker ${SW_MARKER}`);
      const names = [...needed].sort();
      const hash = createHash('sha256').update(template);
      const files = names.map((name) => {
        const bytes = fileBytes(bundle, name);
        hash.update(name).update(bytes);
        // The package's two builds of the full module: a browser loads one (relaxed-SIMD where
        // it validates the package's probe), so the service worker caches only that one.
        const when = /sparrow_wasm_relaxed_bg[^/]*\.wasm$/.test(name) ? 'relaxed-simd' : /sparrow_wasm_bg[^/]*\.wasm$/.test(name) ? 'simd128' : undefined;
        return { url: posix.relative(outDir, name) || './', size: bytes.length, ...(when ? { when } : {}) };
      });
      if (!relaxedSimdProbe) this.error('sparrow-notes-pwa: the package\'s RELAXED_SIMD_PROBE was not loaded');
      const manifest = { version: hash.digest('hex').slice(0, 16), relaxedSimdProbe, files };
      this.emitFile({ type: 'asset', fileName: `${outDir}/sw.js`, source: template.replace(SW_MARKER, JSON.stringify(manifest, null, 1)) });
      const total = (when: string) => files.filter((f) => !f.when || f.when === when).reduce((s, f) => s + f.size, 0);
      config.logger.info(
        `sparrow-notes-pwa: service worker precaches ${files.filter((f) => f.when !== 'simd128').length} files, ${(total('relaxed-simd') / 1e6).toFixed(2)} MB with relaxed-SIMD, ${(total('simd128') / 1e6).toFixed(2)} MB without (cache ${manifest.version})`,
      );
    },
  };
}
