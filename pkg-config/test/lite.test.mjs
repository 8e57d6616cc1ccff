// The search-only module (`sparrow-search/lite`, built from crate/wasm without its `model` and
// `write` features) at the JS boundary: conversions, error codes, and that a failed call leaves
// the index intact; and the full module's writer at the same boundary. These were wasm-bindgen
// tests of the bindings; they run here against the modules the package ships, which are the same
// code (and one less wasm32 build of everything in CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SparrowLite, SparrowError, formatVersions, init, loadSite } from '../../pkg/dist/lite.js';
import { Sparrow } from '../../pkg/dist/index.js';

const DOCS = [
  { id: 'a', title: 'Rust', text: 'Rust compiles to WebAssembly and runs in browsers', tags: ['lang'] },
  { id: 'b', text: 'Roaring bitmaps compress sorted integer sets', fields: { year: 2016, doi: null } },
  { id: 'c', text: 'Browsers run JavaScript and WebAssembly side by side', tags: ['web'] },
];

/** The documents indexed by the full module (no model), then loaded by the search-only one. */
async function sample() {
  const full = await Sparrow.create({ model: false });
  full.addDocuments(DOCS);
  const bytes = full.toBytes();
  full.dispose();
  return SparrowLite.load(bytes);
}

function code(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SparrowError, `${e}`);
    return e.code;
  }
  return 'no error';
}

test('lite: loads an index and searches lexically; no model and no writer in the module', async () => {
  const s = await sample();
  assert.equal(s.module, 'lite');
  assert.equal(s.size, 3);
  assert.equal(s.hasVocab, false);
  const ids = s.search('webassembly browsers').map((h) => h.id).sort();
  assert.deepEqual(ids, ['a', 'c']);
  await init();
  assert.deepEqual(formatVersions(), { indexFormat: 2, manifest: 2 });
  for (const m of ['addDocument', 'addDocuments', 'toBytes', 'loadModel', 'encodeQuery', 'vacuum']) {
    assert.equal(typeof s[m], 'undefined', `SparrowLite has no ${m}`);
  }
  const wasm = readFileSync(new URL('../../pkg/wasm-lite/sparrow_lite.js', import.meta.url), 'utf8');
  for (const m of ['addDocument', 'toBytes', 'loadModel']) assert.ok(!wasm.includes(`${m}(`), `the search-only module exports no ${m}`);
});

test('lite: hits are camelCase plain objects; absent options are left out, user nulls kept', async () => {
  const s = await sample();
  const [hit] = s.search('bitmaps', { explain: true, limit: 5 });
  for (const key of ['id', 'score', 'lexicalScore', 'explanation', 'fields']) assert.ok(key in hit, key);
  assert.equal(Object.getPrototypeOf(hit.fields), Object.prototype);
  assert.equal(hit.fields.year, 2016);
  assert.equal(hit.fields.doi, null);
  for (const key of ['title', 'url', 'sparseScore', 'sparseRank']) assert.equal(hit[key], undefined, key);
  assert.ok(hit.score > 0 && Number.isFinite(hit.score));
});

test('full module: a duplicate id is a coded error and keeps the index; batches are all or nothing', async () => {
  const s = await Sparrow.create({ model: false });
  s.addDocuments(DOCS);
  assert.equal(code(() => s.addDocument({ id: 'a', text: 'again' })), 'DUPLICATE_ID');
  assert.equal(s.size, 3);
  assert.equal(code(() => s.addDocuments([{ id: 'd', text: 'new' }, { id: 'b', text: 'dup' }])), 'DUPLICATE_ID');
  assert.equal(s.has('d'), false);
  try {
    s.addDocument({ id: 'a', text: 'again' });
  } catch (e) {
    assert.match(e.message, /^sparrow: /);
  }
});

