#!/usr/bin/env node
// Figures of the offline notes PWA (www/pwa/) in Chromium, for docs/BENCHMARKS.md:
//   - first-visit bytes: everything the server sent until the app is ready and cached offline;
//   - time to interactive offline: reload with no network → notes loaded, index restored, search
//     usable (the app's own `performance.now()` at ready; median of --reps reloads), with 0 and
//     with 1,000 notes;
//   - time to add 100 notes: one at a time through the form, and in one import;
//   - IndexedDB size for 1,000 notes: the stored records, Chromium's own estimate, and the
//     profile's IndexedDB directory on disk.
//
//   node tests/e2e/pwa-bench.mjs [--no-build] [--reps 3] [--json out.json]
//
// Needs pkg/ (node pkg-config/scripts/build.mjs) and `npm ci` in www/ and tests/. "Offline"
// means context.setOffline(true) *and* the server refusing every request.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { pkgDir, root, run } from '../helpers.mjs';

const args = process.argv.slice(2);
const flag = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const REPS = Number(flag('--reps', 3));
const dist = join(root, 'www/dist');

pkgDir();
if (!args.includes('--no-build')) {
  run(process.execPath, [join(root, 'www/node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: join(root, 'www') });
}

// A static server (www/serve.mjs) that counts what it sends and can go dark.
const { serve } = await import('../../www/serve.mjs');
const server = await serve(dist, 0);
const net = { blocked: false, bytes: 0, requests: 0, files: new Map() };
server.prependListener('request', (req, res) => {
  if (net.blocked) {
    req.socket.destroy();
    return;
  }
  res.on('finish', () => {
    const path = new URL(req.url, 'http://x').pathname;
    const len = res.statusCode === 200 ? statSync(join(dist, path.endsWith('/') ? `${path}index.html` : path)).size : 0;
    net.requests += 1;
    net.bytes += len;
    const f = net.files.get(path) ?? { count: 0, bytes: 0 };
    net.files.set(path, { count: f.count + (len ? 1 : 0), bytes: f.bytes + len });
  });
});
const url = `http://127.0.0.1:${server.address().port}/pwa/`;

// Deterministic synthetic notes, 40-80 words of plain English each.
const vocab = (
  'meeting project budget garden recipe travel train station morning evening weekend doctor appointment ' +
  'book chapter idea plan list groceries coffee bread tomatoes river mountain walk bicycle repair window ' +
  'kitchen paint invoice client deadline draft review presentation slides team lunch friend birthday gift ' +
  'music concert ticket museum history lesson language practice exercise sleep water energy battery phone ' +
  'laptop backup password email letter contract rent insurance tax receipt school homework science ' +
  'experiment plant seed soil rain weather forecast holiday flight hotel museum map city bridge harbour'
).split(' ');
const glue = 'the a to and of for with on in after before about remember check call buy write ask finish'.split(' ');
function notesFrom(start, count) {
  let seed = 12345 + start;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  return Array.from({ length: count }, (_, i) => {
    const n = 40 + Math.floor(rnd() * 41);
    const words = Array.from({ length: n }, (_, k) => (k % 3 === 1 ? pick(glue) : pick(vocab)));
    const sentences = [];
    for (let k = 0; k < words.length; k += 10) sentences.push(words.slice(k, k + 10).join(' '));
    const text = sentences.map((s) => s[0].toUpperCase() + s.slice(1) + '.').join(' ');
    return { id: `bench-${start + i}`, title: `Note ${start + i}: ${words[0]} ${words[2]}`, text, created: 1_700_000_000_000 + i, updated: 1_700_000_000_000 + i };
  });
}
const collection = (notes) => Buffer.from(JSON.stringify({ format: 'sparrow-notes', version: 1, notes }));

async function launch(dir) {
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}
const ready = (page) => page.waitForSelector('body[data-ready="true"]:not([data-busy])', { timeout: 600_000 });
const perf = (page) => page.evaluate(() => window.__sparrowNotes);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function offline(context, on) {
  net.blocked = on;
  await context.setOffline(on);
}
async function offlineTti(context, page) {
  const samples = [];
  for (let r = 0; r < REPS; r++) {
    await page.reload();
    await ready(page);
    samples.push((await perf(page)).ready);
  }
  return { medianMs: Math.round(median(samples)), samplesMs: samples.map(Math.round) };
}
// Queries for the latency phase: a few words each, some in the notes' vocabulary, some not.
const QUERIES = [
  'budget meeting with the client', 'what to buy at the grocery store', 'fix my bicycle', 'train to the city',
  'doctor appointment next week', 'birthday present ideas', 'backup the laptop', 'rain forecast for the weekend',
  'museum history lesson', 'pay the rent and taxes', 'coffee and bread in the morning', 'plant seeds in the garden soil',
  'presentation slides for the team', 'hotel near the harbour', 'concert tickets', 'homework for science class',
  'change my email password', 'walk by the river', 'insurance contract', 'language practice exercise',
];

/**
 * Query latency over the notes in the page, through the app's own search (its `performance.now()`
 * around `search`, worker round trip included): each query once unmeasured, then `reps` rounds
 * with the query expanded by the model and as a lookup query, interleaved.
 */
async function queryLatency(page, reps) {
  const once = async (query, expand) => {
    if ((await page.isChecked('#expand')) !== expand) await page.setChecked('#expand', expand);
    const before = (await perf(page)).ops.length;
    await page.fill('#q', query);
    await page.press('#q', 'Enter');
    await page.waitForFunction(
      ({ q, n }) => document.querySelector('#results')?.dataset.query === q && window.__sparrowNotes.ops.slice(n).some((o) => o.op === 'search'),
      { q: query, n: before },
    );
    const op = (await perf(page)).ops.slice(before).findLast((o) => o.op === 'search');
    await page.fill('#q', '');
    await page.waitForSelector('#results[data-query=""]', { state: 'attached' });
    return op;
  };
  for (const q of QUERIES) for (const e of [true, false]) await once(q, e);
  const ms = { model: [], lookup: [] };
  for (let r = 0; r < reps; r++) {
    for (const q of QUERIES) {
      for (const e of r % 2 ? [false, true] : [true, false]) {
        const op = await once(q, e);
        ms[op.encoder].push(op.ms);
      }
    }
  }
  const stat = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { n: s.length, p50: +at(0.5).toFixed(2), p95: +at(0.95).toFixed(2), mean: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2) };
  };
  return { queries: QUERIES.length, reps, model: stat(ms.model), lookup: stat(ms.lookup), note: 'hybrid, limit 10, explain on; ms from the app around search(), worker round trip included' };
}

async function importNotes(page, notes) {
  const before = (await perf(page)).ops.length;
  const t0 = Date.now();
  await page.setInputFiles('#import', { name: 'notes.json', mimeType: 'application/json', buffer: collection(notes) });
  await page.waitForFunction((n) => !document.body.dataset.busy && window.__sparrowNotes.ops.length > n, before, { timeout: 1_800_000 });
  const op = (await perf(page)).ops.at(-1);
  return { inPageMs: Math.round(op.ms), wallMs: Date.now() - t0, count: op.count };
}

const result = { date: new Date().toISOString(), buildInfo: JSON.parse(readFileSync(join(root, 'pkg/build-info.json'), 'utf8')), cores: (await import('node:os')).cpus().length };
const dirs = [];
const profile = () => {
  const d = mkdtempSync(join(tmpdir(), 'sparrow-pwa-bench-'));
  dirs.push(d);
  return d;
};

try {
  // 1. First visit, then offline start with no notes, then 100 notes through the form.
  {
    const context = await launch(profile());
    const page = context.pages()[0] ?? (await context.newPage());
    net.bytes = 0;
    net.requests = 0;
    net.files.clear();
    await page.goto(url);
    await ready(page);
    await page.waitForSelector('body[data-offline-ready="true"]', { timeout: 600_000 });
    const gzip = [...net.files].reduce((s, [p, f]) => s + f.count * gzipSync(readFileSync(join(dist, p.endsWith('/') ? `${p}index.html` : p))).length, 0);
    const largest = [...net.files].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 6).map(([path, f]) => ({ path, ...f }));
    const sw = readFileSync(join(dist, 'pwa/sw.js'), 'utf8');
    const precache = JSON.parse(sw.slice(sw.indexOf('const MANIFEST = ') + 17, sw.indexOf(';\n', sw.indexOf('const MANIFEST = '))));
    result.firstVisit = {
      bytes: net.bytes,
      gzipBytesIfServedCompressed: gzip,
      requests: net.requests,
      // What Chromium caches: every file but the simd128 build of the full module.
      precacheFiles: precache.files.filter((f) => f.when !== 'simd128').length,
      precacheBytes: precache.files.filter((f) => f.when !== 'simd128').reduce((s, f) => s + f.size, 0),
      readyMs: Math.round((await perf(page)).ready),
      largest,
    };

    await offline(context, true);
    result.offlineTti0 = await offlineTti(context, page);

    const notes = notesFrom(0, 100);
    const t0 = Date.now();
    for (const n of notes) {
      await page.fill('#title', n.title);
      await page.fill('#text', n.text);
      const before = (await perf(page)).ops.length;
      await page.click('#save');
      await page.waitForFunction((b) => !document.body.dataset.busy && window.__sparrowNotes.ops.length > b, before);
    }
    const ops = (await perf(page)).ops.filter((o) => o.op === 'add');
    result.add100OneByOne = { inPageMs: Math.round(ops.reduce((s, o) => s + o.ms, 0)), wallMs: Date.now() - t0, perNoteMedianMs: Math.round(median(ops.map((o) => o.ms))) };
    await context.close();
  }

  // 1b. The same imports as in 2 with one encoder (the app's `?encoders=1`), for a same-run
  // comparison with the app's default (every core).
  {
    const context = await launch(profile());
    const page = context.pages()[0] ?? (await context.newPage());
    net.blocked = false;
    await page.goto(`${url}?encoders=1`);
    await ready(page);
    await page.waitForSelector('body[data-offline-ready="true"]', { timeout: 600_000 });
    await offline(context, true);
    result.oneEncoder = { add100Import: await importNotes(page, notesFrom(0, 100)), add900Import: await importNotes(page, notesFrom(100, 900)) };
    await context.close();
  }

  // 2. A fresh profile: 100 notes in one import, then 900 more; sizes and offline start with 1,000.
  // Encoding runs on every core (the app's default).
  result.encoders = Math.min(4, cpus().length);
  {
    const dir = profile();
    const context = await launch(dir);
    const page = context.pages()[0] ?? (await context.newPage());
    net.blocked = false;
    await page.goto(url);
    await ready(page);
    await page.waitForSelector('body[data-offline-ready="true"]', { timeout: 600_000 });
    await offline(context, true);
    result.add100Import = await importNotes(page, notesFrom(0, 100));
    result.add900Import = await importNotes(page, notesFrom(100, 900));
    const all = notesFrom(0, 1000);
    result.notes1000 = {
      avgChars: Math.round(all.reduce((s, n) => s + n.text.length, 0) / all.length),
      ...(await page.evaluate(async () => {
        const db = await new Promise((ok, ko) => {
          const r = indexedDB.open('sparrow-notes');
          r.onsuccess = () => ok(r.result);
          r.onerror = () => ko(r.error);
        });
        const get = (store, f) => new Promise((ok) => (db.transaction(store).objectStore(store)[f]().onsuccess = (e) => ok(e.target.result)));
        const notes = await get('notes', 'getAll');
        const snaps = await get('snapshots', 'getAll');
        db.close();
        const est = await navigator.storage.estimate();
        return {
          count: notes.length,
          notesJsonBytes: new TextEncoder().encode(JSON.stringify(notes)).length,
          indexBytes: snaps.reduce((s, r) => s + r.bytes.length, 0),
          snapshots: snaps.length,
          estimateIndexedDbBytes: est.usageDetails?.indexedDB,
          estimateCacheBytes: est.usageDetails?.caches,
          estimateTotalBytes: est.usage,
        };
      })),
    };
    result.queryLatency1000 = await queryLatency(page, REPS);
    result.offlineTti1000 = await offlineTti(context, page);
    await context.close();
    const du = (p) => Number(execFileSync('du', ['-sb', p], { encoding: 'utf8' }).split('\t')[0]);
    const idbDir = join(dir, 'Default/IndexedDB');
    result.notes1000.onDiskIndexedDbDirBytes = du(idbDir);
    result.notes1000.onDiskListing = execFileSync('du', ['-ab', idbDir], { encoding: 'utf8' }).trim().split('\n').slice(-6);
  }
} finally {
  await new Promise((ok) => server.close(ok));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

console.log(JSON.stringify(result, null, 2));
if (flag('--json')) writeFileSync(flag('--json'), JSON.stringify(result, null, 2) + '\n');
