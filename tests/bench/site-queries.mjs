#!/usr/bin/env node
// Where paraphrased queries put their intended section in a prebuilt site index, hybrid (lookup
// queries: the search-only module) vs lexical: a quick probe of how much the lookup query's
// semantics add on a real corpus (docs/BENCHMARKS.md, "The search-only path").
//   node tests/bench/site-queries.mjs www/public/generated/e2e-nodejs/manifest.json
// (that index is built by tests/e2e/docs-search.test.mjs; any `sparrow index --site` output works)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSite } from '../../pkg/dist/lite.js';
import { CASES } from './site-cases.mjs';

const manifest = process.argv[2];
if (!manifest) throw new Error('usage: node tests/bench/site-queries.mjs MANIFEST.json');
const { site } = await loadSite(pathToFileURL(resolve(manifest)));
const rows = [];
for (const [query, answer] of CASES) {
  const rank = {};
  for (const mode of ['hybrid', 'lexical']) {
    const hits = await site.search(query, { mode, limit: 30 });
    rank[mode] = hits.findIndex((h) => answer.test(h.id)) + 1 || null;
  }
  rows.push({ query, hybrid: rank.hybrid, lexical: rank.lexical });
}
console.table(rows);
const found = (k) => rows.filter((r) => r[k] !== null && r[k] <= 5).length;
console.log(`answer in the first 5: hybrid (lookup) ${found('hybrid')}/${rows.length}, lexical ${found('lexical')}/${rows.length}`);
