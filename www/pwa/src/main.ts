// Sparrow Notes: an offline PWA. Notes live in IndexedDB (store.ts); the search index lives in a
// Web Worker (the `sparrow-search` package) and is saved as bytes after every change; the service
// worker (sw.js) keeps the whole app, model included, available with no network.
import { highlightTerms, SparrowWorker, type SearchHit, type SearchMode, type SparrowDocument } from 'sparrow-search';
import { exportCollection, noteFromFile, parseCollection, toNote, utf8Length, type Draft } from './io';
import { setupOffline } from './offline';
import { NoteStore, type Loaded, type Note } from './store';
import { $, formatBytes, formatDate, h, snippetNodes } from './ui';
import './style.css';

const MODEL_ID = __SPARROW_NOTES_MODEL_ID__;
/** Notes are kept in IndexedDB, so the index need not store their text a second time. */
const INDEX_CONFIG = { storeText: false };

/** Timings for the benchmark script (tests/e2e/pwa-bench.mjs). */
const perf = { ready: NaN, offlineReady: NaN, ops: [] as { op: string; count: number; ms: number }[] };
(window as unknown as { __sparrowNotes: typeof perf }).__sparrowNotes = perf;

const els = {
  q: $<HTMLInputElement>('q'),
  searchForm: $<HTMLFormElement>('search'),
  searchStatus: $('search-status'),
  results: $<HTMLOListElement>('results'),
  editor: $<HTMLFormElement>('editor'),
  editorH: $('editor-h'),
  title: $<HTMLInputElement>('title'),
  text: $<HTMLTextAreaElement>('text'),
  save: $<HTMLButtonElement>('save'),
  cancelEdit: $<HTMLButtonElement>('cancel-edit'),
  files: $<HTMLInputElement>('files'),
  work: $('work'),
  workLabel: $('work-label'),
  workProgress: $<HTMLProgressElement>('work-progress'),
  status: $('status'),
  notes: $<HTMLUListElement>('notes'),
  count: $('count'),
  storage: $('storage'),
  persist: $('persist'),
  exportBtn: $<HTMLButtonElement>('export'),
  importInput: $<HTMLInputElement>('import'),
  notices: $('notices'),
  boot: $('boot'),
  bootText: $('boot-text'),
  bootProgress: $<HTMLProgressElement>('boot-progress'),
  net: $('net'),
  offline: $('offline-status'),
  update: $('update'),
  updateBtn: $<HTMLButtonElement>('update-btn'),
};

// ---------------------------------------------------------------------------------------------
// State

let store: NoteStore;
let sparrow: SparrowWorker | undefined;
const notes = new Map<string, Note>();
let generation = 0;
let indexBytes = 0;
let editing: Note | undefined;
let persistRequested = false;
let persistDenied = false;
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('sparrow-notes') : undefined;

const toDoc = (n: Note): SparrowDocument => ({ id: n.id, title: n.title, text: n.text });
const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;

// ---------------------------------------------------------------------------------------------
// Messages

function notice(kind: 'warning' | 'error' | 'info', message: string, action?: { label: string; run: () => void }): void {
  const box = h('div', { class: `notice ${kind}`, role: kind === 'info' ? 'status' : 'alert', 'data-kind': kind });
  const close = h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss this message', onclick: () => box.remove() }, 'Dismiss');
  box.append(h('p', {}, message), h('div', { class: 'row' }, action ? h('button', { type: 'button', onclick: action.run }, action.label) : null, close));
  els.notices.append(box);
}

function status(message: string, action?: { label: string; run: () => void }): void {
  els.status.replaceChildren(message, action ? ' ' : '', action ? h('button', { type: 'button', class: 'link', onclick: action.run }, action.label) : '');
}

function showWork(label: string, done: number, total: number): void {
  els.work.hidden = false;
  els.workLabel.textContent = total > 1 ? `${label} ${done.toLocaleString()} / ${total.toLocaleString()}…` : `${label}…`;
  els.workProgress.max = Math.max(total, 1);
  els.workProgress.value = done;
}

function hideWork(): void {
  els.work.hidden = true;
}

