// The package API against the built package (../../pkg), with the bundled int8 model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Sparrow, SparrowError, init, isInitialized } from '../../pkg/dist/index.js';
import { docs, semanticOnly } from './corpus.mjs';

const sparrow = await Sparrow.create();
const reports = sparrow.addDocuments(docs);

test('init is idempotent and concurrent-safe', async () => {
  await Promise.all([init(), init(), init()]);
  assert.equal(isInitialized(), true);
});

test('every document is indexed semantically', () => {
  assert.equal(sparrow.size, docs.length);
  assert.equal(reports.length, docs.length);
  for (const r of reports) assert.equal(r.semantic, true, JSON.stringify(r));
});

test('semantic-only queries find their answer first, with an explanation', () => {
  for (const [query, expected] of semanticOnly) {
    const lexical = sparrow.search(query, { mode: 'lexical' });
    assert.ok(!lexical.some((h) => h.id === expected), `${query}: BM25 alone must not find ${expected}`);
    const [top] = sparrow.search(query, { explain: true });
    assert.equal(top.id, expected, query);
    assert.ok(top.sparseScore > 0);
    assert.ok(top.explanation.sparse.length > 0);
    const terms = top.explanation.sparse;
    for (const t of terms) assert.equal(typeof t.term, 'string');
    for (let i = 1; i < terms.length; i++) assert.ok(terms[i - 1].product >= terms[i].product);
  }
});

test('lexical matches keep their BM25 explanation', () => {
  const [hit] = sparrow.search('roaring bitmaps', { mode: 'lexical', explain: true });
  assert.equal(hit.id, 'roaring');
  assert.deepEqual(hit.explanation.lexical.map((t) => t.term).sort(), ['bitmap', 'roar']);
});

test('fusion, filters and limits', () => {
  const weighted = sparrow.search('ocean water', { fusion: { kind: 'weighted', alpha: 0.7 } });
  assert.equal(weighted[0].id, 'tides');
  const bio = sparrow.search('energy', { filter: { tag: 'biology' }, limit: 10 });
  assert.ok(bio.every((h) => h.tags.includes('biology')));
  const plants = sparrow.search('light', { filter: { field: 'kingdom', value: 'plantae' } });
  assert.deepEqual(plants.map((h) => h.id), ['photosynthesis']);
  assert.equal(sparrow.search('the earth', { limit: 1 }).length, 1);
  assert.ok(sparrow.search('earth', { limit: 1_000_000_000 }).length <= docs.length);
});

test('encodeQuery shows the expansion terms', () => {
  const terms = sparrow.encodeQuery('why is it cold in winter');
  assert.ok(terms.length > 5);
  assert.ok(terms.slice(0, 5).some((t) => t.term === 'winter'));
});

test('toBytes / load round-trips with identical results', async () => {
  const bytes = sparrow.toBytes();
  const copy = await Sparrow.load(bytes);
  for (const [query] of semanticOnly) {
    assert.deepEqual(copy.search(query).map((h) => [h.id, h.score]), sparrow.search(query).map((h) => [h.id, h.score]));
  }
  copy.dispose();
});

test('update and remove', async () => {
  const s = await Sparrow.create({ model: false });
  s.addDocuments(docs);
  s.updateDocument({ id: 'wasm', text: 'Now about gardening and tomatoes' });
  assert.equal(s.search('tomatoes')[0].id, 'wasm');
  assert.equal(s.search('webassembly').length, 0);
  assert.equal(s.removeDocument('wasm'), true);
  assert.equal(s.removeDocument('wasm'), false);
  assert.equal(s.search('tomatoes').length, 0);
  assert.throws(() => s.updateDocument({ id: 'nope', text: 'x' }), { code: 'UNKNOWN_ID' });
  s.dispose();
});

// Bad input: each must fail with a clear, coded error and leave the index as it was.
function assertIntact() {
  assert.equal(sparrow.size, docs.length);
  assert.equal(sparrow.search('shots that prevent illness')[0].id, 'vaccines');
}

const bad = [
  ['missing id', () => sparrow.addDocument({ text: 'no id' }), 'INVALID_DOCUMENT'],
  ['non-string id', () => sparrow.addDocument({ id: 42, text: 'x' }), 'INVALID_DOCUMENT'],
  ['empty id', () => sparrow.addDocument({ id: '', text: 'x' }), 'INVALID_ID'],
  ['non-string text', () => sparrow.addDocument({ id: 'x', text: { not: 'text' } }), 'INVALID_DOCUMENT'],
  ['not an object', () => sparrow.addDocument('hello'), 'INVALID_DOCUMENT'],
  ['duplicate id', () => sparrow.addDocument({ id: 'tides', text: 'again' }), 'DUPLICATE_ID'],
  ['duplicate in batch', () => sparrow.addDocuments([{ id: 'n1', text: 'a' }, { id: 'n1', text: 'b' }]), 'DUPLICATE_ID'],
  ['empty document', () => sparrow.addDocument({ id: 'empty', text: '' }), 'EMPTY_DOCUMENT'],
  ['huge text', () => sparrow.addDocument({ id: 'huge', text: 'a '.repeat(600_000) }), 'TEXT_TOO_LARGE'],
  ['limit 0', () => sparrow.search('earth', { limit: 0 }), 'INVALID_OPTION'],
  ['bad mode', () => sparrow.search('earth', { mode: 'psychic' }), 'INVALID_OPTION'],
  ['non-string query', () => sparrow.search(7), 'INVALID_QUERY'],
  ['truncated index bytes', () => sparrow.loadBytes(sparrow.toBytes().slice(0, 100)), 'INDEX_TRUNCATED'],
  ['foreign index bytes', () => sparrow.loadBytes(new TextEncoder().encode('{"not": "an index"}')), 'INDEX_BAD_MAGIC'],
];
for (const [name, f, code] of bad) {
  test(`bad input: ${name} -> ${code}, index intact`, () => {
    assert.throws(f, (e) => {
      assert.ok(e instanceof SparrowError, `${name}: ${e}`);
      assert.equal(e.code, code, `${name}: ${e.message}`);
      assert.match(e.message, /^sparrow: /);
      return true;
    });
    assertIntact();
  });
}

test('empty query returns no hits (not an error)', () => {
  assert.deepEqual(sparrow.search('   ', { mode: 'lexical' }), []);
});

test('wrong model bytes are refused; the loaded model stays', async () => {
  const tokenizer = await readFile(new URL('../../pkg/model/tokenizer.json', import.meta.url));
  await assert.rejects(sparrow.loadModel({ model: new Uint8Array([1, 2, 3, 4]), tokenizer }), (e) => e instanceof SparrowError && e.code.startsWith('MODEL_'));
  assert.equal(sparrow.hasModel, true);
  assertIntact();
});

test('without a model, hybrid search is lexical and sparse mode is refused', async () => {
  const s = await Sparrow.create({ model: false });
  s.addDocuments(docs);
  assert.equal(s.hasModel, false);
  assert.equal(s.search('roaring bitmaps')[0].id, 'roaring');
  assert.throws(() => s.search('x', { mode: 'sparse' }), { code: 'MODEL_NOT_LOADED' });
  s.dispose();
});
