#!/usr/bin/env node
// Sparrow's static-site search beside Pagefind 1.x (npm `pagefind`, the peer whose budget issue 12
// set: "under 300 kB total for a 10,000-page site, including the library") on the same HTML: the
// whole Node.js API docs (Debian's nodejs-doc, 63 pages; all.html and index.html left out by both,
// both indexing only `#apicontent`), served by the same compressing server (www/serve.mjs:
// brotli; Pagefind's own files are already gzipped and sent as they are), in the same Chromium,
// in one run. Per system: index build time and size, the first query's bytes and requests (from
// the network log, encoded body + headers, as tests/e2e/docs-search.test.mjs counts them) and its
// time to first result from a cold page (navigation start to results; no HTTP cache), then where
// 14 paraphrased queries put their answer (tests/bench/site-queries.mjs's cases): the section's
// rank and its page's rank among the first 20 hits each page shows. The server compresses each file
// once before the measured run (a static host serves pre-compressed files).
//
//   cd tests && node --test e2e/docs-search.test.mjs   # builds www/dist with the e2e-nodejs index
//   node tests/bench/pagefind.mjs [--out tests/artifacts/pagefind.json]
// Another site (no judged queries: bytes and times only), e.g. the Rust core library docs:
//   sparrow index --site DIR --out www/dist/generated/NAME --body SELECTOR
//   node tests/bench/pagefind.mjs --site DIR --index NAME --body SELECTOR --query TEXT --out FILE
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts, launchChromium, nodejsDocs, root, run, serveDir } from '../helpers.mjs';
import { CASES } from './site-cases.mjs';

const args = process.argv.slice(2);
const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(artifacts, 'pagefind.json');
const flag = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const dist = join(root, 'www/dist');
const siteDir = flag('--site', null);
const sparrowIndex = flag('--index', 'e2e-nodejs');
const body = flag('--body', '#apicontent');
const nodejs = siteDir === null;
if (!existsSync(join(dist, 'generated', sparrowIndex, 'manifest.json'))) {
  throw new Error('www/dist has no generated/e2e-nodejs index: run `cd tests && node --test e2e/docs-search.test.mjs` first');
}
const SHOWN = 20; // hits compared for quality (the docs page's `?limit=`; it shows 10 by default)
const PAGE_DEFAULT = 10; // sections the docs page shows before "More results" (www/docs/main.ts)
const SEMANTIC = flag('--query', 'wait some seconds before calling my function');
const EXCLUDE = new Set(['all.html', 'index.html']);

function treeBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    n += e.isDirectory() ? treeBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  }
  return n;
}

/** Files under `dir` (what a static host counts against its file limit). */
function treeFiles(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? treeFiles(join(dir, e.name)) : 1;
  return n;
}

// 1. Pagefind's index of the same pages, next to the Sparrow demo in www/dist (a build output).
const pf = join(dist, `pf-${sparrowIndex}`);
rmSync(pf, { recursive: true, force: true });
mkdirSync(pf, { recursive: true });
let source = siteDir;
if (nodejs) {
  source = pf;
  for (const f of readdirSync(nodejsDocs)) {
    if (f.endsWith('.html') && !EXCLUDE.has(f)) cpSync(join(nodejsDocs, f), join(pf, f));
  }
}
const t0 = Date.now();
const pagefindLog = run(join(root, 'tests/node_modules/.bin/pagefind'), ['--site', source, '--output-path', join(pf, 'pagefind'), '--root-selector', body]);
const pagefindBuildSeconds = (Date.now() - t0) / 1000;
// A page that searches with Pagefind's JS API and loads the first SHOWN results, as its UI does.
writeFileSync(join(pf, 'search.html'), `<!doctype html><meta charset="utf-8"><title>Pagefind</title>
<input id="q"><ol id="results"></ol><script type="module" src="search.js"></script>\n`);
writeFileSync(join(pf, 'search.js'), `const pagefind = await import('./pagefind/pagefind.js');
await pagefind.init();
window.pfSearch = async (query, n) => {
  const r = await pagefind.search(query);
  const data = await Promise.all(r.results.slice(0, n).map((x) => x.data()));
  document.getElementById('results').replaceChildren(...data.map((d) => Object.assign(document.createElement('li'), { textContent: d.meta.title })));
  return data.map((d) => ({ url: d.url, subs: d.sub_results.map((s) => s.url) }));
};
document.body.dataset.ready = 'true';
`);