function bootStep(text: string, done?: number, total?: number): void {
  els.bootText.textContent = text;
  if (done === undefined || total === undefined) els.bootProgress.removeAttribute('value');
  else {
    els.bootProgress.max = Math.max(total, 1);
    els.bootProgress.value = done;
  }
}

// ---------------------------------------------------------------------------------------------
// The index: restore from the stored bytes, or rebuild it from the stored notes

/**
 * Starts the search worker. `failed` rejects if its script cannot load (SparrowWorker does not
 * watch the worker's `error` event, so without this a worker that never starts hangs forever).
 */
function spawnWorker(): { worker: Worker; failed: Promise<never> } {
  const worker = new Worker(new URL('./sparrow.worker.ts', import.meta.url), { type: 'module', name: 'sparrow-search' });
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener(
      'error',
      (ev) => {
        const detail = (ev as ErrorEvent).message ? `: ${(ev as ErrorEvent).message}` : '';
        reject(Object.assign(new Error(`the search worker could not start${detail}`), { code: 'WORKER_FAILED' }));
      },
      { once: true },
    );
  });
  failed.catch(() => undefined);
  return { worker, failed };
}

interface Opened {
  engine: SparrowWorker;
  /** Why the stored index could not be used and was rebuilt (undefined: it was used as is). */
  rebuilt?: string;
}

async function openIndex(loaded: Loaded, onProgress: (done: number, total: number) => void): Promise<Opened> {
  const list = loaded.notes;
  const snap = loaded.snapshot;
  let why: string | undefined;
  if (snap && list.length) {
    if (snap.modelId !== MODEL_ID) why = 'it was built with another version of the search model';
    else if (!(snap.bytes instanceof Uint8Array)) why = 'its bytes are missing';
    else {
      const { worker, failed } = spawnWorker();
      try {
        const engine = await Promise.race([SparrowWorker.load(snap.bytes, { worker }), failed]);
        const size = await engine.size();
        if (size === list.length) return { engine };
        why = `it holds ${size} notes where ${list.length} are stored`;
        await engine.terminate();
      } catch (e) {
        worker.terminate();
        const code = String((e as { code?: unknown }).code ?? '');
        // A worker that cannot start cannot rebuild either; anything else about the stored bytes
        // (an INDEX_* code, or any other error) is a reason to rebuild from the notes, never to
        // keep the user from them.
        if (code === 'WORKER_FAILED') throw e;
        why = `it is unreadable (${code || (e as Error).message})`;
      }
    }
  } else if (list.length) {
    why = 'it is missing';
  }
  const { worker, failed } = spawnWorker();
  const engine = await Promise.race([SparrowWorker.create({ worker, index: INDEX_CONFIG }), failed]).catch((e) => {
    worker.terminate();
    throw e;
  });
  if (!list.length) return { engine };
  onProgress(0, list.length);
  await engine.addDocuments(list.map(toDoc), { onProgress });
  return { engine, rebuilt: why };
}

/** Whether `e` says the browser's storage quota for this site is used up. */
function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; message?: string; inner?: { name?: string } } | undefined;
  return err?.name === 'QuotaExceededError' || err?.inner?.name === 'QuotaExceededError' || /quota/i.test(err?.message ?? '');
}

/** Saves the index bytes together with a change of notes (see store.ts for how). */
async function persist(change: { put?: Note[]; del?: string[] }): Promise<void> {
  const engine = sparrow!;
  if ((await engine.stats()).deleted > 0) await engine.vacuum();
  const bytes = await engine.toBytes();
  const docCount = await engine.size();
  let state: Awaited<ReturnType<NoteStore['commit']>>;
  try {
    state = await store.commit({ ...change, bytes, docCount, modelId: MODEL_ID });
  } catch (e) {
    if (!isQuotaError(e)) throw e;
    throw Object.assign(new Error('the browser\'s storage for this site is full (free some space, or export your notes and delete a few); nothing was changed'), { code: 'QUOTA_EXCEEDED', cause: e });
  }
  generation = state.generation;
  indexBytes = bytes.length;
  for (const n of change.put ?? []) notes.set(n.id, n);
  for (const id of change.del ?? []) notes.delete(id);
  channel?.postMessage({ type: 'changed', generation });
}

