#!/usr/bin/env node
// Matches by meaning alone on the search-only path: how often a one-word query that a section's
// text does not contain finds that section through the expansion the model gave it at index time
// (queries are looked up, not encoded). Candidates come from the index's own vectors: for each
// section, every expansion term that is a whole word (4+ letters), absent from the section's
// title and text (not even inside an identifier), and for which this section is among the two
// strongest postings. Each candidate word is then searched (lookup hybrid, the docs page's
// default) and counted when the section is in the first 5 and the hit's explanation shows no
// BM25 term in common with the query.
//   sparrow export --format anserini --index www/public/generated/e2e-nodejs/manifest.json --out /tmp/exp
//   node tests/bench/meaning-only.mjs www/public/generated/e2e-nodejs/manifest.json /tmp/exp [--show N]
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSite } from '../../pkg/dist/lite.js';

const [manifest, exported] = process.argv.slice(2);
if (!manifest || !exported) throw new Error('usage: node tests/bench/meaning-only.mjs MANIFEST.json EXPORT_DIR [--show N]');
const show = Number(process.argv[process.argv.indexOf('--show') + 1]) || 20;
const docs = [];
for (const f of readdirSync(join(exported, 'vectors')).sort()) {
  for (const line of readFileSync(join(exported, 'vectors', f), 'utf8').split('\n')) if (line) docs.push(JSON.parse(line));
}
const postings = new Map();
for (const [i, d] of docs.entries()) {
  for (const [t, w] of Object.entries(d.vector)) (postings.get(t) ?? postings.set(t, []).get(t)).push([w, i]);
}
for (const p of postings.values()) p.sort((a, b) => b[0] - a[0]);
const candidates = [];
for (const [i, d] of docs.entries()) {
  const text = d.contents.toLowerCase();
  for (const [t, w] of Object.entries(d.vector)) {
    if (!/^[a-z]{4,}$/.test(t) || text.includes(t)) continue;
    const p = postings.get(t);
    if (p.length >= 3 && (p[0][1] === i || p[1][1] === i)) candidates.push({ id: d.id, term: t, weight: w });
  }
}
const { site } = await loadSite(pathToFileURL(resolve(manifest)));
const rows = [];
for (const c of candidates) {
  const hits = await site.search(c.term, { limit: 5, explain: true });
  const at = hits.findIndex((h) => h.id === c.id);
  const found = at >= 0 && (hits[at].explanation?.lexical ?? []).length === 0;
  rows.push({ ...c, rank: at + 1 || null, found });
}
const found = rows.filter((r) => r.found);
console.log(`${docs.length} sections; ${candidates.length} (section, word) candidates; found in the first 5 by meaning alone: ${found.length} (${((100 * found.length) / Math.max(1, candidates.length)).toFixed(1)}%), first hit: ${found.filter((r) => r.rank === 1).length}`);
console.table(found.sort((a, b) => b.weight - a.weight).slice(0, show));
