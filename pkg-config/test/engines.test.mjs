// `queryVector(text, { format })`: the request Elasticsearch, OpenSearch or Anserini needs to run a
// query with the weights Sparrow scores it with (shapes and rules live in Rust,
// `sparrow_core::export`; the CLI's `sparrow query-vector` returns the same). Full module with the
// bundled model, the search-only module on the golden site, the worker, and bad input.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Sparrow, SparrowError, SparrowWorker, loadSite } from '../../pkg/dist/index.js';
import { loadSite as loadSiteLite } from '../../pkg/dist/lite.js';

const DOCS = [
  { id: 'sky', title: 'Sky', text: 'Rayleigh scattering makes the sky look blue at noon.' },
  { id: 'sea', title: 'Sea', text: 'The ocean reflects the colour of the sky.' },
];
const sparrow = await Sparrow.create();
sparrow.addDocuments(DOCS);

function code(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SparrowError, `${e}`);
    return [e.code, e.message];
  }
  return ['no error', ''];
}

test('Elasticsearch: the model expansion as a sparse_vector query; hybrid as a linear retriever', () => {
  const r = sparrow.queryVector('why is the sky blue?', { format: 'elasticsearch' });
  assert.equal(r.format, 'elasticsearch');
  assert.ok(r.vector.sky > 1 && r.vector.blue > 1, JSON.stringify(r.vector));
  assert.deepEqual(r.body, { size: 10, query: { sparse_vector: { field: 'sparse', query_vector: r.vector } } });
  // The weights the index scores the query with: the model's expansion times each term's IDF
  // here (terms no document has are left out), exactly as the explanation reports them.
  const expansion = new Set(sparrow.encodeQuery('why is the sky blue?').map((t) => t.term));
  for (const token of Object.keys(r.vector)) assert.ok(expansion.has(token.replaceAll('\u2024', '.')), token);
  const [hit] = sparrow.search('why is the sky blue?', { explain: true, mode: 'sparse' });
  assert.ok(hit.explanation.sparse.length > 1);
  for (const t of hit.explanation.sparse) assert.equal(r.vector[t.term], t.queryWeight, t.term);
  assert.ok(Object.keys(r.vector).every((k) => !k.includes('.')), 'no dots in feature names');

  const h = sparrow.queryVector('why is the sky blue?', { format: 'elasticsearch', mode: 'hybrid', limit: 5 });
  const linear = h.body.retriever.linear;
  assert.equal(h.body.size, 5);
  assert.deepEqual(linear.retrievers.map((r) => [r.weight, r.normalizer]), [[0.65, 'minmax'], [0.35, 'minmax']]);
  assert.equal(linear.rank_window_size, 100);
  const rrf = sparrow.queryVector('sky', { format: 'elasticsearch', mode: 'hybrid', fusion: { kind: 'rrf', k: 60 } });
  assert.equal(rrf.body.retriever.rrf.rank_constant, 60);
});

test('OpenSearch: neural_sparse with query_tokens; a hybrid query comes with its pipeline', () => {
  const r = sparrow.queryVector('sky', { format: 'opensearch', mode: 'hybrid' });
  assert.deepEqual(r.body.query.hybrid.queries[1], { neural_sparse: { sparse: { query_tokens: r.vector } } });
  assert.deepEqual(r.pipeline.phase_results_processors[0]['normalization-processor'].combination.parameters.weights, [0.65, 0.35]);
  assert.equal(sparrow.queryVector('sky', { format: 'opensearch' }).pipeline, undefined);
});

test('Anserini: integer weights and a pretokenized topic; lookup queries need no model', () => {
  const r = sparrow.queryVector('sky', { format: 'anserini', scale: 10 });
  assert.ok(Object.values(r.vector).every((w) => Number.isInteger(w) && w >= 1));
  const words = r.body.title.split(' ');
  assert.equal(words.filter((w) => w === 'sky').length, r.vector.sky);
  const lookup = sparrow.queryVector('sky sky blue', { format: 'anserini', queryEncoder: 'lookup' });
  assert.deepEqual(Object.keys(lookup.vector).sort(), ['blue', 'sky'], 'the query tokens only, weighted by IDF');
  assert.deepEqual(sparrow.queryVector('sky', { format: 'elasticsearch', mode: 'lexical' }).vector, null);
});

