// Packaging: `npm pack` the built package, install the tarball into a fresh plain-node ESM
// project and into a fresh Vite app, as a user would. Both must add documents and find a
// semantic-only match; the Vite build must also run in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, pkgDir, root, run, serveDir, artifacts } from '../helpers.mjs';

const work = mkdtempSync(join(tmpdir(), 'sparrow-pack-'));
const tarball = join(work, run('npm', ['pack', pkgDir(), '--pack-destination', work, '--silent']).trim().split('\n').pop());

const docs = [
  { id: 'vaccines', text: 'A vaccine trains the immune system with a harmless piece of a pathogen, so antibodies are ready before a real infection.' },
  { id: 'tides', text: 'The gravitational pull of the Moon raises bulges in the oceans, and coastlines see the water rise and fall twice a day.' },
  { id: 'wasm', text: 'WebAssembly is a portable binary instruction format that browsers run at near-native speed next to JavaScript.' },
];

function freshProject(name, pkg) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', ...pkg }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--silent', tarball], { cwd: dir });
  return dir;
}

test('the tarball holds the wasm, the model with its license, types and no sources', () => {
  const listing = run('tar', ['tzf', tarball]);
  for (const f of ['package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/worker.js', 'package/dist/lite.js', 'package/dist/lite.d.ts', 'package/wasm/sparrow_wasm_bg.wasm', 'package/wasm/sparrow_wasm_relaxed_bg.wasm', 'package/wasm-lite/sparrow_lite_bg.wasm', 'package/model/splade-tiny.int8.onnx', 'package/model/tokenizer.json', 'package/model/LICENSE', 'package/model/NOTICE.md', 'package/README.md']) {
    assert.ok(listing.includes(f), `${f} in tarball`);
  }
  assert.ok(!/\.rs$|scifact|corpus\.jsonl/m.test(listing), 'no Rust sources or evaluation data');
  console.log(`# tarball ${(statSync(tarball).size / 1e6).toFixed(2)} MB`);
});

test('plain node ESM: import, add three documents, search with explanation', () => {
  const dir = freshProject('node-app', {});
  writeFileSync(join(dir, 'main.mjs'), `
    import { Sparrow } from 'sparrow-search';
    const sparrow = await Sparrow.create();
    sparrow.addDocuments(${JSON.stringify(docs)});
    const [hit] = sparrow.search('shots that prevent illness', { explain: true });
    const lexical = sparrow.search('shots that prevent illness', { mode: 'lexical' });
    console.log(JSON.stringify({ hit, lexical: lexical.length }));
  `);
  const out = JSON.parse(run('node', ['main.mjs'], { cwd: dir }).trim().split('\n').pop());
  assert.equal(out.lexical, 0, 'no keyword overlap: BM25 finds nothing');
  assert.equal(out.hit.id, 'vaccines');
  assert.ok(out.hit.explanation.sparse.length > 0);
  console.log(`# node: top hit ${out.hit.id}, matched ${out.hit.explanation.sparse.slice(0, 5).map((t) => t.term).join(', ')}`);
});

test('plain node ESM: sparrow-search/lite loads a prebuilt site index (the golden fixture) and searches it without a model', () => {
  const dir = freshProject('node-lite-app', {});
  const manifest = new URL('../fixtures/format/v2/site/manifest.json', import.meta.url).href;
  writeFileSync(join(dir, 'main.mjs'), `
    import { loadSite } from 'sparrow-search/lite';
    const { sparrow, site } = await loadSite(${JSON.stringify(manifest)});
    const hits = await site.search('ranking with bm25', { mode: 'lexical' });
    console.log(JSON.stringify({ ids: hits.map((h) => h.id), hasVocab: sparrow.hasVocab, load: site.load() }));
  `);
  const out = JSON.parse(run('node', ['main.mjs'], { cwd: dir }).trim().split('\n').pop());
  assert.equal(out.hasVocab, true);
  assert.equal(out.ids[0], 'search-bm25');
  assert.ok(out.load.shardsLoaded > 0 && out.load.fragmentsLoaded > 0, JSON.stringify(out.load));
});

test('fresh Vite app: builds, and the built page finds a semantic-only match in Chromium', async () => {
  const dir = freshProject('vite-app', {});
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><body><pre id="out">loading</pre><script type="module" src="./main.js"></script></body></html>');
  writeFileSync(join(dir, 'main.js'), `
    import { SparrowWorker } from 'sparrow-search';
    const out = document.getElementById('out');
    try {
      const sparrow = await SparrowWorker.create();
      await sparrow.addDocuments(${JSON.stringify(docs)});
      const hits = await sparrow.search('shots that prevent illness', { explain: true });
      out.textContent = JSON.stringify({ top: hits[0].id, terms: hits[0].explanation.sparse.length });
    } catch (e) { out.textContent = 'error: ' + e.message; }
    document.body.dataset.done = 'true';
  `);
  run(process.execPath, [join(root, 'tests/node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: dir });
  const assets = readdirSync(join(dir, 'dist/assets'));
  // Both builds of the full module are emitted; the browser fetches one (relaxed-SIMD in Chromium).
  assert.ok(assets.some((f) => /^sparrow_wasm_bg-.*\.wasm$/.test(f)), `simd128 wasm emitted: ${assets}`);
  assert.ok(assets.some((f) => /^sparrow_wasm_relaxed_bg-.*\.wasm$/.test(f)), `relaxed-SIMD wasm emitted: ${assets}`);
  assert.ok(assets.some((f) => f.endsWith('.onnx')), `model emitted: ${assets}`);
  const server = await serveDir(join(dir, 'dist'));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const wasmFetched = [];
    page.context().on('request', (r) => { if (/\.wasm$/.test(r.url())) wasmFetched.push(r.url().split('/').pop()); });
    await page.goto(server.url);
    await page.waitForSelector('body[data-done="true"]', { timeout: 120_000 });
    const text = await page.textContent('#out');
    await page.screenshot({ path: join(artifacts, 'vite-app.png') });
    const result = JSON.parse(text);
    assert.equal(result.top, 'vaccines', text);
    assert.ok(result.terms > 0);
    assert.equal(wasmFetched.length, 1, `one wasm module fetched: ${wasmFetched}`);
    assert.match(wasmFetched[0], /^sparrow_wasm_relaxed_bg-/, 'Chromium has relaxed-SIMD: the worker loads that build');
  } finally {
    await browser.close();
    await server.close();
  }
});
