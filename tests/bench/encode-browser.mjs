#!/usr/bin/env node
// Document-encoding throughput in Chromium (issue 17): Sparrow's full module, each of its two
// builds (simd128 and relaxed-SIMD), beside onnxruntime-web on the same int8 ONNX file and the
// same token ids, one thread, in the page's main thread. One fresh page per build (a realm
// instantiates one build); onnxruntime-web runs in each page too, so every ratio is taken within
// one page. The documents are encode.mjs's: 256 tokens each.
//
//   node tests/bench/encode-browser.mjs [--docs 24] [--reps 3] [--simd simd128,relaxed-simd] [--variant int8|f32] [--out FILE]
//
// Needs pkg/ (node pkg-config/scripts/build.mjs), model/build (model/build.sh) and `npm ci` in
// tests/ (onnxruntime-web).
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, pkgDir, root } from '../helpers.mjs';

const args = process.argv.slice(2);
const flag = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const DOCS = Number(flag('--docs', 24));
const REPS = Number(flag('--reps', 3));
const SIMDS = flag('--simd', 'simd128,relaxed-simd').split(',');
// --variant f32: the f32 model from model/build (model/build.sh) instead of the package's int8.
const VARIANT = flag('--variant', 'int8');
if (!['int8', 'f32'].includes(VARIANT)) throw new Error(`--variant: ${VARIANT} is not int8 or f32`);
const WASM_FILE = { simd128: 'sparrow_wasm_bg.wasm', 'relaxed-simd': 'sparrow_wasm_relaxed_bg.wasm' };
for (const l of SIMDS) if (!(l in WASM_FILE)) throw new Error(`--simd: ${l} is not simd128 or relaxed-simd`);

