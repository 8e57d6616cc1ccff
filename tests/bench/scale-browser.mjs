#!/usr/bin/env node
// Scale in the browser (issue 14, item 9): an index of 100,000 documents with BM25 postings and
// 250 learned-sparse postings each (the core benchmark's synthetic corpus, written as a file)
// loads and answers in Chromium. Reports the load time, the wasm memory after loading, the query
// latency (p50/p95 over 200 queries: lexical in the search-only module; sparse and hybrid in the
// full module with the bundled model expanding each query) and `toBytes` time and the memory it
// took (wasm memory only grows, so the figure after it is the peak).
//
//   SPARROW_BENCH_WRITE_INDEX=/var/tmp/sparrow-scale-100k.spi \
//     cargo bench -p sparrow-core --bench core -- --noplot   # writes the 100k index (once)
//   node tests/bench/scale-browser.mjs [/var/tmp/sparrow-scale-100k.spi] [--out FILE]
import { existsSync, mkdtempSync, symlinkSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, pkgDir } from '../helpers.mjs';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outPath = outAt >= 0 ? args[outAt + 1] : undefined;
const indexPath = args.find((a, i) => !a.startsWith('--') && i !== outAt + 1) ?? '/var/tmp/sparrow-scale-100k.spi';
if (!existsSync(indexPath)) {
  console.error(`${indexPath} is missing; write it with:\n  SPARROW_BENCH_WRITE_INDEX=${indexPath} cargo bench -p sparrow-core --bench core -- --noplot`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'sparrow-scale-'));
symlinkSync(pkgDir(), join(dir, 'pkg'));
symlinkSync(indexPath, join(dir, 'index.spi'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>scale</title><pre id="out">running</pre><script type="module" src="run.js"></script>');
// The page: the same synthetic words as crate/core/benches/core.rs (`vocabulary`), queries of 2-4
// words of rank 10..5000, like the benchmark's.
writeFileSync(
  join(dir, 'run.js'),
  `import { SparrowLite } from './pkg/dist/lite.js';
import { Sparrow } from './pkg/dist/index.js';
const C = 'bcdfghjklmnprstvz', V = 'aeiou';
const word = (i) => { let w = 'q'; for (;;) { w += C[i % C.length]; i = Math.floor(i / C.length); w += V[i % V.length]; i = Math.floor(i / V.length); if (i === 0) return w; } };
let seed = 7;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const queries = Array.from({ length: 200 }, () => Array.from({ length: 2 + rand(3) }, () => word(10 + rand(4990))).join(' '));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.max(1, Math.ceil(p * s.length)) - 1]; };
const out = {};
try {
  let t = performance.now();
  const lite = await SparrowLite.load('./index.spi');
  out.liteLoadMs = performance.now() - t;
  const st = lite.stats();
  out.documents = st.documents;
  out.liteWasmMemoryBytes = st.wasmMemoryBytes;
  for (const mode of ['lexical']) {
    for (const q of queries.slice(0, 10)) lite.search(q, { mode });
    const ms = queries.map((q) => { const t0 = performance.now(); lite.search(q, { mode, limit: 10 }); return performance.now() - t0; });
    out[mode] = { p50Ms: pct(ms, 0.5), p95Ms: pct(ms, 0.95), hitsOfFirst: lite.search(queries[0], { mode }).length };
  }
  lite.dispose();
  t = performance.now();
  const full = await Sparrow.load('./index.spi', { model: false });
  out.fullLoadMs = performance.now() - t;
  out.fullWasmMemoryBeforeToBytes = full.stats().wasmMemoryBytes;
  t = performance.now();
  const bytes = full.toBytes();
  out.toBytesMs = performance.now() - t;
  out.toBytesLength = bytes.length;
  out.fullWasmMemoryAfterToBytes = full.stats().wasmMemoryBytes;
  // Sparse and hybrid: the bundled model expands each query (the synthetic vectors use the same
  // id range, 0..30,521, so the postings walked are realistic even if the matches mean nothing).
  // Latency includes the model run.
  await full.loadModel('bundled');
  for (const mode of ['sparse', 'hybrid']) {
    for (const q of queries.slice(0, 5)) full.search(q, { mode });
    const ms = queries.map((q) => { const t0 = performance.now(); full.search(q, { mode, limit: 10 }); return performance.now() - t0; });
    out[mode] = { p50Ms: pct(ms, 0.5), p95Ms: pct(ms, 0.95), hitsOfFirst: full.search(queries[0], { mode }).length };
  }
  out.fullWasmMemoryWithModel = full.stats().wasmMemoryBytes;
} catch (e) {
  out.error = (e.code ?? '') + ' ' + e.message;
}
document.querySelector('#out').textContent = JSON.stringify(out);
document.body.dataset.done = 'true';
`,
);

const { serve } = await import('../../www/serve.mjs');
const server = await serve(dir, 0, { compress: false }); // 100 MB: brotli at quality 11 would take minutes
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-done="true"]', { timeout: 600_000 });
  const result = JSON.parse(await page.textContent('#out'));
  const mib = (b) => +(b / 2 ** 20).toFixed(1);
  const report = {
    command: `node tests/bench/scale-browser.mjs ${indexPath}`,
    chromium: browser.version(),
    indexFileMiB: mib(statSync(indexPath).size),
    ...result,
    liteWasmMemoryMiB: mib(result.liteWasmMemoryBytes ?? 0),
    toBytesPeakGrowthMiB: mib((result.fullWasmMemoryAfterToBytes ?? 0) - (result.fullWasmMemoryBeforeToBytes ?? 0)),
    fullWasmMemoryAfterToBytesMiB: mib(result.fullWasmMemoryAfterToBytes ?? 0),
  };
  console.log(JSON.stringify(report, null, 2));
  if (outPath) writeFileSync(outPath, JSON.stringify(report, null, 2) + '\n');
  if (result.error) process.exitCode = 1;
} finally {
  await browser.close();
  await new Promise((ok) => server.close(ok));
}
