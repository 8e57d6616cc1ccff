#!/usr/bin/env node
// Document-encoding throughput, side by side in one process: Sparrow's encoder (tract, wasm,
// through the npm package) vs onnxruntime-node (native) and onnxruntime-web (wasm) running the
// same ONNX files on the same token ids. One thread everywhere; 256-token documents.
//
//   node tests/bench/encode.mjs [--docs 24] [--reps 3] [--batch-tokens N] [--json out.json] [--simd L]
//
// The package's full module has two builds (issue 17); one process instantiates one. --simd
// simd128 forces the plain one; --simd relaxed-simd needs a node that runs relaxed-SIMD, e.g.
// `node --experimental-wasm-relaxed-simd` (Node 20); --simd both runs this script twice, one
// child per build, each with onnxruntime in the same process, and writes both into --json.
// Without --simd the package's default choice is measured.
//
// --batch-tokens sets Sparrow's `batchTokens` (padded tokens per model run; the encoder's default
// otherwise).
//
// Needs: pkg/ (node pkg-config/scripts/build.mjs), model/build (model/build.sh), `npm ci` in tests/.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { init, simdLevel, Sparrow } from '../../pkg/dist/index.js';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const flag = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const DOCS = Number(flag('--docs', 24));
const REPS = Number(flag('--reps', 3));
const BATCH_TOKENS = flag('--batch-tokens', null);
const SIMD = flag('--simd', null);
if (SIMD === 'both') {
  // One child per build, sequentially; each prints its own table (onnxruntime in each).
  const out = flag('--json');
  const rest = args.filter((a, i) => !['--simd', '--json'].includes(a) && !['--simd', '--json'].includes(args[i - 1]));
  const runs = [];
  for (const [level, node] of [['simd128', []], ['relaxed-simd', ['--experimental-wasm-relaxed-simd']]]) {
    const json = `${out ?? '/tmp/encode-bench'}.${level}.json`;
    const child = spawnSync(process.execPath, [...node, fileURLToPath(import.meta.url), ...rest, '--simd', level, '--json', json], { stdio: 'inherit' });
    if (child.status !== 0) process.exit(child.status ?? 1);
    runs.push(JSON.parse(readFileSync(json, 'utf8')));
  }
  if (out) writeFileSync(out, JSON.stringify({ runs }, null, 2));
  process.exit(0);
}
if (SIMD === 'simd128') await init(new URL('../../pkg/wasm/sparrow_wasm_bg.wasm', import.meta.url));
else await init();
if (SIMD && simdLevel() !== SIMD) throw new Error(`--simd ${SIMD}: this node instantiated the ${simdLevel()} build (relaxed-SIMD in Node 20 needs --experimental-wasm-relaxed-simd)`);
const modelDir = new URL(`file://${process.env.SPARROW_MODEL_DIR ?? new URL('../../model/build', import.meta.url).pathname}/`);
const buildInfo = JSON.parse(readFileSync(new URL('../../pkg/build-info.json', import.meta.url), 'utf8'));

// Distinct 256-token documents: sentences from a fixed word list, deterministic.
const words = 'the seasons axis orbit tilt earth sun light energy plants oxygen water ocean tide moon gravity vaccine immune cells protein gene cancer risk study patients effect treatment dose trial growth signal brain memory sleep heart blood pressure climate carbon soil rain forest species evolution'.split(' ');
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const texts = Array.from({ length: DOCS }, () => Array.from({ length: 400 }, () => words[Math.floor(rnd() * words.length)]).join(' '));

// FLOPs of one 256-token window (multiply-adds x2): 2 layers + MLM head + the 30,522-wide projection.
const S = 256, H = 128, F = 512, V = 30522, L = 2;
const flopsPerDoc = 2 * (L * (4 * S * H * H + 2 * S * S * H + 2 * S * H * F) + S * H * H + S * H * V);

async function timeIt(name, encodeAll) {
  await encodeAll(); // warm-up
  const samples = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    await encodeAll();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const ms = samples[Math.floor(samples.length / 2)];
  const docsPerSec = (DOCS / ms) * 1000;
  return { name, docsPerSec: +docsPerSec.toFixed(2), msPerDoc: +(ms / DOCS).toFixed(2), gflops: +((flopsPerDoc * docsPerSec) / 1e9).toFixed(2) };
}