/** Loads everything stored into memory and a worker (at start, and to resynchronise). */
async function loadFromStorage(onProgress: (done: number, total: number) => void): Promise<string | undefined> {
  const loaded = await store.load();
  if (loaded.orphans.length) await store.dropOrphans(loaded.orphans).catch(() => undefined); // an interrupted write
  // The notes first: they are listed and exportable even if the index cannot be opened.
  notes.clear();
  for (const n of loaded.notes) notes.set(n.id, n);
  generation = loaded.state.generation;
  renderNotes();
  const opened = await openIndex(loaded, onProgress);
  const old = sparrow;
  sparrow = opened.engine;
  await old?.terminate();
  indexBytes = loaded.snapshot?.bytes instanceof Uint8Array ? loaded.snapshot.bytes.length : 0;
  if (opened.rebuilt) {
    // Store the rebuilt index, so the next start is fast again; a full disk only costs that.
    await persist({}).catch((e) => {
      if ((e as { code?: string }).code !== 'QUOTA_EXCEEDED') throw e;
      notice('error', `The rebuilt search index could not be saved: ${(e as Error).message}. Search works; the index will be rebuilt at the next start.`);
    });
  }
  return opened.rebuilt;
}

function rebuiltNotice(why: string): void {
  notice('warning', `Your stored search index could not be used (${why}), so it was rebuilt from your ${plural(notes.size, 'stored note')}. No note was lost.`);
}

// ---------------------------------------------------------------------------------------------
// Changes: one at a time (also across tabs), each saved before it is reported done

let chain: Promise<unknown> = Promise.resolve();

function mutate<T>(label: string, count: number, fn: () => Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    document.body.dataset.busy = 'true';
    const t0 = performance.now();
    try {
      if ((await store.generation()) !== generation) await resync('Your notes were changed in another tab; reloaded them first.');
      const result = await fn();
      if (count) perf.ops.push({ op: label, count, ms: performance.now() - t0 });
      return result;
    } catch (e) {
      // The worker may hold a change that was not saved: go back to what is stored.
      await resync().catch((e2) => notice('error', `Could not reload your notes: ${(e2 as Error).message}`));
      throw e;
    } finally {
      hideWork();
      delete document.body.dataset.busy;
      void refreshViews();
    }
  };
  const locked = (): Promise<T> => (navigator.locks ? (navigator.locks.request('sparrow-notes-write', run) as Promise<T>) : run());
  const result = chain.then(locked, locked);
  chain = result.catch(() => undefined);
  return result;
}

async function resync(message?: string): Promise<void> {
  const why = await loadFromStorage((d, t) => showWork('Rebuilding the index', d, t));
  if (why) rebuiltNotice(why);
  else if (message) status(message);
}

function requestPersistence(): void {
  if (persistRequested || !navigator.storage?.persist) return;
  persistRequested = true;
  void navigator.storage
    .persisted()
    .then((already) => already || navigator.storage.persist())
    .then((granted) => (persistDenied = !granted))
    .finally(() => void showStorage());
}

async function addNotes(drafts: Draft[], verb: string): Promise<Note[]> {
  const now = Date.now();
  // Later duplicates (same id) win; ids that exist are replaced.
  const byId = new Map<string, Note>();
  for (const d of drafts) {
    const note = toNote(d, d.id ? notes.get(d.id) : undefined, now);
    byId.set(note.id, note);
  }
  const list = [...byId.values()];
  if (!list.length) throw new Error('nothing to add');
  return mutate('add', list.length, async () => {
    const engine = sparrow!;
    for (const n of list) if (notes.has(n.id)) await engine.removeDocument(n.id);
    showWork(`${verb}: encoding`, 0, list.length);
    await engine.addDocuments(list.map(toDoc), { onProgress: (d, t) => showWork(`${verb}: encoding`, d, t) });
    showWork(`${verb}: saving`, list.length, list.length);
    await persist({ put: list });
    requestPersistence();
    return list;
  });
}

