// Prebuilt site indexes: the golden site fixture (tests/fixtures/format/v2/site, written by the
// core's format tests as `sparrow index` writes sites) loaded by both entries and the worker;
// the manifest checks (done in wasm) and the integrity checks of every fetched file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SparrowWorker, formatVersions, init, loadSite } from '../../pkg/dist/index.js';
import { loadSite as loadSiteLite } from '../../pkg/dist/lite.js';

const fixture = fileURLToPath(new URL('../../tests/fixtures/format/v2/site/', import.meta.url));
const expected = JSON.parse(readFileSync(new URL('../../tests/fixtures/format/v2/small.expected.json', import.meta.url)));

/** A copy of the fixture site in a temp dir, with `edit(dir, manifest)` applied. */
function site(edit = () => {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sparrow-site-'));
  cpSync(fixture, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  edit(dir, manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return pathToFileURL(join(dir, 'manifest.json'));
}

const rounded = (hits) => hits.map((h) => [h.id, Math.fround(h.score)]);

test('the golden site loads in the full and the search-only module, and answers like the whole index', async () => {
  for (const [entry, open] of [['full', loadSite], ['lite', loadSiteLite]]) {
    const { sparrow, site: s, indexRequests, shardCount, fragmentCount, manifest } = await open(site());
    assert.equal(sparrow.module, entry);
    assert.equal(indexRequests, 3, 'manifest, vocabulary, base');
    assert.equal(manifest.mode, 'sharded');
    assert.equal(shardCount, manifest.shards);
    assert.equal(fragmentCount, manifest.fragments);
    assert.equal(sparrow.hasVocab, true);
    // The lexical queries (with the site's vocabulary loaded, hybrid ones also run lookup tokens).
    for (const q of expected.queries.filter((q) => q.options.mode === 'lexical')) {
      assert.deepEqual(rounded(await s.search(q.text, q.options)), q.hits.map((h) => [h.id, Math.fround(h.score)]), `${entry}: ${q.name}`);
    }
    const load = s.load();
    assert.ok(load.shardsLoaded > 0 && load.fragmentsLoaded > 0, JSON.stringify(load));
    assert.equal(load.indexRequests, 3 + load.shardsLoaded + load.fragmentsLoaded, 'each part fetched once');
    sparrow.dispose();
  }
  await init();
  assert.deepEqual(formatVersions(), { indexFormat: 2, manifest: 2 });
});

test('vocabulary parts: a query fetches only the parts its words start with, and answers as with the whole vocabulary', async () => {
  const manifest = JSON.parse(readFileSync(join(fixture, 'manifest.json'), 'utf8'));
  assert.ok(manifest.vocabParts.length > 3);
  const { site: parts } = await loadSiteLite(site());
  const { site: whole } = await loadSiteLite(site((_, m) => delete m.vocabParts));
  assert.equal(parts.load().indexRequests, 3, 'manifest, first vocabulary part, base');
  for (const q of expected.queries.filter((q) => q.options.mode !== 'lexical')) {
    assert.deepEqual(rounded(await parts.search(q.text, q.options)), rounded(await whole.search(q.text, q.options)), q.name);
  }
  // "rust" needs the part of `r` and no other; a second query of the same letters fetches nothing.
  const before = parts.load().indexRequests;
  await parts.search('rusty browser searching', { mode: 'sparse' });
  const after = parts.load().indexRequests;
  await parts.search('browsers rust', { mode: 'hybrid' });
  assert.equal(parts.load().indexRequests, after, 'parts and shards are fetched once');
  assert.ok(after > before);
  // A manifest whose parts do not cover every first byte is refused before anything is fetched.
  const code = (edit) => loadSiteLite(site(edit)).then(() => 'ok', (e) => e.code);
  assert.equal(await code((_, m) => m.vocabParts.pop()), 'INVALID_MANIFEST');
  assert.equal(await code((_, m) => (m.vocabParts[1].file = '../x.spv')), 'INVALID_MANIFEST');
  // A part file that holds another part than the manifest says.
  const swapped = site((dir, m) => writeFileSync(join(dir, m.vocabParts[2].file), readFileSync(join(dir, m.vocabParts[1].file))));
  const s2 = await loadSiteLite(swapped).then((l) => l.site);
  const word = String.fromCharCode(manifest.vocabParts[2].first) + 'x';
  await assert.rejects(s2.search(word), (e) => e.code === 'INDEX_SHARD_MISMATCH' && /holds the vocabulary part of first byte/.test(e.message));
  await assert.rejects(loadSiteLite(site((dir, m) => writeFileSync(join(dir, m.vocabParts[0].file), readFileSync(join(dir, m.vocabParts[1].file))))), (e) => e.code === 'INDEX_SHARD_MISMATCH');
});

test('manifests are checked in wasm before any index file is fetched', async () => {
  const code = (edit) => loadSiteLite(site(edit)).then(() => 'ok', (e) => e.code);
  assert.equal(await code((_, m) => (m.version = 1)), 'INDEX_VERSION');
  assert.equal(await code((_, m) => (m.indexFormat = 1)), 'INDEX_VERSION');
  assert.equal(await code((_, m) => (m.mode = 'lazy')), 'INVALID_MANIFEST');
  for (const bad of ['../x.spb', 'a/b.spb', 'https://evil.example/x.spb', 'x\\..\\y.spb']) {
    assert.equal(await code((_, m) => (m.base.file = bad)), 'INVALID_MANIFEST', bad);
  }
  assert.equal(await code((_, m) => (m.build = '../../../etc/passwd')), 'INVALID_MANIFEST');
  assert.equal(await code((_, m) => delete m.vocab), 'INVALID_MANIFEST');
  const url = site();
  writeFileSync(url, 'not json');
  await assert.rejects(loadSiteLite(url), (e) => e.code === 'INVALID_MANIFEST');
});

test('a site built with another model is refused when a model would encode queries', async () => {
  // The fixture names a made-up model: lookup queries need none, so only asking for the model fails.
  await assert.rejects(loadSite(site(), { model: 'bundled' }), (e) => e.code === 'INDEX_MODEL_MISMATCH' && /rebuild the index/.test(e.message));
  const { sparrow } = await loadSite(site());
  assert.equal(sparrow.hasModel, false);
});

test('every fetched file is checked: size and SHA-256 against the manifest, shards and fragments inside', async () => {
  const flip = (dir, file) => {
    const b = readFileSync(join(dir, file));
    b[b.length - 1] ^= 1;
    writeFileSync(join(dir, file), b);
  };
  // The base and vocabulary: size and full SHA-256.
  await assert.rejects(loadSiteLite(site((dir, m) => flip(dir, m.base.file))), (e) => e.code === 'INDEX_INTEGRITY');
  await assert.rejects(loadSiteLite(site((dir, m) => flip(dir, m.vocabParts[0].file))), (e) => e.code === 'INDEX_CHECKSUM');
  // Without parts the whole vocabulary file is loaded, and checked the same way.
  await assert.rejects(loadSiteLite(site((dir, m) => (flip(dir, m.vocab.file), delete m.vocabParts))), (e) => e.code === 'INDEX_INTEGRITY');
  // A later vocabulary part: checked when a query needs it.
  const { site: v } = await loadSiteLite(site((dir, m) => flip(dir, m.vocabParts.find((p) => p.first <= 114 && 114 <= p.last).file)));
  await assert.rejects(v.search('rust'), (e) => e.code === 'INDEX_CHECKSUM');
  await assert.rejects(loadSiteLite(site((_, m) => (m.base.bytes += 1))), (e) => e.code === 'INDEX_INTEGRITY');
  // Shards and fragments: their CRC-32, checked in wasm when a query needs them.
  const url = site((dir) => {
    for (const f of readdirSync(dir).filter((f) => /^(shard|frag)-/.test(f))) flip(dir, f);
  });
  const { site: s } = await loadSiteLite(url);
  await assert.rejects(s.search('rust search', { mode: 'lexical' }), (e) => e.code === 'INDEX_CHECKSUM');
  // Another build's shard under this build's name: the index id differs.
  const other = site((dir, m) => {
    const names = readdirSync(dir).filter((f) => f.startsWith('shard-'));
    for (const f of names) writeFileSync(join(dir, f), readFileSync(join(fixture, names[0])));
  });
  const { site: o } = await loadSiteLite(other);
  await assert.rejects(o.search('rust search browsers wasm', { mode: 'lexical' }), (e) => e.code === 'INDEX_SHARD_MISMATCH' && /holds shard 0 of this index, not shard [12]/.test(e.message));
  // A missing file is a fetch error naming it.
  const gone = site((_, m) => (m.build = '0123456789abcdef'));
  const { site: g } = await loadSiteLite(gone);
  await assert.rejects(g.search('rust', { mode: 'lexical' }), (e) => e.code === 'FETCH_FAILED' && /shard-0123456789abcdef-\d+\.sps/.test(e.message));
});

test('SparrowWorker.loadSite searches the site in the worker, fetching parts per query', { timeout: 120_000 }, async () => {
  const { sparrow, indexRequests } = await SparrowWorker.loadSite(site());
  try {
    assert.equal(indexRequests, 3);
    const q = expected.queries.find((q) => q.name === 'lexical');
    assert.deepEqual(rounded(await sparrow.search(q.text, q.options)), q.hits.map((h) => [h.id, Math.fround(h.score)]));
    const load = await sparrow.siteLoad();
    assert.ok(load.shardsLoaded > 0 && load.fragmentsLoaded > 0);
    assert.equal(await sparrow.hasVocab(), true);
    assert.equal(await sparrow.module(), 'full');
  } finally {
    await sparrow.terminate();
  }
});

/**
 * Serves the fixture site over HTTP with faults: `faults[file]` is `404`, `503-once` (fails the
 * first request), `truncate` (sends half the bytes with the full Content-Length, then closes),
 * `short` (a complete response of half the file) or `hang` (headers, then nothing).
 */
async function faultyServer(dir, faults) {
  const { createServer } = await import('node:http');
  const seen = new Map();
  const sockets = new Set();
  const server = createServer((req, res) => {
    const file = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1));
    const n = (seen.get(file) ?? 0) + 1;
    seen.set(file, n);
    let body;
    try {
      body = readFileSync(join(dir, file));
    } catch {
      return void res.writeHead(404).end();
    }
    const fault = faults[file];
    if (fault === 404) return void res.writeHead(404).end('gone');
    if (fault === '503-once' && n === 1) return void res.writeHead(503).end('busy');
    if (fault === 'short') return void res.writeHead(200, { 'content-length': body.length >> 1 }).end(body.subarray(0, body.length >> 1));
    if (fault === 'truncate') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1));
      return void setTimeout(() => res.destroy(), 20);
    }
    if (fault === 'hang') return void res.writeHead(200, { 'content-length': body.length }).flushHeaders();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/manifest.json`,
    requests: (file) => seen.get(file) ?? 0,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((ok) => server.close(ok));
    },
  };
}

test('fetches over HTTP: 404, truncated, short, wrong hash and hanging responses fail clearly; retries are bounded; abort works', { timeout: 60_000 }, async () => {
  const dir = fileURLToPath(new URL('.', site()));
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const fast = { timeoutMs: 300, retries: 1 };
  const attempt = async (faults, options = { fetch: fast }) => {
    const server = await faultyServer(dir, faults);
    try {
      const t0 = Date.now();
      const result = await loadSiteLite(server.url, options).then(() => 'ok', (e) => e);
      return { result, ms: Date.now() - t0, server };
    } finally {
      await server.close();
    }
  };
  // 404: no retry.
  let r = await attempt({ [manifest.base.file]: 404 });
  assert.equal(r.result.code, 'FETCH_FAILED');
  assert.match(r.result.message, /answered HTTP 404/);
  assert.equal(r.server.requests(manifest.base.file), 1, 'a 404 is not retried');
  // 503 once: the retry succeeds.
  r = await attempt({ [manifest.base.file]: '503-once' });
  assert.equal(r.result, 'ok');
  assert.equal(r.server.requests(manifest.base.file), 2);
  // A connection closed mid-body: retried, then a fetch error.
  r = await attempt({ [manifest.vocabParts[0].file]: 'truncate' });
  assert.equal(r.result.code, 'FETCH_FAILED', r.result.message);
  assert.match(r.result.message, /after 2 attempts/);
  // A complete response of the wrong size, or the wrong bytes: the manifest's integrity check.
  r = await attempt({ [manifest.base.file]: 'short' });
  assert.equal(r.result.code, 'INDEX_INTEGRITY');
  // A server that never sends the body: each attempt times out, the load fails, nothing hangs.
  r = await attempt({ [manifest.base.file]: 'hang' });
  assert.equal(r.result.code, 'FETCH_TIMEOUT', r.result.message);
  assert.match(r.result.message, /did not answer within 300 ms \(after 2 attempts\)/);
  assert.equal(r.server.requests(manifest.base.file), 2);
  // A hanging shard fails that search with FETCH_TIMEOUT; the next search still runs.
  const server = await faultyServer(dir, Object.fromEntries(readdirSync(dir).filter((f) => f.startsWith('shard-')).map((f) => [f, 'hang'])));
  try {
    const { site: s } = await loadSiteLite(server.url, { fetch: fast });
    await assert.rejects(s.search('rust search', { mode: 'lexical' }), (e) => e.code === 'FETCH_TIMEOUT');
    await assert.rejects(s.search('rust search', { mode: 'lexical' }), (e) => e.code === 'FETCH_TIMEOUT', 'a failed part is fetched again, not cached as failed');
  } finally {
    await server.close();
  }
  // An abort signal cancels a load that would otherwise wait.
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  r = await attempt({ [manifest.base.file]: 'hang' }, { fetch: { signal: controller.signal, timeoutMs: 30_000 } });
  assert.equal(r.result.code, 'ABORTED');
  assert.ok(r.ms < 5_000, `aborted after ${r.ms} ms`);
  // A signal cannot cross into a worker: said so, not a DataCloneError.
  await assert.rejects(SparrowWorker.loadSite(server.url, { fetch: { signal: controller.signal } }), (e) => e.code === 'INVALID_OPTION');
});
