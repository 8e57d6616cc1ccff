#!/usr/bin/env node
// Encoding in the page with several workers (issue 17, item 1): `SparrowWorker.addDocuments`
// with 1, 2 and 4 encoders in Chromium, documents per second, in one run. Each count gets a
// fresh worker set (their start-up, wasm compile and model load, is timed apart), then one
// untimed warm-up call, then `--reps` timed calls of `--docs` new documents each.
//
//   node tests/bench/encoders-browser.mjs [--docs 96] [--reps 3] [--encoders 1,2,4] [--simd simd128,relaxed-simd] [--out FILE]
//
// Needs pkg/ (node pkg-config/scripts/build.mjs). On a machine with fewer cores than encoders the
// extra workers share the cores: the figure then says what the overhead of more workers costs,
// not what the hardware could do.
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, pkgDir, root } from '../helpers.mjs';

const args = process.argv.slice(2);
const flag = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const DOCS = Number(flag('--docs', 96));
const REPS = Number(flag('--reps', 3));
const COUNTS = flag('--encoders', '1,2,4').split(',').map(Number);
// --simd simd128,relaxed-simd: measure each build of the full module (passed to the workers as
// their wasm file) in the same page; default: the package's own choice (relaxed-SIMD in Chromium).
const SIMDS = flag('--simd', 'default').split(',');
const WASM_FILE = { simd128: 'sparrow_wasm_bg.wasm', 'relaxed-simd': 'sparrow_wasm_relaxed_bg.wasm', default: null };
for (const l of SIMDS) if (!(l in WASM_FILE)) throw new Error(`--simd: ${l} is not simd128, relaxed-simd or default`);

const dir = mkdtempSync(join(tmpdir(), 'sparrow-encoders-'));
symlinkSync(pkgDir(), join(dir, 'pkg'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>encoders</title><pre id="out">running</pre><script type="module" src="run.js"></script>');
// ~400-character notes (the PWA bench's size), distinct per call so every call encodes.
writeFileSync(
  join(dir, 'run.js'),
  `import { SparrowWorker } from './pkg/dist/index.js';
const words = 'meeting project budget garden recipe travel train station morning evening weekend doctor appointment book chapter idea plan list groceries coffee bread river mountain walk bicycle repair window kitchen paint invoice client deadline draft review presentation slides team lunch friend birthday gift music concert ticket museum history lesson language practice exercise sleep water energy battery phone laptop backup password email letter contract rent insurance tax receipt school homework science experiment plant seed soil rain weather forecast holiday flight hotel map city bridge harbour'.split(' ');
let seed = 11;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
let serial = 0;
const batch = (n) => Array.from({ length: n }, () => { const id = 'n' + serial++; return { id, title: words[rnd(words.length)] + ' ' + id, text: Array.from({ length: 60 }, () => words[rnd(words.length)]).join(' ') }; });
const out = { docs: ${DOCS}, reps: ${REPS}, hardwareConcurrency: navigator.hardwareConcurrency, runs: [] };
try {
  for (const [simd, file] of ${JSON.stringify(SIMDS.map((l) => [l, WASM_FILE[l]]))})
  for (const encoders of ${JSON.stringify(COUNTS)}) {
    let t = performance.now();
    const w = await SparrowWorker.create({ encoders, ...(file ? { wasm: new URL('./pkg/wasm/' + file, location.href).href } : {}) });
    const startMs = performance.now() - t;
    t = performance.now();
    await w.addDocuments(batch(${DOCS}));
    const warmMs = performance.now() - t; // includes starting the extra encoders
    const ms = [];
    for (let r = 0; r < ${REPS}; r++) {
      t = performance.now();
      await w.addDocuments(batch(${DOCS}));
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    const median = ms[Math.floor(ms.length / 2)];
    out.runs.push({ simd, encoders, startMs: Math.round(startMs), firstCallMs: Math.round(warmMs), medianMs: Math.round(median), docsPerSecond: +(${DOCS} / (median / 1000)).toFixed(2), size: await w.size() });
    await w.terminate();
  }
} catch (e) {
  out.error = (e.code ?? '') + ' ' + e.message;
}
document.querySelector('#out').textContent = JSON.stringify(out);
document.body.dataset.done = 'true';
`,
);

const { serve } = await import('../../www/serve.mjs');
const server = await serve(dir, 0, { compress: false });
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-done="true"]', { timeout: 3_600_000 });
  const result = JSON.parse(await page.textContent('#out'));
  for (const r of result.runs ?? []) {
    const base = result.runs.find((b) => b.encoders === 1 && b.simd === r.simd)?.docsPerSecond;
    r.vsOne = base ? +(r.docsPerSecond / base).toFixed(2) : null;
  }
  const buildInfo = JSON.parse(readFileSync(join(root, 'pkg/build-info.json'), 'utf8'));
  const report = { command: `node tests/bench/encoders-browser.mjs ${args.join(' ')}`.trim(), date: new Date().toISOString(), chromium: browser.version(), cores: cpus().length, profile: buildInfo.profile, ...result };
  console.log(JSON.stringify(report, null, 2));
  if (flag('--out')) writeFileSync(flag('--out'), JSON.stringify(report, null, 2) + '\n');
  if (result.error) process.exitCode = 1;
} finally {
  await browser.close();
  await new Promise((ok) => server.close(ok));
}
