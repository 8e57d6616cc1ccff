// The Elasticsearch and OpenSearch files `sparrow export` writes, checked against the official
// clients' request types: each file becomes an object literal typed with the client's request
// type (so TypeScript's excess-property checks apply) and the whole compiles under
// `tsc --strict`. A deliberately wrong body proves the check can fail. The engines' own rules
// (no dots in feature names, positive weights, query weights in (0, 64], documents only use
// mapped fields) are asserted on the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const target = process.env.CARGO_TARGET_DIR ?? '/var/tmp/sparrow-target';
const sparrow = join(target, 'debug/sparrow');
const tsc = join(root, 'tests/node_modules/typescript/bin/tsc');
const fixture = join(root, 'tests/fixtures/beir-mini');

const tmp = mkdtempSync(join(tmpdir(), 'sparrow-client-types-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function exportTo(format) {
  const out = join(tmp, format);
  execFileSync(sparrow, ['export', '--beir', fixture, '--split', 'test', '--format', format, '--out', out,
    '--chunk-bytes', '4096'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const ndjson = (p) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const bulkLines = (dir) => readdirSync(join(dir, 'bulk')).sort().flatMap((f) => ndjson(join(dir, 'bulk', f)));
const lit = (v) => JSON.stringify(v, null, 1);

function compile(name, source) {
  const dir = join(tmp, `ts-${name}`);
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'check.ts'), source);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022',
      skipLibCheck: true, typeRoots: [join(root, 'tests/node_modules/@types')], types: [],
      baseUrl: '.', paths: { '*': [join(root, 'tests/node_modules/*')] },
    },
    files: ['check.ts'],
  }));
  return spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
}

function elasticsearchSource(dir, { broken = false } = {}) {
  const create = { index: 'sparrow', ...readJson(join(dir, 'index.json')) };
  const lines = bulkLines(dir);
  const actions = lines.filter((_, i) => i % 2 === 0);
  const searches = ['lexical', 'sparse', 'hybrid', 'hybrid-rrf'].map((n) => ({ index: 'sparrow', ...readJson(join(dir, `search/${n}.json`)) }));
  if (broken) searches[1].query.sparse_vector.query_vectr = searches[1].query.sparse_vector.query_vector;
  const topics = ndjson(join(dir, 'topics-test.sparse.ndjson'));
  return `import type { estypes } from '@elastic/elasticsearch';
export const create: estypes.IndicesCreateRequest = ${lit(create)};
export const actions: estypes.BulkOperationContainer[] = ${lit(actions)};
export const bulk: estypes.BulkRequest = { operations: ${lit(lines)} };
export const searches: estypes.SearchRequest[] = ${lit(searches)};
export const msearch: estypes.MsearchRequest = { searches: ${lit(topics)} };
`;
}

function opensearchSource(dir) {
  const create = readJson(join(dir, 'index.json'));
  // The client models `settings.index.similarity` with fixed keys (bm25, dfr, ...); the engine
  // takes named similarities (index.similarity.NAME.type). Each named one is checked against the
  // client's BM25 similarity type; the rest of the body against the request type.
  const similarities = create.settings.index.similarity;
  delete create.settings.index.similarity;
  const lines = bulkLines(dir);
  const actions = lines.filter((_, i) => i % 2 === 0);
  const searches = ['lexical', 'sparse', 'hybrid'].map((n) => readJson(join(dir, `search/${n}.json`)));
  const pipelines = ['pipeline', 'pipeline-rrf'].map((n) => readJson(join(dir, `${n}.json`)));
  const topics = ndjson(join(dir, 'topics-test.sparse.ndjson')).filter((_, i) => i % 2 === 1);
  return `import type { API, Types } from '@opensearch-project/opensearch';
export const similarities: Record<string, Types.Indices_Common.IndexSettingsSimilarityBm25> = ${lit(similarities)};
export const create: API.Indices_Create_Request = { index: 'sparrow', body: ${lit(create)} };
export const actions: API.Bulk_RequestBody = ${lit(actions)};
export const bulk: API.Bulk_Request = { body: ${lit(lines)} };
export const searches: API.Search_RequestBody[] = ${lit(searches)};
export const topics: API.Search_RequestBody[] = ${lit(topics)};
export const pipelines: API.SearchPipeline_Put_Request[] = ${lit(pipelines.map((body) => ({ id: 'sparrow-hybrid', body })))};
`;
}

/// Feature names and weights as the engines accept them.
function checkVectors(dir, engine) {
  const lines = bulkLines(dir);
  const mapped = new Set(Object.keys(readJson(join(dir, 'index.json')).mappings.properties));
  let features = 0;
  for (const [i, line] of lines.entries()) {
    if (i % 2 === 0) {
      assert.deepEqual(Object.keys(line), ['index']);
      assert.equal(line.index._index, 'sparrow');
      continue;
    }
    for (const key of Object.keys(line)) assert.ok(mapped.has(key), `unmapped field ${key}`);
    for (const [name, w] of Object.entries(line.sparse ?? {})) {
      assert.ok(!name.includes('.'), `${engine} refuses dots in feature names: ${name}`);
      assert.ok(typeof w === 'number' && w > 0 && Number.isFinite(w), `${name}: ${w}`);
      // Lucene's FeatureField keeps 9 significant bits: the low 15 bits of the float are zero.
      const bits = new DataView(new Float32Array([w]).buffer).getUint32(0, true);
      assert.equal(bits & 0x7fff, 0, `${name}: ${w} has more precision than Lucene keeps`);
      features += 1;
    }
  }
  assert.ok(features > 100, `the bulk files carry the vectors (${features} features)`);
  const sparse = readJson(join(dir, 'search/sparse.json')).query;
  const tokens = engine === 'elasticsearch' ? sparse.sparse_vector.query_vector : sparse.neural_sparse.sparse.query_tokens;
  assert.ok(Object.keys(tokens).length > 3);
  for (const [name, w] of Object.entries(tokens)) {
    assert.ok(!name.includes('.') && w > 0 && w <= 64, `${name}: ${w}`);
  }
  // The example query "how do volcanoes form" expands to the "." token, written as U+2024.
  assert.ok('\u2024' in tokens, 'the dot token is present, renamed');
}

test('Elasticsearch export compiles against @elastic/elasticsearch request types (tsc --strict)', () => {
  const dir = exportTo('elasticsearch');
  checkVectors(dir, 'elasticsearch');
  assert.ok(readdirSync(join(dir, 'bulk')).length > 1, '--chunk-bytes 4096 splits the bulk');
  for (const f of readdirSync(join(dir, 'bulk'))) {
    assert.ok(readFileSync(join(dir, 'bulk', f)).length <= 4096, `${f} within --chunk-bytes`);
  }
  const ok = compile('es', elasticsearchSource(dir));
  assert.equal(ok.status, 0, `tsc:\n${ok.stdout}${ok.stderr}`);
  const bad = compile('es-broken', elasticsearchSource(dir, { broken: true }));
  assert.notEqual(bad.status, 0, 'a misspelt key must fail to compile');
  assert.match(bad.stdout, /query_vectr/);
});

test('OpenSearch export compiles against @opensearch-project/opensearch request types (tsc --strict)', () => {
  const dir = exportTo('opensearch');
  checkVectors(dir, 'opensearch');
  assert.equal(readJson(join(dir, 'index.json')).mappings.properties.sparse.type, 'rank_features');
  const ok = compile('os', opensearchSource(dir));
  assert.equal(ok.status, 0, `tsc:\n${ok.stdout}${ok.stderr}`);
});
