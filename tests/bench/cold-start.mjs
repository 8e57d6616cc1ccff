#!/usr/bin/env node
// Cold start: from a fresh node process to the first hybrid result, with a prebuilt index
// (`sparrow eval --write-index FILE`) and the package's bundled int8 model. Prints one JSON object
// (milliseconds). tests/bench/peers.mjs runs it several times and reports the median.
//
//   node tests/bench/cold-start.mjs --index FILE [--query TEXT]
//   node tests/bench/cold-start.mjs --index FILE --vocab VFILE [--query TEXT]   # no model: lookup
//
// With --vocab (an index and vocabulary file written by `sparrow eval --write-index FILE
// --write-vocab VFILE`), the search-only module (`sparrow-search/lite`) answers with a lookup
// hybrid query: no model is read or run.
//
// Steps, each through the package's public API: import the package, instantiate the wasm
// (`init`), read + load the index bytes (`Sparrow.load(bytes, { model: false })`), read + load the
// bundled model (`loadModel('bundled')`: tokenizer + tract graph optimisation), run the first
// query (`search`: encoding + both arms + fusion).
import { performance } from 'node:perf_hooks';

const scriptStart = performance.now(); // ms since the process started (node's own start-up before it)
const argv = process.argv.slice(2);
const arg = (n, d) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : d);
const indexFile = arg('--index');
if (!indexFile) throw new Error('--index FILE is required (write one with sparrow eval --write-index)');
const query = arg('--query', 'what causes the seasons');

const lap = (() => {
  let t = performance.now();
  return () => {
    const now = performance.now();
    const d = now - t;
    t = now;
    return d;
  };
})();
const { readFile } = await import('node:fs/promises');
const vocabFile = arg('--vocab');
let sparrow, hits, importMs, wasmMs, indexMs, modelMs, firstQueryMs;
if (vocabFile) {
  const { SparrowLite, init } = await import('../../pkg/dist/lite.js');
  importMs = lap();
  await init();
  wasmMs = lap();
  sparrow = await SparrowLite.load(await readFile(indexFile));
  sparrow.loadVocab(await readFile(vocabFile));
  indexMs = lap();
  modelMs = 0;
  hits = sparrow.search(query);
  firstQueryMs = lap();
} else {
  const { Sparrow, init } = await import('../../pkg/dist/index.js');
  importMs = lap();
  await init();
  wasmMs = lap();
  sparrow = await Sparrow.load(await readFile(indexFile), { model: false });
  indexMs = lap();
  await sparrow.loadModel('bundled');
  modelMs = lap();
  hits = sparrow.search(query);
  firstQueryMs = lap();
}
if (!hits.length) throw new Error('no result');
const end = performance.now();
console.log(JSON.stringify({
  nodeStartMs: scriptStart,
  importMs,
  wasmMs,
  indexMs,
  modelMs,
  firstQueryMs,
  sinceScriptMs: end - scriptStart,
  totalMs: end,
  documents: sparrow.size,
  firstHit: hits[0].id,
  module: sparrow.module,
}));
