// The offline notes PWA (www/pwa/) in a real Chromium: it caches itself on the first visit and
// then works with no network at all (the browser is offline and the server is stopped); notes
// persist in IndexedDB across reloads, are found by meaning, and deletions stick; a corrupted
// stored index is rebuilt from the stored notes with a visible notice; user text is escaped;
// edit, .md import and export/import work; a full disk is reported, never fatal; two tabs edit at
// once.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, launchChromium, launchPersistent, pkgDir, root, run, serveDir } from '../helpers.mjs';

const OTHERS = [
  { title: 'Why Earth has seasons', text: "The tilt of Earth's rotational axis relative to its orbital plane means each hemisphere leans toward the Sun for part of the year and away from it for the rest." },
  { title: 'Tides', text: 'The gravitational pull of the Moon and, to a lesser degree, the Sun raises two bulges in the oceans, and coastlines see the water rise and fall twice a day.' },
  { title: 'Roaring bitmaps', text: 'Roaring bitmaps store sets of 32-bit integers in chunks, choosing arrays, bitsets or runs per chunk, which keeps set operations fast and compact.' },
  { title: 'Sourdough', text: 'Bread leavened by wild yeast and lactobacilli living in a fermented starter of flour and water.' },
];
const VACCINE = { title: 'How vaccines work', text: 'A vaccine trains the immune system with a harmless piece or copy of a pathogen, so antibodies and memory cells are ready before a real infection.' };
const VACCINE_QUERY = 'shots that prevent illness';
const LEAVES = { title: 'Photosynthesis', text: 'Plants capture light with chlorophyll and use its energy to turn carbon dioxide and water into glucose, releasing oxygen.' };
const LEAVES_QUERY = 'how do leaves make food';

const words = (s) => new Set(s.toLowerCase().match(/[a-z0-9]+/g));

