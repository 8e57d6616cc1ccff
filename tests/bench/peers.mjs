#!/usr/bin/env node
// Peer benchmark on SciFact, one command, one machine: MiniSearch, FlexSearch and Orama (from
// npm) vs Sparrow through its npm package (wasm), lexical and hybrid, plus Sparrow's cold start
// and the native `sparrow eval` numbers; then the chart.
//
//   node --expose-gc tests/bench/peers.mjs [--beir DIR] [--split test] [--out docs/bench]
//        [--systems minisearch,flexsearch,orama,sparrow-lexical,sparrow-hybrid,sparrow-lookup] [--cold-runs 5]
//
// Every system runs in its own child process (`--child NAME`), so heaps do not mix:
//   1. `global.gc()`, read heapUsed (baseline), load the corpus;
//   2. index title + text of the 5,183 documents (timed);
//   3. drop the corpus, `global.gc()`, read heapUsed again: "JS heap" is the difference. Sparrow
//      keeps its index in wasm linear memory, reported separately ("wasm memory": the whole
//      linear memory, which also holds the model and never shrinks after encoding);
//   4. serialise the index (size, and gzipped size);
//   5. 10 warm-up queries, then each test query timed alone: p50 / p95 over the 300;
//   6. write the top 100 per query as a run file. nDCG@10 etc. come from the Rust scorer
//      (`sparrow eval --run`), the same code as every other number.
// Sparrow hybrid: the index is built in wasm (`addDocuments` encodes every abstract with the
// bundled int8 model), and each query time includes encoding the query with the model.
//
// Needs: pkg/ (node pkg-config/scripts/build.mjs), model/build, release `sparrow`, `npm ci` in tests/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beirDir, docText, f2, f4, flags, latencyOf, loadCorpus, loadQueries, mb, root, scoreRuns, sparrowEval, writeRun } from './beir.mjs';

const { get, has } = flags();
const here = fileURLToPath(import.meta.url);
const LIMIT = 100;


