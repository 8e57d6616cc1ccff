// Every JavaScript example in README.md and pkg-config/README.md runs here, against the built
// package (`pkg/`, resolved as `sparrow-search` through a node_modules link), and what the text
// around it claims is asserted. A new example without an entry in CLAIMS fails this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const fixtureSite = pathToFileURL(join(root, 'tests/fixtures/format/v2/site/manifest.json')).href;

/** ```js blocks of a markdown file, in order. */
function examples(file) {
  const md = readFileSync(join(root, file), 'utf8');
  return [...md.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

// Each example: a unique piece of its code, what the test must set up first (`before`), which of
// its variables to hand back (`after`), and the check of what the README says about them.
const CLAIMS = [
  {
    file: 'README.md',
    has: "const hits = sparrow.search('shots that prevent illness'",
    after: 'hits',
    check: ({ hits }) => {
      assert.equal(hits[0].id, 'vaccines', 'the vaccine document answers a query with no word in common');
      assert.equal(hits[0].lexicalScore, undefined, 'no word in common: BM25 has nothing');
    },
  },
  {
    file: 'README.md',
    has: "loadSite('https://example.com/search/manifest.json')",
    rewrite: (code) => code.replace('https://example.com/search/manifest.json', fixtureSite),
    after: 'hits',
    check: ({ hits }) => assert.equal(hits[0].id, 'search-bm25'),
  },
  {
    file: 'README.md',
    has: "sparrow.queryVector('shots that prevent illness'",
    before: `import { Sparrow } from 'sparrow-search';
const sparrow = await Sparrow.create();
sparrow.addDocuments([
  { id: 'vaccines', text: 'A vaccine trains the immune system with a harmless piece of a pathogen, so antibodies are ready before a real infection.' },
  { id: 'tides', text: 'The Moon pulls the oceans up and down twice a day.' },
]);`,
    after: 'request, sparrow',
    check: ({ request, sparrow }) => {
      const top = Object.entries(request.vector).sort((a, b) => b[1] - a[1]).slice(0, 4);
      assert.deepEqual(top.map(([t, w]) => [t, Number(w.toFixed(2))]), [['shot', 2.08], ['drugs', 1.28], ['stop', 1.15], ['cancer', 1.13]]);
      // Exactly the weights the index scores the query with.
      const [hit] = sparrow.search('shots that prevent illness', { explain: true, mode: 'sparse' });
      for (const t of hit.explanation.sparse) assert.equal(request.vector[t.term], t.queryWeight, t.term);
      assert.equal(request.vector.shots, undefined, 'a term no document has is left out');
      const [lexical, sparse] = request.body.retriever.linear.retrievers;
      assert.deepEqual(lexical.retriever.standard.query, { match: { content: { query: 'shots that prevent illness' } } });
      assert.deepEqual(sparse.retriever.standard.query.sparse_vector.query_vector, request.vector);
      assert.deepEqual([lexical.normalizer, sparse.normalizer], ['minmax', 'minmax']);
    },
  },
  {
    file: 'pkg-config/README.md',
    has: "const [hit] = sparrow.search('shots that prevent illness'",
    after: 'hit',
    check: ({ hit, logs }) => {
      // The comment: 'vaccines', ['shot', 'drugs', ...]
      assert.equal(hit.id, 'vaccines');
      const terms = hit.explanation.sparse.map((t) => t.term);
      assert.deepEqual(terms.slice(0, 2), ['shot', 'drugs'], `matched terms: ${terms}`);
      assert.match(logs[0], /^vaccines \["shot","drugs",/);
    },
  },
  {
    file: 'pkg-config/README.md',
    has: 'SparrowWorker.create()',
    before: `const docs = [{ id: 'vaccines', text: 'A vaccine trains the immune system with a harmless piece of a pathogen, so antibodies are ready before a real infection.' }, { id: 'tides', text: 'The Moon pulls the oceans up and down twice a day.' }];`,
    after: 'hits, sparrow',
    check: async ({ hits, sparrow, logs }) => {
      try {
        assert.equal(hits[0].id, 'vaccines');
        assert.ok(hits.length <= 10);
        assert.deepEqual(logs.at(-1), '2 2', 'onProgress reports the last batch');
        assert.equal(await sparrow.size(), 2);
      } finally {
        await sparrow.terminate(); // dispose() frees the index; terminate() also ends the worker thread
      }
    },
  },
  {
    file: 'pkg-config/README.md',
    has: "console.log(hits[0].id, site.load().indexBytes)",
    rewrite: (code) => code.replace('https://example.com/search/manifest.json', fixtureSite),
    after: 'hits, site',
    check: ({ hits, site, logs }) => {
      assert.equal(hits[0].id, 'wasm-intro');
      assert.equal(logs[0], `wasm-intro ${site.load().indexBytes}`);
    },
  },
  {
    file: 'pkg-config/README.md',
    has: 'renderHit(hit,',
    rewrite: (code) => code.replace('https://example.com/search/manifest.json', fixtureSite),
    after: 'hit, shown',
    check: ({ hit, shown, logs }) => {
      assert.equal(hit.id, 'wasm-intro');
      assert.equal(logs[0], `${shown.title} ${shown.snippet}`);
      assert.match(shown.snippet, /<mark>/, 'the matched words are marked');
      assert.doesNotMatch(shown.snippet.replace(/<\/?mark>/g, ''), /[<>]/, 'everything else is escaped');
      assert.ok(shown.href === undefined || /^https:\/\/example\.com\//.test(shown.href), shown.href);
    },
  },
];

const work = mkdtempSync(join(tmpdir(), 'sparrow-readme-'));
mkdirSync(join(work, 'node_modules'));
symlinkSync(join(root, 'pkg'), join(work, 'node_modules/sparrow-search'), 'dir');
writeFileSync(join(work, 'package.json'), '{"type":"module"}');

const all = ['README.md', 'pkg-config/README.md'].flatMap((file) => examples(file).map((code) => ({ file, code })));

test('every README example has a claim to check', () => {
  for (const { file, code } of all) {
    const claims = CLAIMS.filter((c) => c.file === file && code.includes(c.has));
    assert.equal(claims.length, 1, `${file}: ${claims.length} claims for the example\n${code}`);
  }
  assert.equal(all.length, CLAIMS.length, 'a claim names an example that is gone');
});

for (const [i, { file, code }] of all.entries()) {
  const claim = CLAIMS.find((c) => c.file === file && code.includes(c.has));
  if (!claim) continue;
  test(`${file} example ${i + 1}: ${claim.has}`, async () => {
    const body = (claim.rewrite ?? ((c) => c))(code);
    const name = join(work, `example-${i}.mjs`);
    const logs = [];
    globalThis.__readmeLogs = logs;
    writeFileSync(name, [
      'const console = { log: (...a) => globalThis.__readmeLogs.push(a.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" ")) };',
      claim.before ?? '',
      body,
      `globalThis.__readme = { ${claim.after} };`,
    ].join('\n'));
    await import(pathToFileURL(name).href);
    await claim.check({ ...globalThis.__readme, logs });
  });
}