const rows = [];
for (const variant of ['int8', 'f32']) {
  const modelUrl = new URL(`splade-tiny.${variant}.onnx`, modelDir);
  const t0 = performance.now();
  const sparrow = await Sparrow.create({ model: { model: modelUrl, tokenizer: new URL('tokenizer.json', modelDir), config: { maxTokens: 256, maxWindows: 1, language: 'any', ...(BATCH_TOKENS ? { batchTokens: Number(BATCH_TOKENS) } : {}) } } });
  const sparrowLoadMs = performance.now() - t0;
  const ids = texts.map((t) => sparrow.tokenIds(t));
  if (ids.some((x) => x.length !== 256)) throw new Error('documents must be 256 tokens');
  const feeds = (ort, batch) => {
    const out = [];
    for (let i = 0; i < ids.length; i += batch) {
      const chunk = ids.slice(i, i + batch);
      const flat = BigInt64Array.from(chunk.flat().map(BigInt));
      out.push({ input_ids: new ort.Tensor('int64', flat, [chunk.length, 256]), attention_mask: new ort.Tensor('int64', new BigInt64Array(flat.length).fill(1n), [chunk.length, 256]) });
    }
    return out;
  };
  rows.push({ variant, ...(await timeIt(`sparrow wasm (${simdLevel()}, ${buildInfo.profile}), 1 doc/run`, () => texts.forEach((t) => sparrow.encodeDocument(t)))), loadMs: +sparrowLoadMs.toFixed(0) });
  let round = 0; // addDocuments encodes 8 documents per model run; fresh ids each round
  rows.push({ variant, ...(await timeIt(`sparrow wasm (${simdLevel()}, ${buildInfo.profile}), addDocuments 8/run`, () => {
    round++;
    sparrow.addDocuments(texts.map((text, i) => ({ id: `${round}-${i}`, text })), { batchSize: 8 });
  })) });
  for (const [pkg, label] of [['onnxruntime-node', 'onnxruntime-node (native)'], ['onnxruntime-web', 'onnxruntime-web (wasm)']]) {
    const ort = require(pkg);
    if (pkg === 'onnxruntime-web') { ort.env.wasm.numThreads = 1; ort.env.wasm.simd = true; }
    const bytes = readFileSync(modelUrl);
    const t1 = performance.now();
    // The execution provider by name: both packages register into the one onnxruntime-common
    // npm installs for them, and without a name onnxruntime-web's InferenceSession runs on the
    // highest-priority backend registered, onnxruntime-node's native one once that package is
    // loaded. Until 2026-12-07 (session 7) this bench named none, so its "onnxruntime-web" rows
    // were native onnxruntime.
    const executionProviders = [pkg === 'onnxruntime-web' ? 'wasm' : 'cpu'];
    const session = await ort.InferenceSession.create(bytes, { executionProviders, intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    const loadMs = performance.now() - t1;
    const single = feeds(ort, 1);
    rows.push({ variant, ...(await timeIt(`${label}, 1 doc/run`, async () => { for (const f of single) await session.run(f); })), loadMs: +loadMs.toFixed(0) });
    const batched = feeds(ort, 8);
    rows.push({ variant, ...(await timeIt(`${label}, 8 docs/run`, async () => { for (const f of batched) await session.run(f); })) });
  }
  sparrow.dispose();
}

console.log(`\n${DOCS} documents x 256 tokens, median of ${REPS} runs after a warm-up; ${(flopsPerDoc / 1e9).toFixed(2)} GFLOP per document`);
console.log(`sparrow build: ${simdLevel()} module, ${JSON.stringify(buildInfo)}`);
console.log('| model | runtime | docs/s | ms/doc | GFLOP/s | load ms |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.variant} | ${r.name} | ${r.docsPerSec} | ${r.msPerDoc} | ${r.gflops} | ${r.loadMs ?? ''} |`);
const out = flag('--json');
if (out) writeFileSync(out, JSON.stringify({ simd: simdLevel(), node: process.version, docs: DOCS, reps: REPS, batchTokens: BATCH_TOKENS ? Number(BATCH_TOKENS) : null, flopsPerDoc, buildInfo, rows }, null, 2));