const server = await serveDir(dist);
const browser = await launchChromium();

/** A cold page (new context, HTTP cache off) that records every request's bytes. */
async function coldPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const requests = [];
  page.on('requestfinished', async (req) => {
    const sizes = await req.sizes().catch(() => null);
    requests.push({ url: req.url(), bytes: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0 });
  });
  return { context, page, requests };
}
const settle = () => new Promise((ok) => setTimeout(ok, 300));
const sum = (rs) => rs.reduce((s, r) => s + r.bytes, 0);
/** Bytes by kind of file: wasm, js, css, html, and the index's parts by name or extension. */
function byKind(requests) {
  const kinds = {};
  for (const { url, bytes } of requests) {
    const p = new URL(url).pathname;
    const kind = /\.wasm$|wasm\.[a-z]+\.pagefind$/.test(p) ? 'wasm' : /\.js$/.test(p) ? 'js' : /\.css$/.test(p) ? 'css'
      : /\.pf_fragment$|\/frag-/.test(p) ? 'fragments' : /\.pf_index$|\/shard-/.test(p) ? 'index chunks / shards'
      : /\.pf_meta$|\.spb$|manifest\.json$|\.spv$/.test(p) ? 'meta / base / manifest / vocabulary' : /\.html$|\/$/.test(p) ? 'html' : 'other';
    kinds[kind] = (kinds[kind] ?? 0) + bytes;
  }
  return kinds;
}

