#!/usr/bin/env node
// Where paraphrased queries put their intended section in a prebuilt site index, hybrid (lookup
// queries: the search-only module) vs lexical: a quick probe of how much the lookup query's
// semantics add on a real corpus (docs/BENCHMARKS.md, "The search-only path"). For each answer
// found, `shared` lists the analysed words it has in common with the query (from the hit's
// explanation): an empty list is a semantic-only match.
//   node tests/bench/site-queries.mjs www/public/generated/e2e-nodejs/manifest.json [--more] [--model]
// (that index is built by tests/e2e/docs-search.test.mjs; any `sparrow index --site` output works;
// --more adds MORE_CASES; --model loads the full module and the bundled model and adds the
// model-query hybrid and sparse ranks, to see what query expansion would add)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CASES, MORE_CASES } from './site-cases.mjs';

const manifest = process.argv[2];
if (!manifest) throw new Error('usage: node tests/bench/site-queries.mjs MANIFEST.json [--more]');
const cases = process.argv.includes('--more') ? [...CASES, ...MORE_CASES] : CASES;
const withModel = process.argv.includes('--model');
const { loadSite } = await import(withModel ? '../../pkg/dist/index.js' : '../../pkg/dist/lite.js');
const { site } = await loadSite(pathToFileURL(resolve(manifest)), withModel ? { model: 'bundled' } : {});
const runs = [['hybrid', { mode: 'hybrid' }], ['lexical', { mode: 'lexical' }]];
if (withModel) runs.push(['modelHybrid', { mode: 'hybrid', queryEncoder: 'model' }], ['modelSparse', { mode: 'sparse', queryEncoder: 'model' }], ['lookupSparse', { mode: 'sparse', queryEncoder: 'lookup' }]);
const rows = [];
for (const [query, answer] of cases) {
  const rank = {};
  let shared = null;
  for (const [name, options] of runs) {
    const hits = await site.search(query, { ...options, limit: 50, explain: name === 'hybrid' });
    const at = hits.findIndex((h) => answer.test(h.id));
    rank[name] = at + 1 || null;
    if (name === 'hybrid' && at >= 0) shared = (hits[at].explanation?.lexical ?? []).map((t) => t.term).join(' ');
  }
  rows.push({ query, ...rank, shared });
}
console.table(rows);
const found = (k) => rows.filter((r) => r[k] !== null && r[k] <= 5).length;
const semantic = rows.filter((r) => r.shared === '');
console.log(`answer in the first 5: hybrid (lookup) ${found('hybrid')}/${rows.length}, lexical ${found('lexical')}/${rows.length}${withModel ? `, model hybrid ${found('modelHybrid')}/${rows.length}, model sparse ${found('modelSparse')}/${rows.length}, lookup sparse ${found('lookupSparse')}/${rows.length}` : ''}`);
console.log(`answers found (top 50) sharing no analysed word with the query: ${semantic.length}${semantic.length ? ` (${semantic.map((r) => `"${r.query}" rank ${r.hybrid}`).join(', ')})` : ''}`);
