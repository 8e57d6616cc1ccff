// Prebuilt site indexes: the manifest checks (coded errors) and loading a whole-index shard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Sparrow, checkManifest, loadSite, sha256Hex } from '../../pkg/dist/index.js';

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
  assert.equal(code(() => checkManifest(manifest({ mode: 'sharded' }))), 'INDEX_VERSION');
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
