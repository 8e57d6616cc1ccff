// Hostile input through the package in Chromium (the node side: pkg-config/test/hostile.test.mjs):
// typed errors, nothing lost, the instance still answers; a trap makes it INSTANCE_LOST for good.
// Served with the CSP of www/serve.mjs, so it also shows the package needs nothing more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, pkgDir, serveDir } from '../helpers.mjs';

const PAGE = `import { Sparrow } from './pkg/dist/index.js';
const out = {};
const code = (f) => { try { f(); return 'ok'; } catch (e) { return e.code; } };
const nest = (depth, wrap, leaf) => { let v = leaf; for (let i = 0; i < depth; i++) v = wrap(v); return v; };
try {
  const s = await Sparrow.create({ model: false });
  s.addDocuments([{ id: 'a', text: 'hello world' }, { id: 'b', text: 'hello roaring bitmaps' }]);
  const before = s.toBytes();
  out.codes = {
    hugeArray: code(() => s.addDocuments(new Array(2 ** 32 - 1))),
    deepFilter: code(() => s.search('hello', { filter: nest(100000, (f) => ({ not: f }), { field: 'x', eq: 1 }) })),
    deepFields: code(() => s.addDocument({ id: 'c', text: 'x', fields: { f: nest(100000, (v) => ({ a: v }), 1) } })),
    fields100: code(() => s.addDocument({ id: 'c', text: 'x', fields: { f: nest(100, (v) => [v], 1) } })),
    manyWords: code(() => s.search(Array.from({ length: 100000 }, (_, i) => 'w' + i.toString(36)).join(' '))),
    commas: code(() => s.search('a,'.repeat(2.5e6), { mode: 'lexical' })),
    wrongType: code(() => s.search(42)),
  };
  const after = s.toBytes();
  out.unchanged = after.length === before.length && after.every((b, i) => b === before[i]);
  out.stillAnswers = s.search('hello', { mode: 'lexical' }).map((h) => h.id).sort();
  const other = await Sparrow.create({ model: false });
  s.index.__wbg_ptr = 0x7ffffff0; // a call outside wasm memory traps, as a panic would
  out.trap = code(() => s.search('hello'));
  out.afterTrap = [code(() => other.size), code(() => other.search('x'))];
} catch (e) {
  out.error = String(e && e.stack || e);
}
document.querySelector('#out').textContent = JSON.stringify(out);
document.body.dataset.done = 'true';
`;

test('hostile input through the package in Chromium: typed errors, nothing lost; a trap is INSTANCE_LOST', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sparrow-hostile-'));
  symlinkSync(pkgDir(), join(dir, 'pkg'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>hostile</title><pre id="out"></pre><script type="module" src="run.js"></script>');
  writeFileSync(join(dir, 'run.js'), PAGE);
  const server = await serveDir(dir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    // The page's module awaits the full wasm module (25 MB in the dev build), which the server
    // brotli-compresses on first request: wait for the page's own signal, not the load event.
    await page.goto(server.url, { waitUntil: 'commit' });
    await page.waitForSelector('body[data-done="true"]', { timeout: 170_000 });
    const out = JSON.parse(await page.textContent('#out'));
    assert.equal(out.error, undefined, out.error);
    assert.deepEqual(out.codes, {
      hugeArray: 'INVALID_DOCUMENT',
      deepFilter: 'INVALID_OPTION',
      deepFields: 'INVALID_DOCUMENT',
      fields100: 'INVALID_DOCUMENT',
      manyWords: 'QUERY_TOO_LARGE',
      commas: 'QUERY_TOO_LARGE',
      wrongType: 'INVALID_QUERY',
    });
    assert.equal(out.unchanged, true, 'a refused input changed the index');
    assert.deepEqual(out.stillAnswers, ['a', 'b']);
    assert.equal(out.trap, 'INSTANCE_LOST');
    assert.deepEqual(out.afterTrap, ['INSTANCE_LOST', 'INSTANCE_LOST']);
  } finally {
    await browser.close();
    await server.close();
  }
});
