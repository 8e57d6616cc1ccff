#!/usr/bin/env node
// A small static file server (no dependencies) with the right MIME types for .wasm/.onnx, no
// caching, and compression as a production web server serves pre-compressed files: brotli
// (quality 11) when the client accepts it, else gzip (level 9), else identity. Compressed bodies
// are cached in memory per file (path, size and mtime), so each file is compressed once. Used by
// the demo command and the browser tests, whose byte counts (first-query bytes) are therefore
// bytes over the wire, as a static host would send them.
//   node www/serve.mjs DIR [--port 8080] [--host 127.0.0.1] [--no-compress]
import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const root = resolve(args.find((a) => !a.startsWith('--')) ?? 'dist');
const flag = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const port = Number(flag('--port', process.env.PORT ?? 8080));
const host = flag('--host', '127.0.0.1');
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json',
  '.onnx': 'application/octet-stream', '.bin': 'application/octet-stream', '.txt': 'text/plain',
};
/**
 * The Content-Security-Policy of every document and script (README, "Content-Security-Policy"):
 * what Sparrow needs and no more. `'wasm-unsafe-eval'` lets the page compile WebAssembly without
 * allowing JS `eval`; workers come from this origin. The browser tests fail on any violation.
 * Sent with HTML (the page's policy) and JS (a worker's policy is its script's); on data a page
 * fetches (index files, wasm, the model) a browser ignores it, so it is not repeated there, as a
 * host's header rules would not.
 */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";
/** What the policy is sent with: documents and scripts (workers). */
const policed = new Set(['.html', '.js', '.mjs']);
/** Already-compressed formats: sent as they are. */
// (Pagefind's index files are gzipped by Pagefind itself.)
const stored = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.woff2', '.gz', '.br', '.pf_meta', '.pf_index', '.pf_fragment', '.pagefind']);

/** `br`, `gzip` or `identity`: the best encoding `accept` (an Accept-Encoding header) allows. */
export function pickEncoding(accept = '') {
  const offered = new Set(accept.split(',').map((s) => s.split(';')[0].trim().toLowerCase()));
  if (offered.has('br')) return 'br';
  if (offered.has('gzip')) return 'gzip';
  return 'identity';
}

/**
 * Serves `dir` on `listenPort` (0: any free port). `compress: false` sends every file as it is.
 * Resolves to the listening server.
 */
export function serve(dir = root, listenPort = port, { compress = !args.includes('--no-compress') } = {}) {
  const cache = new Map();
  const body = (path, st, encoding) => {
    const key = `${encoding}\0${path}`;
    const hit = cache.get(key);
    if (hit && hit.size === st.size && hit.mtime === st.mtimeMs) return hit.bytes;
    const raw = readFileSync(path);
    const bytes = encoding === 'br'
      ? brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
      : encoding === 'gzip' ? gzipSync(raw, { level: 9 }) : raw;
    if (encoding !== 'identity') cache.set(key, { size: st.size, mtime: st.mtimeMs, bytes });
    return bytes;
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let path = normalize(join(dir, decodeURIComponent(url.pathname)));
    if (!path.startsWith(dir)) return void res.writeHead(403).end();
    try {
      let st = statSync(path);
      if (st.isDirectory()) {
        path = join(path, 'index.html');
        st = statSync(path);
      }
      const encoding = compress && !stored.has(extname(path)) ? pickEncoding(req.headers['accept-encoding']) : 'identity';
      const bytes = body(path, st, encoding);
      const headers = { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'content-length': bytes.length, 'cache-control': 'no-cache', vary: 'accept-encoding' };
      if (policed.has(extname(path))) headers['content-security-policy'] = CSP;
      if (encoding !== 'identity') headers['content-encoding'] = encoding;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : bytes);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok) => server.listen(listenPort, host, () => ok(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await serve();
  console.log(`serving ${root} on http://${host}:${port}/`);
}
