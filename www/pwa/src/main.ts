// Sparrow Notes: an offline PWA. Notes live in IndexedDB (store.ts); the search index lives in a
// Web Worker (the `sparrow-search` package) and is saved as bytes after every change; the service
// worker (sw.js) keeps the whole app, model included, available with no network.
import { exportCollection, noteFromFile, parseCollection } from './io';
import { loadFromStorage, rebuiltNotice } from './lifecycle';
import { bootStep, notice, status } from './messages';
import { addNotes, mutate, saveEdit } from './mutations';
import { setupOffline } from './offline';
import { app, channel, els, notes, perf, plural } from './state';
import { NoteStore } from './store';
import { formatBytes, h } from './ui';
import { renderNotes, runSearch, scheduleSearch, showStorage, stopEditing } from './views';
import './style.css';
//
// The app is split by job: state.ts (shared state), messages.ts, lifecycle.ts (open, save and
// reload the index), mutations.ts (changes, one at a time), views.ts (what is shown); this file
// wires the page's events and starts the app.

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
  els.q.addEventListener('input', scheduleSearch);
  document.querySelectorAll('input[name=mode]').forEach((el) => el.addEventListener('change', () => void runSearch()));
  els.expand.addEventListener('change', () => void runSearch());

  els.editor.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const draft = { title: els.title.value, text: els.text.value };
    els.save.disabled = true;
    try {
      if (app.editing) {
        const next = await saveEdit(app.editing, draft);
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
    if (ev.key === 'Escape' && app.editing) stopEditing();
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
    if (!document.body.dataset.ready || (ev.data as { generation?: number })?.generation === app.generation) return;
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
  app.store = await storeReady;
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