before(() => {
  pkgDir(); // fails (not skips) when pkg/ is missing
  run(process.execPath, [join(root, 'www/node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: join(root, 'www') });
});

async function open(t) {
  pkgDir();
  const server = await serveDir(join(root, 'www/dist'));
  const browser = await launchChromium();
  const context = await browser.newContext({ acceptDownloads: true });
  const errors = [];
  context.on('page', (p) => p.on('pageerror', (e) => errors.push(e.message)));
  t.after(async () => {
    await browser.close();
    await stop(server);
  });
  const page = await context.newPage();
  await page.goto(`${server.url}pwa/`);
  await ready(page);
  return { server, browser, context, page, errors, url: `${server.url}pwa/` };
}

/** Stops the server (idempotent); resolves even if a connection lingers. */
function stop(server) {
  server.stopped ??= Promise.race([server.close(), new Promise((ok) => setTimeout(ok, 2000))]);
  return server.stopped;
}

async function ready(page) {
  await page.waitForSelector('body[data-ready="true"]:not([data-busy])', { timeout: 180_000 });
}

async function addNote(page, { title, text }) {
  await page.fill('#title', title);
  await page.fill('#text', text);
  await page.click('#save');
  await noteListed(page, title);
}

async function noteListed(page, title) {
  await page.waitForFunction((t) => !document.body.dataset.busy && [...document.querySelectorAll('#notes h3')].some((h) => h.textContent === t), title, { timeout: 120_000 });
}

const listedTitles = (page) => page.$$eval('#notes h3', (hs) => hs.map((h) => h.textContent));
const idOf = (page, title) => page.$$eval('#notes li', (lis, t) => lis.find((li) => li.querySelector('h3')?.textContent === t)?.dataset.id, title);

/** Runs a query (mode: hybrid, lexical or sparse); returns the hits as [{ id, title, lexicalTerms, sparseTerms }]. */
async function search(page, query, mode = 'hybrid') {
  await page.check(`input[name=mode][value=${mode}]`);
  await page.fill('#q', '');
  await page.waitForSelector('#results[data-query=""]', { state: 'attached' });
  await page.fill('#q', query);
  await page.press('#q', 'Enter');
  await page.waitForFunction((q) => document.querySelector('#results')?.dataset.query === q, query);
  return page.$$eval('#results li', (lis) =>
    lis.map((li) => ({ id: li.dataset.id, title: li.querySelector('h3')?.textContent, lexicalTerms: Number(li.dataset.lexicalTerms), sparseTerms: Number(li.dataset.sparseTerms) })),
  );
}

test('pwa: works offline after the first visit; a note is found by meaning, survives reloads, and stays deleted', async (t) => {
  const { server, context, page, errors, url } = await open(t);
  await page.waitForSelector('body[data-offline-ready="true"]', { timeout: 180_000 });
  assert.equal((await page.textContent('#offline-status'))?.trim(), 'Ready to work offline');
  // The package ships its full module twice; Chromium has relaxed-SIMD, so the service worker
  // caches that build only, and the app works offline on it below.
  const cached = await page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
    return urls.filter((u) => u.endsWith('.wasm')).map((u) => u.split('/').pop());
  });
  assert.ok(cached.some((u) => u.startsWith('sparrow_wasm_relaxed_bg-')), `relaxed-SIMD build cached: ${cached}`);
  assert.ok(!cached.some((u) => u.startsWith('sparrow_wasm_bg-')), `simd128 build not cached: ${cached}`);
  for (const note of OTHERS) await addNote(page, note);

  // No network from here on: the browser is offline and the server is gone.
  await context.setOffline(true);
  await stop(server);
  const failed = [];
  context.on('requestfailed', (r) => failed.push(r.url()));
  await page.reload();
  await ready(page);
  assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is served by the service worker');
  assert.match(await page.textContent('#net'), /Offline/);
  assert.deepEqual((await listedTitles(page)).sort(), OTHERS.map((n) => n.title).sort());

  await addNote(page, VACCINE);
  const id = await idOf(page, VACCINE.title);
  assert.ok(id);
  const shared = [...words(VACCINE_QUERY)].filter((w) => words(`${VACCINE.title} ${VACCINE.text}`).has(w));
  assert.deepEqual(shared, [], 'the query shares no word with the note');
  let hits = await search(page, VACCINE_QUERY);
  assert.equal(hits[0]?.id, id, `"${VACCINE_QUERY}" finds the vaccine note first: ${JSON.stringify(hits)}`);
  assert.equal(hits[0].lexicalTerms, 0, 'no keyword matched');
  assert.ok(hits[0].sparseTerms > 0, 'matched through expansion terms');
  assert.match(await page.textContent('#results li:first-child'), /meaning:/);
  // Without query expansion the model does not run on the query (a lookup query): the note is
  // still found through its own expansion, which carries "shot".
  await page.setChecked('#expand', false);
  hits = await search(page, 'flu shot');
  assert.equal(hits[0]?.id, id, `a lookup query finds the vaccine note: ${JSON.stringify(hits)}`);
  assert.equal(hits[0].lexicalTerms, 0, 'no keyword matched');
  assert.ok(hits[0].sparseTerms > 0, 'matched through the note\'s expansion terms');
  const last = await page.evaluate(() => window.__sparrowNotes.ops.findLast((o) => o.op === 'search'));
  assert.equal(last.encoder, 'lookup', 'the query was not expanded');
  await page.setChecked('#expand', true);

  await page.reload();
  await ready(page);
  hits = await search(page, VACCINE_QUERY);
  assert.equal(hits[0]?.id, id, 'still found after an offline reload');
  await page.screenshot({ path: join(artifacts, 'pwa-offline.png'), fullPage: true });

  await page.click(`#notes li[data-id="${id}"] button.delete`);
  await page.waitForFunction((i) => !document.body.dataset.busy && !document.querySelector(`#notes li[data-id="${i}"]`), id);
  await page.reload();
  await ready(page);
  assert.ok(!(await listedTitles(page)).includes(VACCINE.title), 'gone after reload');
  hits = await search(page, VACCINE_QUERY);
  assert.ok(!hits.some((h) => h.id === id), 'not found any more');
  assert.equal((await search(page, 'tides'))[0]?.title, 'Tides', 'the other notes are still searchable');
  assert.ok(!failed.some((u) => u.startsWith(url) || u.includes('/assets/')), `nothing the app needs went to the network: ${failed.join(', ')}`);
  assert.deepEqual(errors, []);
});

/** Reads, changes and writes the stored snapshot records from the page. */
function idb(page, action, arg) {
  return page.evaluate(
    async ([action, arg]) => {
      const db = await new Promise((ok, ko) => {
        const r = indexedDB.open('sparrow-notes');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      const p = (r) => new Promise((ok, ko) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => ko(r.error))));
      const tx = db.transaction(['snapshots', 'meta'], 'readwrite');
      const snapshots = tx.objectStore('snapshots');
      const state = await p(tx.objectStore('meta').get('state'));
      let result;
      if (action === 'keys') result = { keys: await p(snapshots.getAllKeys()), current: state.snapshot };
      else {
        const record = await p(snapshots.get(state.snapshot));
        const bytes = new Uint8Array(record.bytes);
        if (action === 'flip') for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 16; i++) bytes[i] ^= 0x5a;
        if (action === 'truncate') record.bytes = bytes.slice(0, bytes.length >> 1);
        else record.bytes = bytes;
        if (action === 'orphan') await p(snapshots.add({ ...record, bytes: new Uint8Array(arg) }));
        else await p(snapshots.put(record, state.snapshot));
        result = bytes.length;
      }
      await new Promise((ok) => (tx.oncomplete = ok));
      db.close();
      return result;
    },
    [action, arg],
  );
}