test('wrong types from JS are named, in both modules', async () => {
  const full = await Sparrow.create({ model: false });
  full.addDocuments(DOCS);
  for (const bad of [{ id: 5, text: 'x' }, { text: 'no id' }, { id: 'x', text: 7 }, 'just a string', undefined, { id: 'x', text: 'y', fields: { n: 10n } }]) {
    assert.equal(code(() => full.addDocument(bad)), 'INVALID_DOCUMENT', String(bad));
  }
  assert.equal(code(() => full.addDocuments({ id: 'x' })), 'INVALID_DOCUMENT');
  assert.equal(code(() => full.removeDocument(1)), 'INVALID_ID');
  for (const s of [full, await sample()]) {
    assert.equal(code(() => s.search(42)), 'INVALID_QUERY');
    assert.equal(code(() => s.search('x', { limit: 'ten' })), 'INVALID_OPTION');
    assert.equal(code(() => s.search('x', { limit: 0 })), 'INVALID_OPTION');
    assert.equal(code(() => s.getDocument(7)), 'INVALID_ID');
    assert.equal(s.size, 3);
  }
});

test('lite: sparse mode without a vocabulary is refused, hybrid falls back to lexical', async () => {
  const s = await sample();
  assert.equal(code(() => s.search('rust', { mode: 'sparse' })), 'MODEL_NOT_LOADED');
  assert.deepEqual(s.search('rust', { mode: 'hybrid' }).map((h) => h.id), ['a']);
});

test('lite: bytes from the full module load; truncated and foreign bytes fail with INDEX_* codes', async () => {
  const full = await Sparrow.create({ model: false });
  full.addDocuments(DOCS);
  const s = full;
  const bytes = s.toBytes();
  const copy = await SparrowLite.load(bytes);
  assert.deepEqual(copy.search('webassembly').map((h) => h.id), s.search('webassembly').map((h) => h.id));
  await assert.rejects(SparrowLite.load(bytes.slice(0, bytes.length >> 1)), (e) => e.code.startsWith('INDEX_'));
  await assert.rejects(SparrowLite.load(new TextEncoder().encode('\x89PNG\r\n\x1a\n not an index')), (e) => e.code.startsWith('INDEX_'));
});

test('full module: progress is reported; a throwing callback adds nothing', async () => {
  const s = await Sparrow.create({ model: false });
  const calls = [];
  s.addDocuments([{ id: '1', text: 'one' }, { id: '2', text: 'two' }, { id: '3', text: 'three' }], { batchSize: 2, onProgress: (d, t) => calls.push([d, t]) });
  assert.deepEqual(calls, [[2, 3], [3, 3]]);
  assert.equal(code(() => s.addDocuments([{ id: '4', text: 'four' }], { onProgress: () => { throw new Error('stop'); } })), 'CALLBACK_FAILED');
  assert.equal(s.size, 3);
});

test('lite: the golden site fixture loads (manifest checked in wasm) and answers a lookup query', async () => {
  const url = new URL('../../tests/fixtures/format/v2/site/manifest.json', import.meta.url);
  const { sparrow, site, indexRequests, shardCount, fragmentCount } = await loadSite(url);
  assert.equal(sparrow.module, 'lite');
  assert.equal(indexRequests, 3, 'manifest + vocabulary + base');
  assert.ok(shardCount === 3 && fragmentCount > 1);
  const hits = await site.search('rust browsers', { explain: true });
  assert.ok(hits.length > 0);
  const load = site.load();
  assert.ok(load.shardsLoaded > 0 && load.fragmentsLoaded > 0, JSON.stringify(load));
  const expected = JSON.parse(readFileSync(new URL('../../tests/fixtures/format/v2/small.expected.json', import.meta.url)));
  const lexical = expected.queries.find((q) => q.name === 'lexical-explain');
  assert.deepEqual((await site.search(lexical.text, lexical.options)).map((h) => [h.id, Math.fround(h.score)]), lexical.hits.map((h) => [h.id, Math.fround(h.score)]));
});
