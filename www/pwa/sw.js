// Service worker of Sparrow Notes. The build (pwa/build/plugin.ts) replaces the marker below with
// { version, relaxedSimdProbe, files: [{ url, size, when? }] }: every file the app needs, URLs
// relative to this script (`when`: which SIMD level a wasm build is for).
//
// install: download every file into the cache `sparrow-notes-<version>` (reusing identical hashed
//          files from the previous version's cache), reporting progress to the open pages.
// activate: delete older caches, take control of open pages.
// fetch:   cache first for the listed files; navigations inside the scope get the app shell.
//          Anything else goes to the network untouched.
/* eslint-disable no-restricted-globals */
const MANIFEST = /*__PRECACHE_MANIFEST__*/ null;

const PREFIX = 'sparrow-notes-';
const CACHE = PREFIX + MANIFEST.version;
const SHELL = new URL('index.html', self.location.href).href;
// The package ships its full wasm module twice (relaxed-SIMD and plain simd128) and loads the one
// this engine validates the package's probe for; only that one is cached.
const SIMD = WebAssembly.validate(new Uint8Array(MANIFEST.relaxedSimdProbe)) ? 'relaxed-simd' : 'simd128';
const FILES = MANIFEST.files.filter((f) => !f.when || f.when === SIMD).map((f) => ({ ...f, href: new URL(f.url, self.location.href).href }));
const LISTED = new Set(FILES.map((f) => f.href));
const TOTAL_BYTES = FILES.reduce((s, f) => s + f.size, 0);
// Content-hashed files (Vite's assets dir) never change under the same name: safe to reuse.
const isHashed = (href) => /\/assets\/[^/]+-[\w-]{8,}\.\w+$/.test(href);

async function broadcast(message) {
  for (const client of await self.clients.matchAll({ includeUncontrolled: true, type: 'window' })) {
    client.postMessage(message);
  }
}

async function fromOlderCache(href) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const hit = await (await caches.open(name)).match(href);
    if (hit) return hit;
  }
  return undefined;
}

async function precache() {
  const cache = await caches.open(CACHE);
  let done = 0;
  let bytes = 0;
  const report = () => broadcast({ type: 'sparrow-notes:precache', version: MANIFEST.version, done, total: FILES.length, bytes, totalBytes: TOTAL_BYTES });
  report();
  // A few downloads at a time; an install that was interrupted resumes where it stopped.
  const queue = [...FILES].sort((a, b) => b.size - a.size);
  const workers = Array.from({ length: 4 }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      if (!(await cache.match(f.href))) {
        const reused = isHashed(f.href) ? await fromOlderCache(f.href) : undefined;
        const response = reused ?? (await fetch(new Request(f.href, { cache: 'reload' })));
        if (!response.ok) throw new Error(`${f.url}: HTTP ${response.status}`);
        await cache.put(f.href, response);
      }
      done += 1;
      bytes += f.size;
      report();
    }
  });
  await Promise.all(workers);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    precache().catch(async (e) => {
      await broadcast({ type: 'sparrow-notes:precache-failed', message: String(e?.message ?? e) });
      throw e;
    }),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The page asks a waiting new version to take over (after the user chose to update).
self.addEventListener('message', (event) => {
  if (event.data?.type === 'sparrow-notes:skip-waiting') self.skipWaiting();
});

async function cacheFirst(href, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(href);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(href, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const href = url.origin + url.pathname;
  if (request.mode === 'navigate') {
    const scope = new URL(self.registration.scope);
    if (href === scope.href || href === SHELL) event.respondWith(cacheFirst(SHELL, request));
    return;
  }
  if (LISTED.has(href)) event.respondWith(cacheFirst(href, request));
});