async function saveEdit(note: Note, draft: Draft): Promise<Note> {
  const next = toNote({ ...draft, id: note.id }, note);
  return mutate('update', 1, async () => {
    showWork('Saving: encoding', 0, 1);
    await sparrow!.updateDocument(toDoc(next));
    await persist({ put: [next] });
    requestPersistence();
    return next;
  });
}

async function deleteNote(note: Note): Promise<void> {
  await mutate('delete', 1, async () => {
    await sparrow!.removeDocument(note.id);
    await persist({ del: [note.id] });
  });
  if (editing?.id === note.id) stopEditing();
  status(`Deleted “${note.title}”.`, {
    label: 'Undo',
    run: () => void addNotes([note], 'Restoring').then(() => status(`Restored “${note.title}”.`), (e) => status(`Could not restore: ${(e as Error).message}`)),
  });
}

// ---------------------------------------------------------------------------------------------
// Views

async function refreshViews(): Promise<void> {
  renderNotes();
  await runSearch();
  await showStorage();
}

function renderNotes(): void {
  const sorted = [...notes.values()].sort((a, b) => b.updated - a.updated);
  els.count.textContent = `(${sorted.length.toLocaleString()})`;
  els.exportBtn.disabled = !notes.size; // export needs only the stored notes, never the index
  if (!sorted.length) {
    els.notes.replaceChildren(h('li', { class: 'empty' }, 'No notes yet. Write one above, paste some text, or add .txt/.md files — then search them by meaning.'));
    return;
  }
  els.notes.replaceChildren(
    ...sorted.map((n) =>
      h(
        'li',
        { 'data-id': n.id },
        h('h3', {}, n.title),
        h('p', { class: 'snippet' }, snippetNodes(n.text, { exact: new Set(), prefixes: [] }, 180)),
        h(
          'div',
          { class: 'meta row' },
          h('span', {}, `${formatDate(n.updated)} · ${plural(n.text.split(/\s+/).filter(Boolean).length, 'word')}`),
          h('span', { class: 'spacer' }),
          h('button', { type: 'button', class: 'edit', 'aria-label': `Edit “${n.title}”`, onclick: () => startEditing(n) }, 'Edit'),
          h('button', { type: 'button', class: 'delete', 'aria-label': `Delete “${n.title}”`, onclick: () => void deleteNote(n).catch((e) => status(`Could not delete: ${(e as Error).message}`)) }, 'Delete'),
        ),
      ),
    ),
  );
}

function renderHits(hits: SearchHit[], query: string): void {
  els.results.replaceChildren(
    ...hits.map((hit) => {
      const note = notes.get(hit.id);
      const lexical = hit.explanation?.lexical ?? [];
      const sparse = [...(hit.explanation?.sparse ?? [])].sort((a, b) => b.product - a.product).slice(0, 8);
      const terms = highlightTerms(query, hit);
      return h(
        'li',
        { 'data-id': hit.id, 'data-lexical-terms': lexical.length, 'data-sparse-terms': hit.explanation?.sparse.length ?? 0 },
        h('h3', {}, note?.title ?? hit.title ?? hit.id),
        note ? h('p', { class: 'snippet' }, snippetNodes(note.text, terms)) : null,
        h(
          'p',
          { class: 'why' },
          lexical.length ? h('span', { class: 'terms' }, 'keywords: ', ...lexical.map((t) => h('span', { class: 'chip', title: `BM25 ${t.score.toFixed(2)}` }, t.term))) : null,
          sparse.length
            ? h('span', { class: 'terms' }, 'meaning: ', ...sparse.map((t) => h('span', { class: 'chip meaning', title: `${t.queryWeight.toFixed(2)} × ${t.docWeight.toFixed(2)}` }, t.term ?? `#${t.termId}`)))
            : null,
        ),
        h(
          'p',
          { class: 'score' },
          `score ${hit.score.toFixed(4)} · keyword rank ${hit.lexicalRank ?? '–'} · meaning rank ${hit.sparseRank ?? '–'}`,
          note ? h('button', { type: 'button', class: 'link', 'aria-label': `Edit “${note.title}”`, onclick: () => startEditing(note) }, 'Edit') : null,
        ),
      );
    }),
  );
}