const dir = mkdtempSync(join(tmpdir(), 'sparrow-encode-browser-'));
symlinkSync(pkgDir(), join(dir, 'pkg'));
symlinkSync(join(root, 'tests/node_modules/onnxruntime-web/dist'), join(dir, 'ort'));
symlinkSync(process.env.SPARROW_MODEL_DIR ?? join(root, 'model/build'), join(dir, 'model'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>encode</title><pre id="out">running</pre><script type="module" src="run.js"></script>');
writeFileSync(
  join(dir, 'run.js'),
  `import { init, simdLevel, Sparrow } from './pkg/dist/index.js';
import * as ort from './ort/ort.wasm.min.mjs';
const params = new URLSearchParams(location.search);
const DOCS = ${DOCS}, REPS = ${REPS};
// encode.mjs's documents: 400 words from a fixed list, deterministic, 256 tokens after truncation.
const words = 'the seasons axis orbit tilt earth sun light energy plants oxygen water ocean tide moon gravity vaccine immune cells protein gene cancer risk study patients effect treatment dose trial growth signal brain memory sleep heart blood pressure climate carbon soil rain forest species evolution'.split(' ');
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const texts = Array.from({ length: DOCS }, () => Array.from({ length: 400 }, () => words[Math.floor(rnd() * words.length)]).join(' '));
async function timeIt(name, encodeAll) {
  await encodeAll();
  const samples = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    await encodeAll();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const ms = samples[Math.floor(samples.length / 2)];
  return { name, docsPerSec: +((DOCS / ms) * 1000).toFixed(2), msPerDoc: +(ms / DOCS).toFixed(2) };
}
const out = { rows: [] };
try {
  await init(new URL('./pkg/wasm/' + params.get('file'), location.href));
  out.simd = simdLevel();
  const modelBytes = new Uint8Array(await (await fetch('./model/splade-tiny.${VARIANT}.onnx')).arrayBuffer());
  const tokenizer = new Uint8Array(await (await fetch('./pkg/model/tokenizer.json')).arrayBuffer());
  const sparrow = await Sparrow.create({ model: { model: modelBytes, tokenizer, config: { maxTokens: 256, maxWindows: 1, language: 'any' } } });
  const ids = texts.map((t) => sparrow.tokenIds(t));
  if (ids.some((x) => x.length !== 256)) throw new Error('documents must be 256 tokens');
  out.rows.push(await timeIt('sparrow ' + out.simd + ', 1 doc/run', () => texts.forEach((t) => sparrow.encodeDocument(t))));
  let round = 0;
  out.rows.push(await timeIt('sparrow ' + out.simd + ', addDocuments 8/run', () => {
    round++;
    sparrow.addDocuments(texts.map((text, i) => ({ id: round + '-' + i, text })), { batchSize: 8 });
  }));
  sparrow.dispose();
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = new URL('./ort/', location.href).href;
  const session = await ort.InferenceSession.create(modelBytes, { executionProviders: ['wasm'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const feeds = (batch) => {
    const f = [];
    for (let i = 0; i < ids.length; i += batch) {
      const chunk = ids.slice(i, i + batch);
      const flat = BigInt64Array.from(chunk.flat().map(BigInt));
      f.push({ input_ids: new ort.Tensor('int64', flat, [chunk.length, 256]), attention_mask: new ort.Tensor('int64', new BigInt64Array(flat.length).fill(1n), [chunk.length, 256]) });
    }
    return f;
  };
  for (const batch of [1, 8]) {
    const f = feeds(batch);
    out.rows.push(await timeIt('onnxruntime-web, ' + batch + ' doc' + (batch > 1 ? 's' : '') + '/run', async () => { for (const x of f) await session.run(x); }));
  }
} catch (e) {
  out.error = (e.code ?? '') + ' ' + (e.message ?? e);
}
document.querySelector('#out').textContent = JSON.stringify(out);
document.body.dataset.done = 'true';
`,
);

const { serve } = await import('../../www/serve.mjs');
const server = await serve(dir, 0, { compress: false });
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchChromium();
const runs = [];
try {
  for (const simd of SIMDS) {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('pageerror', e.message));
    const fetched = [];
    page.on('request', (r) => { if (/\.(wasm|mjs)$/.test(r.url())) fetched.push(r.url().replace(base, '')); });
    await page.goto(`${base}?file=${WASM_FILE[simd]}`);
    await page.waitForSelector('body[data-done="true"]', { timeout: 3_600_000 });
    const result = JSON.parse(await page.textContent('#out'));
    await page.close();
    if (result.error) throw new Error(`${simd}: ${result.error}`);
    result.fetched = fetched;
    if (result.simd !== simd) throw new Error(`asked for the ${simd} build, the page runs ${result.simd}`);
    const ort = (n) => result.rows.find((r) => r.name === `onnxruntime-web, ${n}/run`).docsPerSec;
    for (const r of result.rows) {
      if (r.name.startsWith('sparrow')) r.vsOnnxruntimeWeb = +(r.docsPerSec / ort(r.name.includes('8/run') ? '8 docs' : '1 doc')).toFixed(2);
    }
    runs.push(result);
  }
  const buildInfo = JSON.parse(readFileSync(join(root, 'pkg/build-info.json'), 'utf8'));
  const report = { command: `node tests/bench/encode-browser.mjs ${args.join(' ')}`.trim(), date: new Date().toISOString(), chromium: browser.version(), cores: cpus().length, profile: buildInfo.profile, variant: VARIANT, docs: DOCS, reps: REPS, runs };
  console.log('| build | runtime | docs/s | ms/doc | vs onnxruntime-web (same page) |');
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const run of runs) for (const r of run.rows) console.log(`| ${run.simd} | ${r.name} | ${r.docsPerSec} | ${r.msPerDoc} | ${r.vsOnnxruntimeWeb ?? ''} |`);
  if (flag('--out')) writeFileSync(flag('--out'), JSON.stringify(report, null, 2) + '\n');
} finally {
  await browser.close();
  await new Promise((ok) => server.close(ok));
}
