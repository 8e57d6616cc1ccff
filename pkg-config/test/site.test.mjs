// Prebuilt site indexes: the manifest checks (coded errors) and loading a whole-index shard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Sparrow, SparrowWorker, checkManifest, loadSite, sha256Hex } from '../../pkg/dist/index.js';

const manifest = (over = {}) => ({
  version: 1,
  indexFormat: 1,
  model: { id: 'splade-tiny/int8', sha256: 'ab'.repeat(32), tokenizerSha256: 'cd'.repeat(32) },
  counts: { pages: 1, sections: 2, semanticSections: 0, bytes: 0 },
  mode: 'whole',
  wholeIndexThreshold: 2 << 20,
  shards: [{ file: 'index-x.spi', bytes: 0, sha256: '' }],
  ...over,
});

function code(f) {
  try {
    f();
  } catch (e) {
    return e.code;
  }
  return 'no error';
}

test('checkManifest refuses other versions and models with clear codes', () => {
  assert.equal(checkManifest(manifest(), 'ab'.repeat(32)).mode, 'whole');
  assert.equal(code(() => checkManifest(manifest({ version: 2 }))), 'INDEX_VERSION');
  assert.equal(code(() => checkManifest(manifest({ mode: 'lazy' }))), 'INDEX_VERSION');
  assert.equal(code(() => checkManifest(manifest({ mode: 'sharded' }))), 'INVALID_MANIFEST', 'sharded without a base');
  assert.equal(code(() => checkManifest(manifest({ shards: [{ file: '../x.spi' }] }))), 'INVALID_MANIFEST');
  assert.equal(code(() => checkManifest(manifest({ indexFormat: 9 }))), 'INDEX_VERSION');
  assert.equal(code(() => checkManifest(manifest(), 'ef'.repeat(32))), 'INDEX_MODEL_MISMATCH');
  assert.match(String((() => { try { checkManifest(manifest(), 'ef'.repeat(32)); } catch (e) { return e.message; } })()), /rebuild the index/);
  assert.equal(code(() => checkManifest('nope')), 'INVALID_MANIFEST');
  assert.equal(code(() => checkManifest(manifest({ shards: [] }))), 'INVALID_MANIFEST');
});

test('loadSite loads a whole-index shard, and refuses an index built with another model', async () => {
  const built = await Sparrow.create({ model: false });
  built.addDocuments([
    { id: 'a.html#x', title: 'A › X', text: 'Timers schedule functions for later.', url: 'a.html#x' },
    { id: 'a.html#y', title: 'A › Y', text: 'Paths join segments.', url: 'a.html#y' },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'sparrow-site-'));
  const bytes = built.toBytes();
  writeFileSync(join(dir, 'index-x.spi'), bytes);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest()));
  const url = pathToFileURL(join(dir, 'manifest.json'));

  const { sparrow, indexRequests, indexBytes } = await loadSite(url, { model: false });
  assert.equal(sparrow.size, 2);
  assert.equal(indexRequests, 2);
  assert.equal(sparrow.shardCount, undefined);
  assert.ok(indexBytes > bytes.length);
  assert.equal(sparrow.search('timers')[0].id, 'a.html#x');

  // With the bundled model, the manifest's model sha256 must match it.
  await assert.rejects(loadSite(url), (e) => e.code === 'INDEX_MODEL_MISMATCH');
  const real = await sha256Hex(readFileSync(new URL('../../pkg/model/splade-tiny.int8.onnx', import.meta.url)));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest({ model: { id: 'splade-tiny/int8', sha256: real, tokenizerSha256: '' } })));
  const ok = await loadSite(url);
  assert.equal(ok.sparrow.hasModel, true);
  assert.equal(ok.sparrow.search('timers')[0].id, 'a.html#x');
});