let searchSeq = 0;
let searchTimer: number | undefined;

async function runSearch(): Promise<void> {
  const mine = ++searchSeq;
  const query = els.q.value.trim();
  if (!query || !sparrow) {
    els.results.replaceChildren();
    els.results.dataset.query = '';
    els.searchStatus.textContent = '';
    return;
  }
  const mode = (document.querySelector('input[name=mode]:checked') as HTMLInputElement).value as SearchMode;
  const t0 = performance.now();
  let hits: SearchHit[];
  try {
    hits = await sparrow.search(query, { mode, limit: 10, explain: true });
  } catch (e) {
    if (mine === searchSeq && (e as { code?: string }).code !== 'TERMINATED') els.searchStatus.textContent = `Search failed: ${(e as Error).message}`;
    return;
  }
  if (mine !== searchSeq) return; // a newer query was typed meanwhile
  renderHits(hits, query);
  els.results.dataset.query = query;
  const ms = (performance.now() - t0).toFixed(0);
  els.searchStatus.textContent = hits.length ? `${plural(hits.length, 'result')} in ${ms} ms.` : notes.size ? 'No matching note.' : 'No notes to search yet.';
}

async function showStorage(): Promise<void> {
  const textBytes = [...notes.values()].reduce((s, n) => s + utf8Length(n.title) + utf8Length(n.text), 0);
  const parts = [`${plural(notes.size, 'note')}: ${formatBytes(textBytes)} of text and a ${formatBytes(indexBytes)} search index.`];
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  if (estimate?.usage !== undefined) {
    parts.push(`This app uses ${formatBytes(estimate.usage)} of the ${formatBytes(estimate.quota)} the browser allows it, including the offline copy of the app and its model.`);
  }
  els.storage.textContent = parts.join(' ');
  const persisted = await navigator.storage?.persisted?.().catch(() => false);
  els.persist.dataset.persisted = String(!!persisted);
  els.persist.textContent = persisted
    ? 'Storage is persistent: the browser will not clear your notes to free space.'
    : `Storage is not persistent${persistDenied ? ' (the browser declined for now; browsers grant it to sites you use often or install)' : ' yet (it is requested when you add or change a note)'}: under storage pressure the browser may clear it. Export a copy now and then.`;
}

function startEditing(note: Note): void {
  editing = note;
  els.editorH.textContent = 'Edit note';
  els.title.value = note.title;
  els.text.value = note.text;
  els.save.textContent = 'Save changes';
  els.cancelEdit.hidden = false;
  els.editor.dataset.editing = note.id;
  els.title.focus();
}

function stopEditing(): void {
  editing = undefined;
  els.editorH.textContent = 'Add a note';
  els.editor.reset();
  els.save.textContent = 'Add note';
  els.cancelEdit.hidden = true;
  delete els.editor.dataset.editing;
}

// ---------------------------------------------------------------------------------------------
// Wiring

function enable(on: boolean): void {
  for (const el of [els.q, els.save, els.files, els.importInput]) el.disabled = !on;
}

function setupNetworkBadge(): void {
  const show = () => {
    els.net.textContent = navigator.onLine ? 'Online' : 'Offline — everything still works';
    els.net.dataset.online = String(navigator.onLine);
  };
  addEventListener('online', show);
  addEventListener('offline', show);
  show();
}

async function readFiles(files: FileList | null): Promise<{ name: string; text: string }[]> {
  return Promise.all([...(files ?? [])].map(async (f) => ({ name: f.name, text: await f.text() })));
}