test('pwa: an unreadable stored index is rebuilt from the stored notes, with a notice', async (t) => {
  const { page, errors } = await open(t);
  const notes = [...OTHERS, VACCINE].map((n, i) => ({ id: `n${i}`, ...n, created: 1, updated: 1 + i }));
  await page.setInputFiles('#import', { name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: 'sparrow-notes', version: 1, notes })) });
  await noteListed(page, VACCINE.title);
  assert.equal(await page.$$eval('.notice', (n) => n.length), 0);

  for (const damage of ['flip', 'truncate']) {
    await idb(page, damage);
    await page.reload();
    await ready(page);
    const notice = await page.textContent('.notice.warning');
    assert.match(notice, /could not be used \(it is unreadable \(INDEX_[A-Z_]+\)\)/, `${damage}: ${notice}`);
    assert.match(notice, /rebuilt from your 5 stored notes/);
    assert.equal((await search(page, VACCINE_QUERY))[0]?.id, 'n4', `${damage}: search works on the rebuilt index`);
    // The rebuilt index was stored: the next start uses it without a notice.
    await page.reload();
    await ready(page);
    assert.equal(await page.$$eval('.notice', (n) => n.length), 0, `${damage}: no notice on the next start`);
    assert.equal((await search(page, VACCINE_QUERY))[0]?.id, 'n4');
  }

  // A write interrupted between "store the new snapshot" and "switch to it" leaves an orphan:
  // it is ignored (the current snapshot is used, no rebuild) and removed.
  await idb(page, 'orphan', [1, 2, 3]);
  assert.equal((await idb(page, 'keys')).keys.length, 2);
  await page.reload();
  await ready(page);
  assert.equal(await page.$$eval('.notice', (n) => n.length), 0);
  const { keys, current } = await idb(page, 'keys');
  assert.deepEqual(keys, [current]);
  assert.equal((await listedTitles(page)).length, 5);
  assert.deepEqual(errors, []);
});

test('pwa: a full disk is shown, never fatal; notes stay listed and exportable; two tabs edit at once', async (t) => {
  const { page, context, url, errors } = await open(t);
  // The site's quota is set to what it uses plus 400 kB, before it writes anything (Chromium
  // ignores a later override for a database it has written to, and drops it on reload).
  const cdp = await context.newCDPSession(page);
  const origin = new URL(url).origin;
  const { usage } = await page.evaluate(() => navigator.storage.estimate());
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 400_000 });
  await addNote(page, OTHERS[0]);
  await addNote(page, OTHERS[1]);
  // The stored index is damaged (the running app does not notice yet).
  await idb(page, 'flip');

  // A 900 kB note does not fit: a clear message, nothing half-saved. The failed change makes the
  // app reload what is stored; the stored index is unreadable, so it is rebuilt from the notes.
  await page.fill('#title', 'Does not fit');
  await page.fill('#text', Array.from({ length: 90_000 }, (_, i) => `w${i % 977}`).join(' ').slice(0, 900_000));
  await page.click('#save');
  await page.waitForFunction(() => /Not saved: .*storage for this site is full/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 120_000 });
  await page.waitForFunction(() => !document.body.dataset.busy);
  assert.match(await page.textContent('.notice.warning'), /rebuilt from your 2 stored notes/);
  const titles = [OTHERS[0].title, OTHERS[1].title].sort();
  assert.deepEqual((await listedTitles(page)).sort(), titles);
  assert.equal(await page.isDisabled('#export'), false, 'export works with a full disk');
  assert.equal((await search(page, 'why is it cold in winter'))[0]?.title, OTHERS[0].title);
  const download = page.waitForEvent('download');
  await page.click('#export');
  const exported = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
  assert.equal(exported.notes.length, 2);

  // Small writes still fit: a second tab and this one add notes at the same moment, and
  // both end with all four (changes are serialised by a Web Lock and broadcast to the other tab).
  const other = await context.newPage();
  await other.goto(url);
  await ready(other);
  await Promise.all([addNote(page, OTHERS[2]), addNote(other, OTHERS[3])]);
  for (const p of [page, other]) {
    await noteListed(p, OTHERS[2].title);
    await noteListed(p, OTHERS[3].title);
    assert.equal((await listedTitles(p)).length, 4);
    assert.equal((await search(p, 'fermented starter dough'))[0]?.title, OTHERS[3].title);
    assert.equal((await search(p, 'compressed integer sets'))[0]?.title, OTHERS[2].title);
  }
  assert.deepEqual(errors, []);
});

