#!/usr/bin/env node
// `sparrow eval`, again through the npm package (wasm): must reproduce the native numbers.
//
//   node tests/bench/eval-wasm.mjs [--beir DIR] [--split test] [--json docs/bench/wasm-vs-native.json]
//
// What runs where:
//   native  `sparrow eval` (release build) evaluates every mode, and writes its index
//           (`--write-index`: BM25 + the documents' int8 / f32 vectors) and its runs.
//   wasm    the package loads those index bytes (`Sparrow.load`) and the same model files, and
//           runs every query: query encoding (tract in wasm), BM25, sparse scoring and fusion all
//           happen in wasm. Lexical mode is also run on an index built in wasm from the raw
//           documents (`addDocuments`, no model), so indexing is covered too. Document encoding
//           for the hybrid index is native (encoding 5,183 abstracts in wasm is what
//           tests/bench/peers.mjs times).
//   metrics the Rust code (`sparrow eval --run`) scores the wasm runs; JS only compares.
//
// Agreement: every metric within 0.001 of native (exit code 1 otherwise); the report also gives the
// share of queries whose top 10 is identical and the largest score difference.
//
// Needs: pkg/ (node pkg-config/scripts/build.mjs), model/build, a release `sparrow`
// (cargo build --release -p sparrow-cli), SciFact (../shared/data/scifact or --beir).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Sparrow } from '../../pkg/dist/index.js';
import { beirDir, flags, latencyOf, loadCorpus, loadQueries, root, scoreRuns, sparrowEval, writeRun } from './beir.mjs';

const { get, has } = flags();
const dir = beirDir(get('--beir'));
const split = get('--split', 'test');
const modelDir = process.env.SPARROW_MODEL_DIR ?? join(root, 'model/build');
const tmp = mkdtempSync(join(tmpdir(), 'sparrow-eval-wasm-'));
const buildInfo = JSON.parse(readFileSync(join(root, 'pkg/build-info.json'), 'utf8'));
const TOL = 0.001;

const queries = loadQueries(dir, split);
console.error(`${queries.length} ${split} queries; package build ${JSON.stringify(buildInfo)}`);

const native = [];
const wasmRuns = [];
const key = (r) => `${r.mode}|${r.fusion?.kind ?? '-'}|${r.model ?? '-'}`;