// ---------------------------------------------------------------------------------------------
async function parent() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  const dir = beirDir(get('--beir'));
  const split = get('--split', 'test');
  const out = resolve(get('--out', join(root, 'docs/bench')));
  const systems = get('--systems', 'minisearch,flexsearch,orama,sparrow-lexical,sparrow-hybrid,sparrow-lookup').split(',');
  const coldRuns = Number(get('--cold-runs', 5));
  const tmp = mkdtempSync(join(tmpdir(), 'sparrow-peers-'));
  mkdirSync(out, { recursive: true });
  const versions = {
    node: process.version,
    minisearch: pkgVersion('minisearch'),
    flexsearch: pkgVersion('flexsearch'),
    orama: pkgVersion('@orama/orama'),
    sparrow: JSON.parse(readFileSync(join(root, 'pkg/build-info.json'), 'utf8')),
  };
  console.error(`versions: ${JSON.stringify(versions)}`);

  // Native reference (and the prebuilt index for the cold start).
  const indexFile = join(tmp, 'scifact-int8.sparrow');
  const native = sparrowEval(['--beir', dir, '--split', split, '--variant', 'int8', '--query', 'model,lookup', '--write-index', indexFile, ...(has('--native-no-cache') ? ['--no-cache'] : [])]);
  const nativeIndex = native.find((r) => r.model === 'int8')?.index ?? null;

  await checkPackageDefaults(native, indexFile, loadQueries(dir, split)[0].text);

  const rows = [];
  const runFiles = [];
  for (const name of systems) {
    const runFile = join(tmp, `${name}.json`);
    console.error(`\n== ${name}`);
    const stdout = execFileSync(process.execPath, ['--expose-gc', here, '--child', name, '--beir', dir, '--split', split, '--run-out', runFile, '--index', indexFile, '--encode-sample', get('--encode-sample', '100')], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    rows.push(JSON.parse(stdout.toString().trim().split('\n').pop()));
    runFiles.push(runFile);
  }
  const scored = scoreRuns(dir, split, runFiles);
  for (const [i, s] of scored.entries()) Object.assign(rows[i], { 'ndcg@10': s['ndcg@10'], 'recall@100': s['recall@100'], 'mrr@10': s['mrr@10'], queries: s.queries });

  // Cold start: fresh processes, prebuilt index + bundled model, to the first hybrid result.
  const firstQuery = loadQueries(dir, split)[0].text;
  const cold = [];
  for (let i = 0; i < coldRuns; i++) {
    const o = execFileSync(process.execPath, [join(root, 'tests/bench/cold-start.mjs'), '--index', indexFile, '--query', firstQuery], { stdio: ['ignore', 'pipe', 'inherit'] });
    cold.push(JSON.parse(o.toString()));
  }
  const med = (k) => [...cold.map((c) => c[k])].sort((a, b) => a - b)[Math.floor(cold.length / 2)];
  const coldStart = Object.fromEntries(Object.keys(cold[0]).filter((k) => typeof cold[0][k] === 'number').map((k) => [k, med(k)]));
  coldStart.runs = coldRuns;
  coldStart.indexBytes = readFileSync(indexFile).length;

  const nativeRows = native
    .filter((r) => r.mode !== 'sparse')
    .map((r) => ({ name: r.name, system: 'sparrow (native CLI)', label: `Sparrow native ${r.mode}${r.fusion ? ` ${r.fusion.kind}` : ''}${r.queryEncoder === 'lookup' ? ' (lookup queries)' : ''}`, queryEncoder: r.queryEncoder, mode: r.mode, fusion: r.fusion, latency: r.latency, 'ndcg@10': r['ndcg@10'], 'recall@100': r['recall@100'], 'mrr@10': r['mrr@10'] }));
  const result = { dataset: dir.split('/').filter(Boolean).pop(), split, date: new Date().toISOString().slice(0, 10), versions, limit: LIMIT, systems: rows, native: nativeRows, nativeIndex, coldStart };
  writeFileSync(join(out, 'peers.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.error(`wrote ${join(out, 'peers.json')}`);
  execFileSync(process.execPath, [join(root, 'tests/bench/chart.mjs'), '--in', join(out, 'peers.json'), '--out', join(out, 'quality-latency.svg')], { stdio: 'inherit' });
  printTables(result);
  rmSync(tmp, { recursive: true, force: true });
}

/** Refuses to run when pkg/ was built with other defaults than the native CLI (a stale build):
 * the table is meant to show the library as a user gets it. */
async function checkPackageDefaults(native, indexFile, query) {
  const { Sparrow } = await import('../../pkg/dist/index.js');
  const lexical = native.find((r) => r.mode === 'lexical');
  const s = await Sparrow.create({ model: false });
  s.addDocument({ id: 'x', text: 'x' });
  const bytes = Buffer.from(s.toBytes());
  const f32 = (x) => { const b = Buffer.alloc(4); b.writeFloatLE(x); return b; };
  if (!bytes.includes(Buffer.concat([f32(lexical.bm25.k1), f32(lexical.bm25.b)]))) {
    throw new Error(`pkg/ does not default to BM25 k1 ${lexical.bm25.k1}, b ${lexical.bm25.b} like the native CLI: rebuild the package (node pkg-config/scripts/build.mjs)`);
  }
  const hybrid = native.find((r) => r.mode === 'hybrid' && r.libraryDefaults);
  const h = await Sparrow.load(readFileSync(indexFile));
  const same = JSON.stringify(h.search(query, { limit: 100 })) === JSON.stringify(h.search(query, { limit: 100, fusion: hybrid.fusion }));
  if (!same) throw new Error(`pkg/ does not default to fusion ${JSON.stringify(hybrid.fusion)} like the native CLI: rebuild the package`);
  s.dispose();
  h.dispose();
}

function pkgVersion(name) {
  return JSON.parse(readFileSync(join(root, 'tests/node_modules', name, 'package.json'), 'utf8')).version;
}

function printTables(r) {
  console.log(`\n${r.dataset} ${r.split}, ${r.systems[0]?.queries ?? '?'} queries, node ${r.versions.node}, top ${r.limit}`);
  console.log('| system | index 5,183 docs | JS heap after indexing | wasm memory | serialized (gzip) | query p50 / p95 | nDCG@10 | Recall@100 | MRR@10 |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of r.systems) {
    console.log(`| ${s.label} | ${(s.indexMs / 1000).toFixed(2)} s | ${mb(s.heapBytes)} MB | ${s.wasmMemoryBytes ? `${mb(s.wasmMemoryBytes)} MB` : '-'} | ${mb(s.serializedBytes)} MB (${mb(s.serializedGzipBytes)} MB) | ${f2(s.latency.p50Ms)} / ${f2(s.latency.p95Ms)} ms | ${f4(s['ndcg@10'])} | ${f4(s['recall@100'])} | ${f4(s['mrr@10'])} |`);
  }
  for (const s of r.systems.filter((x) => x.encodeSample)) {
    const e = s.encodeSample;
    console.log(`\n${s.label}: "index" = loading the prebuilt index + bundled model; encoding in wasm (addDocuments, ${e.docs} docs): ${e.docsPerSec.toFixed(2)} docs/s, so ~${(e.fullCorpusEstimateMs / 60000).toFixed(0)} min for the corpus (estimate). Native prebuild: ${r.nativeIndex?.encodeMs ? `encode ${(r.nativeIndex.encodeMs / 1000).toFixed(0)} s (2 threads) + ` : '(vectors from cache) '}build ${(r.nativeIndex?.buildMs / 1000).toFixed(2)} s.`);
  }
  for (const s of r.native) console.log(`| ${s.label} (not node) | - | - | - | - | ${f2(s.latency.p50Ms)} / ${f2(s.latency.p95Ms)} ms | ${f4(s['ndcg@10'])} | ${f4(s['recall@100'])} | ${f4(s['mrr@10'])} |`);
  const c = r.coldStart;
  console.log(`\ncold start (median of ${c.runs} fresh node processes, prebuilt ${mb(c.indexBytes)} MB index + bundled int8 model):`);
  console.log(`node start ${f2(c.nodeStartMs)} ms, import ${f2(c.importMs)} ms, wasm instantiate ${f2(c.wasmMs)} ms, index load ${f2(c.indexMs)} ms, model load ${f2(c.modelMs)} ms, first hybrid query ${f2(c.firstQueryMs)} ms; total ${f2(c.totalMs)} ms (${f2(c.sinceScriptMs)} ms after the script started)`);
}

// ---------------------------------------------------------------------------------------------
async function child(name) {
  const dir = beirDir(get('--beir'));
  const split = get('--split', 'test');
  const queries = loadQueries(dir, split);
  const system = await SYSTEMS[name]();
  global.gc();
  global.gc();
  // Baseline before the corpus is read: the corpus is dropped after indexing, so what remains
  // above heap0 is what the index keeps (its own copies of ids, terms and stored fields).
  const heap0 = process.memoryUsage().heapUsed;
  let corpus = loadCorpus(dir);
  const corpusSize = corpus.length;
  const t0 = performance.now();
  await system.index(corpus);
  const indexMs = performance.now() - t0;
  corpus = null;
  system.dropInputs?.();
  global.gc();
  global.gc();
  const heapBytes = process.memoryUsage().heapUsed - heap0;
  const wasmMemoryBytes = system.wasmMemory?.() ?? null;
  const serialized = await system.serialize();
  for (const q of queries.slice(0, 10)) await system.search(q.text);
  const ms = [];
  const results = {};
  for (const q of queries) {
    const t = performance.now();
    const hits = await system.search(q.text);
    ms.push(performance.now() - t);
    results[q.id] = hits.slice(0, LIMIT);
  }
  const row = { name, label: system.label, config: system.config, indexMs, heapBytes, wasmMemoryBytes, serializedBytes: serialized.length, serializedGzipBytes: gzipSync(serialized).length, latency: latencyOf(ms) };
  if (system.encodeSample) {
    const sample = loadCorpus(dir).slice(0, Number(get('--encode-sample', 100)));
    row.encodeSample = await system.encodeSample(sample);
    row.encodeSample.fullCorpusEstimateMs = (row.encodeSample.ms / sample.length) * corpusSize;
  }
  writeRun(get('--run-out'), { name, system: system.label, latency: row.latency }, results);
  console.log(JSON.stringify(row));
}

// Each system: index(corpus), search(text) -> [[id, score], ...] best first, serialize() -> Buffer.
const SYSTEMS = {
  async minisearch() {
    const { default: MiniSearch } = await import('minisearch');
    const config = { fields: ['title', 'text'] };
    const ms = new MiniSearch(config);
    return {
      label: 'MiniSearch',
      config: "new MiniSearch({ fields: ['title', 'text'] }), search(q) (defaults: OR, BM25+, no fuzzy/prefix)",
      index: (docs) => ms.addAll(docs),
      search: (q) => ms.search(q).slice(0, LIMIT).map((h) => [String(h.id), h.score]),
      serialize: () => Buffer.from(JSON.stringify(ms)),
    };
  },
  async flexsearch() {
    const { Index } = await import('flexsearch');
    const idx = new Index({ tokenize: 'strict' });
    return {
      label: 'FlexSearch',
      config: "new Index({ tokenize: 'strict' }), add(id, title + ' ' + text), search(q, { limit: 100, suggest: true }); no scores, so a run lists rank order",
      index: (docs) => docs.forEach((d) => idx.add(d.id, docText(d))),
      search: (q) => idx.search(q, { limit: LIMIT, suggest: true }).map((id, rank) => [String(id), LIMIT - rank]),
      serialize() {
        const parts = [];
        idx.export((key, data) => parts.push(`${key}\n${data ?? ''}\n`));
        return Buffer.from(parts.join(''));
      },
    };
  },
  async orama() {
    const { create, insertMultiple, search, save } = await import('@orama/orama');
    const db = create({ schema: { title: 'string', text: 'string' } });
    return {
      label: 'Orama',
      config: "create({ schema: { title: 'string', text: 'string' } }), search({ term, properties: ['title', 'text'], limit: 100 })",
      index: async (docs) => { await insertMultiple(db, docs.map(({ id, title, text }) => ({ id, title, text }))); },
      search: async (q) => (await search(db, { term: q, properties: ['title', 'text'], limit: LIMIT })).hits.map((h) => [h.id, h.score]),
      serialize: async () => Buffer.from(JSON.stringify(await save(db))),
    };
  },
  'sparrow-lexical': () => sparrow(false),
  'sparrow-hybrid': () => sparrow(true),
  'sparrow-lookup': () => sparrow(true, 'lookup'),
};

/** `hybrid`: the prebuilt index with the bundled model; `queryEncoder: 'lookup'`: queries are
 * their WordPiece tokens weighted by the index (no model run per query). */
async function sparrow(hybrid, queryEncoder) {
  const { Sparrow } = await import('../../pkg/dist/index.js');
  const wasm = await import('../../pkg/wasm/sparrow_wasm.js');
  let s = hybrid ? null : await Sparrow.create({ model: false, index: { storeText: false } });
  const mode = hybrid ? 'hybrid' : 'lexical';
  const lookup = queryEncoder === 'lookup';
  return {
    label: lookup ? 'Sparrow lookup-hybrid (wasm)' : hybrid ? 'Sparrow hybrid (wasm, int8)' : 'Sparrow lexical (wasm)',
    config: lookup
      ? "Sparrow.load(prebuilt index bytes) + bundled model (its vocabulary tokenizes queries), search(q, { limit: 100, queryEncoder: 'lookup' }): hybrid, weighted fusion, the query's WordPiece tokens weighted by the index's token IDF, no model run per query"
      : hybrid
      ? "Sparrow.load(prebuilt index bytes) + bundled int8 model, search(q, { limit: 100 }) (library defaults: hybrid, weighted fusion); the index is built natively by sparrow eval --write-index (title + text, storeText off)"
      : "Sparrow.create({ model: false, index: { storeText: false } }), addDocuments({ id, title, text }), search(q, { limit: 100, mode: 'lexical' })",
    // Hybrid: "indexing" is loading the prebuilt index and the bundled model (encoding 5,183
    // abstracts in wasm is measured on a sample instead, see encodeSample).
    index: async (docs) => {
      if (hybrid) s = await Sparrow.load(readFileSync(get('--index')));
      else s.addDocuments(docs.map(({ id, title, text }) => ({ id, title, text })));
    },
    search: (q) => s.search(q, { limit: LIMIT, mode, ...(queryEncoder ? { queryEncoder } : {}) }).map((h) => [h.id, h.score]),
    serialize: () => Buffer.from(s.toBytes()),
    // wasm-bindgen's initSync returns the already-instantiated module's exports: a read-only peek
    // at the linear memory's size.
    wasmMemory: () => wasm.initSync({ module: new Uint8Array(0) })?.memory?.buffer?.byteLength ?? null,
    // In-wasm document encoding throughput (addDocuments with the bundled model) on the first
    // `n` documents, after everything else is measured.
    encodeSample: hybrid && !lookup
      ? async (docs) => {
          const t = await Sparrow.create({ index: { storeText: false } });
          t.addDocuments(docs.slice(0, 2).map(({ id, title, text }) => ({ id: `warm-${id}`, title, text })));
          const t0 = performance.now();
          t.addDocuments(docs.map(({ id, title, text }) => ({ id, title, text })));
          const ms = performance.now() - t0;
          t.dispose();
          return { docs: docs.length, ms, docsPerSec: (docs.length / ms) * 1000 };
        }
      : null,
  };
}

if (has('--child')) await child(get('--child'));
else await parent();