test('pwa: start-up with a full disk: the rebuilt index cannot be saved, which is said, and everything works', async () => {
  const server = await serveDir(join(root, 'www/dist'));
  const profile = mkdtempSync(join(tmpdir(), 'sparrow-pwa-profile-'));
  const url = `${server.url}pwa/`;
  try {
    // Session 1: two notes, then the stored index is damaged.
    let context = await launchPersistent(profile);
    let page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await ready(page);
    await addNote(page, OTHERS[0]);
    await addNote(page, OTHERS[1]);
    await idb(page, 'flip');
    await context.close();
    // Session 2 (a browser restart on the same profile), with the site's quota at 1 kB before it
    // loads: start-up rebuilds the index and cannot store it.
    context = await launchPersistent(profile);
    page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(url).origin, quotaSize: 1024 });
    await page.goto(url);
    await ready(page);
    assert.match(await page.textContent('.notice.warning'), /rebuilt from your 2 stored notes/);
    assert.match(await page.textContent('.notice.error'), /rebuilt search index could not be saved: the browser's storage for this site is full.*Search works/);
    assert.deepEqual((await listedTitles(page)).sort(), [OTHERS[0].title, OTHERS[1].title].sort());
    assert.equal(await page.isDisabled('#export'), false);
    assert.equal((await search(page, 'why is it cold in winter'))[0]?.title, OTHERS[0].title);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('pwa: user text is escaped; edit, .md files, export and import', async (t) => {
  const { browser, page, errors, url } = await open(t);
  const evil = { title: '<img src=x onerror="window.__pwned=1">', text: '<script>window.__pwned=2</script> Harbour tide tables, printed for the sailing club.' };
  await addNote(page, evil);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.$$eval('#notes img, #notes script', (n) => n.length), 0);
  assert.ok((await page.textContent('#notes')).includes('<script>window.__pwned=2</script>'));
  const evilId = await idOf(page, evil.title);
  assert.equal((await search(page, 'harbour tide tables'))[0]?.id, evilId);

  // Edit: the new text is found, the old one is not.
  await page.click(`#notes li[data-id="${evilId}"] button.edit`);
  assert.equal(await page.inputValue('#text'), evil.text);
  await page.fill('#title', 'Moon and sea');
  await page.fill('#text', 'The Moon pulls on the oceans and raises the water twice a day.');
  await page.click('#save');
  await noteListed(page, 'Moon and sea');
  assert.equal((await search(page, 'moon oceans'))[0]?.id, evilId);
  assert.ok(!(await search(page, 'harbour sailing club', 'lexical')).some((h) => h.id === evilId), 'the old text is gone from the index');

  // .txt/.md files become notes (title from the first heading, else the file name).
  await page.setInputFiles('#files', [
    { name: 'leaves.md', mimeType: 'text/markdown', buffer: Buffer.from(`# ${LEAVES.title}\n\n${LEAVES.text}\n`) },
    { name: 'Roaring bitmaps.txt', mimeType: 'text/plain', buffer: Buffer.from(OTHERS[2].text) },
  ]);
  await noteListed(page, LEAVES.title);
  await noteListed(page, 'Roaring bitmaps');
  assert.equal((await search(page, LEAVES_QUERY))[0]?.title, LEAVES.title);

  // Export, then import into a fresh browser profile.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.format, 'sparrow-notes');
  assert.deepEqual(exported.notes.map((n) => n.title).sort(), ['Moon and sea', LEAVES.title, 'Roaring bitmaps'].sort());

  const fresh = await browser.newContext();
  const page2 = await fresh.newPage();
  page2.on('pageerror', (e) => errors.push(e.message));
  await page2.goto(url);
  await ready(page2);
  await page2.setInputFiles('#import', { name: 'export.json', mimeType: 'application/json', buffer: readFileSync(await download.path()) });
  await noteListed(page2, LEAVES.title);
  assert.deepEqual((await listedTitles(page2)).sort(), exported.notes.map((n) => n.title).sort());
  assert.equal((await search(page2, LEAVES_QUERY))[0]?.title, LEAVES.title);
  assert.match(await page2.textContent('#storage'), /3 notes/);
  assert.deepEqual(errors, []);
});