function wire(): void {
  els.searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void runSearch();
  });
  els.q.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => void runSearch(), 120);
  });
  document.querySelectorAll('input[name=mode]').forEach((el) => el.addEventListener('change', () => void runSearch()));

  els.editor.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const draft = { title: els.title.value, text: els.text.value };
    els.save.disabled = true;
    try {
      if (editing) {
        const next = await saveEdit(editing, draft);
        stopEditing();
        status(`Saved “${next.title}”.`);
      } else {
        const [note] = await addNotes([draft], 'Adding');
        els.editor.reset();
        status(`Added “${note!.title}”. It is searchable now.`);
      }
    } catch (e) {
      status(`Not saved: ${(e as Error).message}`);
    } finally {
      els.save.disabled = false;
    }
  });
  els.cancelEdit.addEventListener('click', stopEditing);
  els.editor.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && editing) stopEditing();
  });

  els.files.addEventListener('change', async () => {
    try {
      const files = await readFiles(els.files.files);
      if (!files.length) return;
      const added = await addNotes(files.map((f) => noteFromFile(f.name, f.text)), 'Adding files');
      status(`Added ${plural(added.length, 'note')} from files.`);
    } catch (e) {
      status(`Files not added: ${(e as Error).message}`);
    } finally {
      els.files.value = '';
    }
  });

  els.exportBtn.addEventListener('click', () => {
    const url = URL.createObjectURL(exportCollection([...notes.values()].sort((a, b) => a.created - b.created)));
    const a = h('a', { href: url, download: `sparrow-notes-${new Date().toISOString().slice(0, 10)}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status(`Exported ${plural(notes.size, 'note')}.`);
  });

  els.importInput.addEventListener('change', async () => {
    try {
      const [file] = await readFiles(els.importInput.files);
      if (!file) return;
      const drafts = parseCollection(file.text);
      const replaced = drafts.filter((d) => d.id && notes.has(d.id)).length;
      const added = await addNotes(drafts, 'Importing');
      status(`Imported ${plural(added.length, 'note')}${replaced ? ` (${replaced} replaced notes with the same id)` : ''}.`);
    } catch (e) {
      status(`Import failed: ${(e as Error).message}`);
    } finally {
      els.importInput.value = '';
    }
  });

  channel?.addEventListener('message', (ev: MessageEvent) => {
    if (!document.body.dataset.ready || (ev.data as { generation?: number })?.generation === generation) return;
    void mutate('sync', 0, async () => undefined).catch(() => undefined); // mutate() reloads when behind
  });
}

async function main(): Promise<void> {
  setupNetworkBadge();
  wire();
  enable(false);
  const storeReady = NoteStore.open(() => notice('warning', 'The notes database was upgraded by another tab. Reload this page.', { label: 'Reload', run: () => location.reload() }));

  bootStep('Preparing offline use…');
  await setupOffline({
    progress(done, total, bytes, totalBytes) {
      const pct = Math.round((bytes / Math.max(totalBytes, 1)) * 100);
      els.offline.textContent = `Saving the app for offline use: ${pct}%`;
      bootStep(`Downloading the app and its search model for offline use: ${formatBytes(bytes)} of ${formatBytes(totalBytes)} (${done}/${total} files)…`, bytes, totalBytes);
    },
    ready() {
      els.offline.textContent = 'Ready to work offline';
      els.offline.dataset.state = 'ready';
      document.body.dataset.offlineReady = 'true';
      perf.offlineReady = performance.now();
    },
    unavailable(reason) {
      els.offline.textContent = 'Not available offline';
      els.offline.dataset.state = 'unavailable';
      els.offline.title = reason;
    },
    updateReady(apply) {
      els.update.hidden = false;
      els.updateBtn.onclick = apply;
    },
  });

  bootStep('Opening your notes…');
  store = await storeReady;
  bootStep('Loading the search model…');
  const why = await loadFromStorage((done, total) => bootStep(`Rebuilding the search index: ${done.toLocaleString()} / ${total.toLocaleString()} notes…`, done, total));
  if (why) rebuiltNotice(why);

  els.boot.hidden = true;
  enable(true);
  renderNotes();
  await showStorage();
  document.body.dataset.ready = 'true';
  perf.ready = performance.now();
  els.searchStatus.textContent = notes.size ? `${plural(notes.size, 'note')} ready to search.` : '';
  await runSearch(); // the browser may have restored a query into the field
}

main().catch((e) => {
  const code = (e as { code?: string }).code;
  bootStep('Could not start.');
  notice('error', `Sparrow Notes could not start: ${(e as Error).message}${code ? ` (${code})` : ''}. Your stored notes are untouched.`, { label: 'Try again', run: () => location.reload() });
  document.body.dataset.failed = 'true';
});
