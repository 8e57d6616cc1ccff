// Hostile input through the package in node: every case gets a typed SparrowError, loses nothing
// already indexed, and leaves the instance usable; a trap makes the instance INSTANCE_LOST for
// good. (Its own file: the last test kills this process's full wasm instance on purpose.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sparrow, SparrowError } from '../../pkg/dist/index.js';

const sparrow = await Sparrow.create({ model: false });
sparrow.addDocuments([
  { id: 'a', text: 'hello world' },
  { id: 'b', text: 'hello roaring bitmaps' },
]);
const before = sparrow.toBytes();

function fails(f, code, what) {
  assert.throws(f, (e) => e instanceof SparrowError && e.code === code, `${what}: expected ${code}`);
  // Nothing lost, nothing half-added, the instance still answers.
  assert.equal(sparrow.size, 2, what);
  assert.deepEqual(sparrow.toBytes(), before, `${what} changed the index`);
  assert.deepEqual(sparrow.search('hello', { mode: 'lexical' }).map((h) => h.id).sort(), ['a', 'b'], what);
}

const nest = (depth, wrap, leaf) => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = wrap(v);
  return v;
};

test('batches, nesting and sizes from JS are bounded with typed errors', () => {
  fails(() => sparrow.addDocuments(new Array(2 ** 32 - 1)), 'INVALID_DOCUMENT', 'a 2^32-1 array');
  fails(() => sparrow.addDocuments([{ id: 'c', text: 'x' }, 42]), 'INVALID_DOCUMENT', 'a number in a batch');
  fails(() => sparrow.search('hello', { filter: nest(100_000, (f) => ({ not: f }), { field: 'x', eq: 1 }) }), 'INVALID_OPTION', 'a filter 100,000 deep');
  fails(() => sparrow.search('hello', { filter: nest(100, (f) => ({ not: f }), { field: 'x', eq: 1 }) }), 'INVALID_OPTION', 'a filter 100 deep');
  fails(() => sparrow.addDocument({ id: 'c', text: 'x', fields: { f: nest(100_000, (v) => ({ a: v }), 1) } }), 'INVALID_DOCUMENT', 'fields 100,000 deep');
  fails(() => sparrow.addDocument({ id: 'c', text: 'x', fields: { f: nest(100, (v) => [v], 1) } }), 'INVALID_DOCUMENT', 'fields 100 deep');
  fails(() => sparrow.addDocument({ id: 'c', text: 'x', fields: { f: 'y'.repeat(2_000_000) } }), 'INVALID_DOCUMENT', 'fields of 2 MB');
  fails(() => sparrow.addDocument({ id: 'c', text: 'a '.repeat(600_000) }), 'TEXT_TOO_LARGE', 'a 1.2 MB text');
  fails(() => sparrow.addDocument({ id: 'a', text: 'again' }), 'DUPLICATE_ID', 'a duplicate id');
  fails(() => sparrow.addDocument({ id: 42, text: 'x' }), 'INVALID_DOCUMENT', 'a numeric id');
});

test('queries are bounded in bytes and terms (no multi-second searches)', () => {
  const words = Array.from({ length: 100_000 }, (_, i) => `w${i.toString(36)}`).join(' ');
  fails(() => sparrow.search(words), 'QUERY_TOO_LARGE', '100,000 distinct words');
  fails(() => sparrow.search('a,'.repeat(2.5e6), { mode: 'lexical' }), 'QUERY_TOO_LARGE', "'a,' x 2.5e6");
  fails(() => sparrow.missingShards('x'.repeat(20_000)), 'QUERY_TOO_LARGE', 'missingShards of 20 kB');
  const many = Array.from({ length: 1100 }, (_, i) => `w${i}`).join(' ');
  fails(() => sparrow.search(many, { mode: 'lexical' }), 'QUERY_TOO_LARGE', '1,100 distinct terms in 6 kB');
  assert.deepEqual(sparrow.search(`${'hello '.repeat(2000)}bitmaps`, { mode: 'lexical' })[0].id, 'b', 'repeated terms count once');
});

test('one layer adds the sparrow: prefix (core, bindings and TS messages, exactly)', () => {
  const message = (f) => {
    try {
      f();
    } catch (e) {
      return `${e.code} ${e.message}`;
    }
    assert.fail('did not throw');
  };
  // A core error.
  assert.equal(message(() => sparrow.addDocument({ id: 'e', text: '' })), 'EMPTY_DOCUMENT sparrow: document "e" has an empty title and an empty text');
  // A bindings error.
  assert.equal(
    message(() => sparrow.search('hello', { mode: 'sparse' })),
    'MODEL_NOT_LOADED sparrow: mode "sparse" needs a vocabulary (loadVocab) or a model (loadModel); lexical and hybrid work without',
  );
  // A TS error.
  assert.equal(message(() => sparrow.search(42)), 'INVALID_QUERY sparrow: the query must be a string, got number');
});

test('a trap makes the instance INSTANCE_LOST, for every later call, never garbage', async () => {
  const other = await Sparrow.create({ model: false });
  other.addDocument({ id: 'z', text: 'zebra' });
  // A call with a pointer outside wasm memory traps (out-of-bounds access), as a panic would.
  sparrow.index.__wbg_ptr = 0x7fff_fff0;
  assert.throws(() => sparrow.search('hello'), (e) => e instanceof SparrowError && e.code === 'INSTANCE_LOST' && /trapped/.test(e.message));
  for (const call of [() => other.search('zebra'), () => other.size, () => other.toBytes(), () => other.addDocument({ id: 'y', text: 'y' })]) {
    assert.throws(call, (e) => e.code === 'INSTANCE_LOST');
  }
  await assert.rejects(Sparrow.create({ model: false }), (e) => e.code === 'INSTANCE_LOST');
});