const words = ['timers', 'schedule', 'callbacks', 'later', 'paths', 'join', 'segments', 'streams', 'pipe', 'data', 'buffers', 'hold', 'bytes', 'events', 'emit', 'listeners', 'url', 'parse', 'hosts', 'crypto', 'hash', 'digest', 'zlib', 'deflate'];
function corpus() {
  return Array.from({ length: 60 }, (_, i) => ({
    id: `p${i % 6}.html#s${i}`,
    title: `Page ${i % 6} › ${words[i % words.length]}`,
    text: Array.from({ length: 12 }, (_, j) => words[(i * 7 + j * 5) % words.length]).join(' '),
    url: `p${i % 6}.html#s${i}`,
  }));
}

/** A sharded site (base + `count` shards) and the whole index of the same documents. */
async function shardedSite(count) {
  const built = await Sparrow.create({ model: false });
  built.addDocuments(corpus());
  const [base, ...shards] = built.toShardedBytes(count);
  const dir = mkdtempSync(join(tmpdir(), 'sparrow-sharded-'));
  const file = (name, bytes) => (writeFileSync(join(dir, name), bytes), { file: name, bytes: bytes.length, sha256: '' });
  const m = manifest({ mode: 'sharded', base: file('base-x.spb', base), shards: shards.map((s, i) => file(`shard-${i}.sps`, s)) });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  return { url: pathToFileURL(join(dir, 'manifest.json')), built, base, shards };
}

test('a sharded site fetches only the shards a query needs, and answers like the whole index', async () => {
  const { url, built, base, shards } = await shardedSite(16);
  const { site, sparrow, indexRequests, indexBytes, shardCount } = await loadSite(url, { model: false });
  assert.equal(shardCount, 16);
  assert.equal(indexRequests, 2);
  assert.ok(indexBytes > base.length);
  assert.equal(code(() => sparrow.search('timers schedule')), 'SHARDS_NOT_LOADED');
  assert.equal(code(() => sparrow.toBytes()), 'INDEX_PARTIAL');
  const need = sparrow.missingShards('timers schedule', { mode: 'lexical' });
  assert.ok(need.length >= 1 && need.length <= 2, `needs ${need}`);

  const hits = await site.search('timers schedule', { mode: 'lexical', explain: true });
  assert.deepEqual(hits, built.search('timers schedule', { mode: 'lexical', explain: true }));
  const after = site.load();
  assert.equal(after.shardsLoaded, need.length);
  assert.equal(after.indexRequests, 2 + need.length);
  assert.equal(after.indexBytes, indexBytes + need.reduce((s, n) => s + shards[n].length, 0));
  // Cached: the same query fetches nothing more.
  await site.search('timers schedule', { mode: 'lexical' });
  assert.equal(site.load().indexRequests, after.indexRequests);
  // Every query equals the whole index.
  for (const q of ['paths join', 'emit events listeners', 'zlib deflate bytes', 'nothing matches this']) {
    assert.deepEqual(await site.search(q, { mode: 'lexical' }), built.search(q, { mode: 'lexical' }), q);
  }
  assert.ok(site.load().shardsLoaded < 16);
  // A shard of another index is refused with a code.
  const other = await shardedSite(8); // same documents, another shard count
  assert.equal(code(() => sparrow.loadShard(other.shards[0])), 'INDEX_SHARD_MISMATCH');
  assert.equal(code(() => sparrow.loadShard(base)), 'INDEX_WRONG_KIND');
});

test('SparrowWorker.loadSite searches a sharded site in the worker, fetching shards per query', async () => {
  const { url, built } = await shardedSite(8);
  const { sparrow, indexRequests } = await SparrowWorker.loadSite(url, { model: false });
  try {
    assert.equal(indexRequests, 2);
    const hits = await sparrow.search('paths join segments', { mode: 'lexical' });
    assert.deepEqual(hits, built.search('paths join segments', { mode: 'lexical' }));
    const load = await sparrow.siteLoad();
    assert.ok(load.shardsLoaded >= 1 && load.shardsLoaded <= 3, `${load.shardsLoaded} shards`);
    assert.equal(load.indexRequests, 2 + load.shardsLoaded);
  } finally {
    await sparrow.terminate();
  }
});