// Lexical, fully in wasm: index the raw documents with the package, no model. BM25 settings are
// passed explicitly (the native ones), so a package built before a change of defaults still
// compares like with like.
{
  const corpus = loadCorpus(dir);
  const [{ bm25 }] = sparrowEval(['--beir', dir, '--split', split, '--mode', 'lexical']);
  const t = performance.now();
  const s = await Sparrow.create({ model: false, index: { storeText: false, bm25 } });
  s.addDocuments(corpus.map(({ id, title, text }) => ({ id, title, text })));
  console.error(`wasm: indexed ${s.size} documents lexically in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  wasmRuns.push(runQueries(s, { name: 'sparrow-wasm-lexical-wasm-index', mode: 'lexical', fusion: null, model: null, index: 'built in wasm (addDocuments)' }));
  s.dispose();
}

for (const variant of ['int8', 'f32']) {
  const indexFile = join(tmp, `index-${variant}.sparrow`);
  const modes = variant === 'int8' ? 'lexical,sparse,hybrid' : 'sparse,hybrid';
  const rows = sparrowEval(['--beir', dir, '--split', split, '--variant', variant, '--mode', modes, '--model', modelDir, '--write-index', indexFile, '--write-runs', join(tmp, 'native')]);
  native.push(...rows);
  const t = performance.now();
  const s = await Sparrow.load(readFileSync(indexFile), {
    model: { model: pathToFileURL(join(modelDir, `splade-tiny.${variant}.onnx`)), tokenizer: pathToFileURL(join(modelDir, 'tokenizer.json')) },
  });
  console.error(`wasm: loaded the native ${variant} index + model in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  for (const r of rows) {
    const name = `sparrow-wasm-${r.mode}${r.fusion ? `-${r.fusion.kind}` : ''}${r.model ? `-${r.model}` : ''}`;
    wasmRuns.push(runQueries(s, { name, mode: r.mode, fusion: r.fusion, model: r.model, candidates: r.candidates, index: `native (${variant} vectors)` }));
  }
  s.dispose();
}

function runQueries(s, spec) {
  const options = { limit: 100, mode: spec.mode, ...(spec.fusion ? { fusion: spec.fusion } : {}), ...(spec.candidates ? { candidates: spec.candidates } : {}) };
  for (const q of queries.slice(0, 10)) s.search(q.text, options); // warm-up, as native
  const results = {};
  const ms = [];
  for (const q of queries) {
    const t = performance.now();
    const hits = s.search(q.text, options);
    ms.push(performance.now() - t);
    results[q.id] = hits.map((h) => [h.id, h.score]);
  }
  const file = join(tmp, `${spec.name}.json`);
  const { candidates, ...meta } = spec;
  writeRun(file, { ...meta, system: `sparrow (wasm, npm package, ${buildInfo.profile ?? 'pkg'})`, latency: latencyOf(ms) }, results);
  return file;
}

const scored = scoreRuns(dir, split, wasmRuns);
const nativeByKey = new Map(native.map((r) => [key(r), r]));
const readRun = (f) => JSON.parse(readFileSync(f, 'utf8')).results;
const report = [];
let ok = true;
for (const [i, w] of scored.entries()) {
  const n = nativeByKey.get(key(w));
  if (!n) throw new Error(`no native run for ${key(w)}`);
  const delta = Math.max(...['ndcg@10', 'recall@100', 'mrr@10'].map((m) => Math.abs(w[m] - n[m])));
  const wr = readRun(wasmRuns[i]);
  const nr = readRun(join(tmp, 'native', `${n.name}.json`));
  let same10 = 0;
  let maxScoreDiff = 0;
  for (const q of queries) {
    const a = wr[q.id] ?? [];
    const b = nr[q.id] ?? [];
    if (a.slice(0, 10).map((x) => x[0]).join() === b.slice(0, 10).map((x) => x[0]).join()) same10++;
    const bs = new Map(b);
    for (const [d, s] of a) if (bs.has(d)) maxScoreDiff = Math.max(maxScoreDiff, Math.abs(s - bs.get(d)));
  }
  const agree = delta <= TOL;
  ok &&= agree;
  report.push({ run: w.name, mode: w.mode, fusion: w.fusion, model: w.model, index: w.index, native: pick(n), wasm: pick(w), maxMetricDelta: delta, top10Identical: same10 / queries.length, maxScoreDiff, agree });
}
function pick(r) {
  return { 'ndcg@10': r['ndcg@10'], 'recall@100': r['recall@100'], 'mrr@10': r['mrr@10'], latency: r.latency };
}

const f = (x) => x.toFixed(4);
console.log(`\n${split}: native (sparrow eval, release) vs wasm (npm package, ${buildInfo.profile ?? ''}); agreement tolerance ${TOL}`);
console.log('| mode | fusion | model | wasm index | nDCG@10 native / wasm | Recall@100 native / wasm | MRR@10 native / wasm | max Δ | top-10 identical | p50 ms native / wasm | agree |');
console.log('| --- | --- | --- | --- | --- | --- | --- | ---: | ---: | --- | --- |');
for (const r of report) {
  const fu = r.fusion ? `${r.fusion.kind} ${r.fusion.k ?? r.fusion.alpha}` : '-';
  console.log(`| ${r.mode} | ${fu} | ${r.model ?? '-'} | ${r.index} | ${f(r.native['ndcg@10'])} / ${f(r.wasm['ndcg@10'])} | ${f(r.native['recall@100'])} / ${f(r.wasm['recall@100'])} | ${f(r.native['mrr@10'])} / ${f(r.wasm['mrr@10'])} | ${r.maxMetricDelta.toExponential(1)} | ${(100 * r.top10Identical).toFixed(1)}% | ${r.native.latency.p50Ms} / ${r.wasm.latency.p50Ms} | ${r.agree ? 'yes' : 'NO'} |`);
}
const out = get('--json');
if (out) writeFileSync(out, `${JSON.stringify({ split, queries: queries.length, buildInfo, tolerance: TOL, agree: ok, runs: report }, null, 2)}\n`);
if (!has('--keep')) rmSync(tmp, { recursive: true, force: true });
else console.error(`kept ${tmp}`);
if (!ok) {
  console.error('wasm and native DISAGREE beyond the tolerance');
  process.exit(1);
}
console.error('wasm and native agree');
