// Changes to the notes: one at a time (also across tabs, with a Web Lock), each saved with the
// index bytes before it is reported done; a failed change goes back to what is stored.
import { hideWork, notice, showWork, status } from './messages';
import { loadFromStorage, persist, rebuiltNotice } from './lifecycle';
import { app, notes, perf, toDoc } from './state';
import type { Note } from './store';
import { toNote, type Draft } from './io';
import { refreshViews, showStorage, stopEditing } from './views';

let chain: Promise<unknown> = Promise.resolve();

export function mutate<T>(label: string, count: number, fn: () => Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    document.body.dataset.busy = 'true';
    const t0 = performance.now();
    try {
      if ((await app.store.generation()) !== app.generation) await resync('Your notes were changed in another tab; reloaded them first.');
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

export async function resync(message?: string): Promise<void> {
  const why = await loadFromStorage((d, t) => showWork('Rebuilding the index', d, t));
  if (why) rebuiltNotice(why);
  else if (message) status(message);
}

export function requestPersistence(): void {
  if (app.persistRequested || !navigator.storage?.persist) return;
  app.persistRequested = true;
  void navigator.storage
    .persisted()
    .then((already) => already || navigator.storage.persist())
    .then((granted) => (app.persistDenied = !granted))
    .finally(() => void showStorage());
}

export async function addNotes(drafts: Draft[], verb: string): Promise<Note[]> {
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
    const engine = app.sparrow!;
    for (const n of list) if (notes.has(n.id)) await engine.removeDocument(n.id);
    showWork(`${verb}: encoding`, 0, list.length);
    await engine.addDocuments(list.map(toDoc), { onProgress: (d, t) => showWork(`${verb}: encoding`, d, t) });
    showWork(`${verb}: saving`, list.length, list.length);
    await persist({ put: list });
    requestPersistence();
    return list;
  });
}

export async function saveEdit(note: Note, draft: Draft): Promise<Note> {
  const next = toNote({ ...draft, id: note.id }, note);
  return mutate('update', 1, async () => {
    showWork('Saving: encoding', 0, 1);
    await app.sparrow!.updateDocument(toDoc(next));
    await persist({ put: [next] });
    requestPersistence();
    return next;
  });
}

export async function deleteNote(note: Note): Promise<void> {
  await mutate('delete', 1, async () => {
    await app.sparrow!.removeDocument(note.id);
    await persist({ del: [note.id] });
  });
  if (app.editing?.id === note.id) stopEditing();
  status(`Deleted “${note.title}”.`, {
    label: 'Undo',
    run: () => void addNotes([note], 'Restoring').then(() => status(`Restored “${note.title}”.`), (e) => status(`Could not restore: ${(e as Error).message}`)),
  });
}