/** Sparrow: the docs page (search-only module, lookup queries, hybrid). */
async function sparrowFirst(shown = SHOWN) {
  const { context, page, requests } = await coldPage();
  const t = Date.now();
  await page.goto(`${server.url}docs/?index=../generated/${sparrowIndex}/manifest.json&base=../generated/${sparrowIndex}/site/&limit=${shown}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  const readyMs = Date.now() - t;
  await page.fill('#q', SEMANTIC);
  await page.waitForFunction((q) => document.body.dataset.query === q, SEMANTIC);
  const firstResultMs = Date.now() - t;
  await settle();
  const first = { readyMs, firstResultMs, bytes: sum(requests), requests: requests.length, byKind: byKind(requests) };
  const ranks = [];
  const top = await page.evaluate(() => window.sparrowLast.hits.slice(0, 5).map(([id]) => id));
  for (const [query, answer] of nodejs ? CASES : []) {
    await page.fill('#q', query);
    await page.waitForFunction((q) => document.body.dataset.query === q, query);
    const ids = await page.evaluate(() => window.sparrowLast.hits.map(([id]) => id));
    ranks.push(rankOf(ids, answer));
  }
  await context.close();
  return { first, ranks, top };
}

/** Pagefind: its JS API, the first SHOWN results' data (what its UI fetches to show them). */
async function pagefindFirst(shown = SHOWN) {
  const { context, page, requests } = await coldPage();
  const t = Date.now();
  await page.goto(`${server.url}pf-${sparrowIndex}/search.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  const readyMs = Date.now() - t;
  const firstResults = await page.evaluate(([q, n]) => window.pfSearch(q, n), [SEMANTIC, shown]);
  const firstResultMs = Date.now() - t;
  await settle();
  const first = { readyMs, firstResultMs, bytes: sum(requests), requests: requests.length, byKind: byKind(requests) };
  const ranks = [];
  for (const [query, answer] of nodejs ? CASES : []) {
    const results = await page.evaluate(([q, n]) => window.pfSearch(q, n), [query, SHOWN]);
    // Sections in result order: each page's sub-results (its headings), pages in rank order.
    const ids = results.flatMap((r) => (r.subs.length ? r.subs : [r.url])).map((u) => u.replace(/^\/pf-[^/]+\//, ''));
    ranks.push(rankOf(ids, answer, results.map((r) => r.url.replace(/^\/pf-[^/]+\//, ''))));
  }
  await context.close();
  return { first, ranks, top: firstResults.slice(0, 5).map((r) => r.url) };
}

/** 1-based rank of the first id matching `answer` (null: not shown), and of its page. */
function rankOf(ids, answer, pages) {
  const section = ids.findIndex((id) => answer.test(id)) + 1 || null;
  const pageList = pages ?? [...new Set(ids.map((id) => id.split('#')[0]))];
  const hitPage = ids.find((id) => answer.test(id))?.split('#')[0];
  const pageRank = hitPage ? pageList.indexOf(hitPage) + 1 || null : null;
  return { section, page: pageRank };
}

try {
  // Once unmeasured, so the server has compressed every file (a static host serves pre-compressed
  // files; www/serve.mjs compresses on first request), then measured from a cold browser.
  await sparrowFirst();
  await pagefindFirst();
  const sparrow = await sparrowFirst();
  const sparrowDefault = await sparrowFirst(PAGE_DEFAULT);
  const pagefind = await pagefindFirst();
  const pagefind5 = await pagefindFirst(5);
  const topK = (ranks, k, key) => ranks.filter((r) => r[key] !== null && r[key] <= k).length;
  const summary = (name, r) => ({
    system: name,
    firstQueryBytes: r.first.bytes,
    firstQueryRequests: r.first.requests,
    readyMs: r.first.readyMs,
    firstResultMs: r.first.firstResultMs,
    byKind: r.first.byKind,
    answerSectionTop5: nodejs ? topK(r.ranks, 5, 'section') : null,
    answerSectionTop20: nodejs ? topK(r.ranks, 20, 'section') : null,
    answerPageTop5: nodejs ? topK(r.ranks, 5, 'page') : null,
  });
  const rows = [
    summary(`sparrow (lite, lookup hybrid), ${SHOWN} hits shown`, sparrow),
    { ...summary(`sparrow (lite, lookup hybrid), ${PAGE_DEFAULT} hits shown (the docs page's default)`, sparrowDefault), answerSectionTop20: null },
    summary(`pagefind 1.6.0, ${SHOWN} results shown`, pagefind),
    { ...summary('pagefind 1.6.0, 5 results shown (its UI default)', pagefind5), answerSectionTop20: null },
  ];
  console.table(rows.map(({ byKind: _, ...r }) => r));
  for (const r of rows) console.log(r.system, JSON.stringify(r.byKind));
  console.log('top 5:', JSON.stringify({ sparrow: sparrow.top, pagefind: pagefind.top }));
  if (nodejs) console.table(CASES.map(([q], i) => ({ query: q, sparrowSection: sparrow.ranks[i].section, sparrowPage: sparrow.ranks[i].page, pagefindSection: pagefind.ranks[i].section, pagefindPage: pagefind.ranks[i].page })));
  const copied = join(dist, 'generated', sparrowIndex, 'site'); // the pages, copied for links
  const sparrowIndexBytes = treeBytes(join(dist, 'generated', sparrowIndex)) - (existsSync(copied) ? treeBytes(copied) : 0);
  const figures = {
    date: new Date().toISOString(),
    corpus: nodejs ? 'nodejs-doc API pages (63; all.html, index.html excluded), #apicontent' : `${siteDir}, ${body}`,
    top5: { sparrow: sparrow.top, pagefind: pagefind.top },
    shown: SHOWN,
    semanticQuery: SEMANTIC,
    rows,
    perQuery: (nodejs ? CASES : []).map(([q], i) => ({ query: q, sparrow: sparrow.ranks[i], pagefind: pagefind.ranks[i] })),
    index: {
      sparrowBytesOnDisk: sparrowIndexBytes,
      sparrowFiles: treeFiles(join(dist, 'generated', sparrowIndex)) - (existsSync(copied) ? treeFiles(copied) : 0),
      pagefindBytesOnDisk: treeBytes(join(pf, 'pagefind')),
      pagefindFiles: treeFiles(join(pf, 'pagefind')),
      pagefindBuildSeconds,
    },
    pagefindLog: pagefindLog.trim().split('\n').slice(-8),
  };
  writeFileSync(out, JSON.stringify(figures, null, 2) + '\n');
  console.log(`index on disk: sparrow ${sparrowIndexBytes} B, pagefind ${figures.index.pagefindBytesOnDisk} B (built in ${pagefindBuildSeconds.toFixed(1)} s); written ${out}`);
} finally {
  await browser.close();
  await server.close();
}