test('bad input is a typed error and the index answers afterwards', () => {
  assert.deepEqual(code(() => sparrow.queryVector('sky', { format: 'solr' }))[0], 'INVALID_OPTION');
  assert.match(code(() => sparrow.queryVector('sky', { format: 'solr' }))[1], /solr/);
  assert.equal(code(() => sparrow.queryVector('sky', {}))[0], 'INVALID_OPTION');
  assert.equal(code(() => sparrow.queryVector('sky', { format: 'anserini', scale: -1 }))[0], 'INVALID_OPTION');
  assert.equal(code(() => sparrow.queryVector('sky', { format: 'elasticsearch', limit: 0 }))[0], 'INVALID_OPTION');
  const [c, m] = code(() => sparrow.queryVector('sky', { format: 'anserini', mode: 'hybrid' }));
  assert.equal(c, 'INVALID_OPTION');
  assert.match(m, /FuseRuns/);
  assert.equal(code(() => sparrow.queryVector(42, { format: 'anserini' }))[0], 'INVALID_QUERY');
  assert.equal(code(() => sparrow.queryVector('x'.repeat(20_000), { format: 'anserini' }))[0], 'QUERY_TOO_LARGE');
  assert.equal(sparrow.search('sky')[0].id, 'sky');
});

test('a sharded site: the shards are fetched first; the search-only module has no export code', async () => {
  const manifest = pathToFileURL(fileURLToPath(new URL('../../tests/fixtures/format/v2/site/manifest.json', import.meta.url)));
  const { sparrow: lite, site } = await loadSite(manifest);
  assert.equal(lite.module, 'full');
  // Straight into a sharded index whose vocabulary parts and shards are not loaded: refused
  // with what is missing named, never a query tokenized without its parts or weights computed
  // from missing postings.
  const [c] = code(() => lite.queryVector('rust browsers', { format: 'opensearch', mode: 'hybrid' }));
  assert.equal(c, 'VOCAB_PARTS_NOT_LOADED');
  lite.loadVocabPart(readFileSync(new URL(site.manifest.vocabParts.find((p) => p.first <= 98 && 98 <= p.last).file, manifest)));
  lite.loadVocabPart(readFileSync(new URL(site.manifest.vocabParts.find((p) => p.first <= 114 && 114 <= p.last).file, manifest)));
  const [c2] = code(() => lite.queryVector('rust browsers', { format: 'opensearch', mode: 'hybrid' }));
  assert.equal(c2, 'SHARDS_NOT_LOADED');
  const r = await site.queryVector('rust browsers', { format: 'opensearch', mode: 'hybrid' });
  assert.ok(site.load().shardsLoaded > 0);
  assert.equal(r.body.query.hybrid.queries[0].match.content.query, 'rust browsers');
  // The fixture's made-up vocabulary names none of the query's words (its lookup finds no
  // expansion terms either: small.expected.json), so the sparse side is empty, not invented.
  assert.deepEqual(r.vector, {});
  assert.ok(r.pipeline);
  const { sparrow: searchOnly, site: liteSite } = await loadSiteLite(manifest);
  assert.equal(searchOnly.queryVector, undefined);
  await assert.rejects(liteSite.queryVector('rust', { format: 'anserini' }), (e) => e.code === 'FULL_MODULE_NEEDED');
});

test('the worker client has it too', async () => {
  const w = await SparrowWorker.create({ model: false });
  try {
    await w.addDocuments(DOCS);
    const r = await w.queryVector('sky', { format: 'elasticsearch', mode: 'lexical' });
    assert.deepEqual(r.body, { size: 10, query: { match: { content: { query: 'sky' } } } });
    await assert.rejects(w.queryVector('sky', { format: 'nope' }), (e) => e.code === 'INVALID_OPTION');
  } finally {
    await w.terminate();
  }
});
