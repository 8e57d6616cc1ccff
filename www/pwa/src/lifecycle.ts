// The index's life: open it from the stored bytes or rebuild it from the stored notes, save it
// with every change, reload everything stored.
import { SparrowWorker } from 'sparrow-search';
import { notice } from './messages';
import { app, channel, INDEX_CONFIG, MODEL_ID, notes, plural, toDoc } from './state';
import type { Loaded, Note, NoteStore } from './store';
import { renderNotes } from './views';

/**
 * The search worker (and, on machines with cores to spare, the extra workers that encode an
 * import in parallel: `encoders` defaults to the cores less one). A worker that cannot start
 * fails the pending call with `WORKER_FAILED`.
 */
/**
 * Workers encoding an import: every core (at most 4). The package's default leaves one core to
 * the page, but during an import the page only draws a progress bar. `?encoders=N` overrides it
 * (the benchmark compares).
 */
const ENCODERS = ((asked) => (Number.isInteger(asked) && asked >= 1 && asked <= 16 ? asked : Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1))))(
  Number(new URLSearchParams(location.search).get('encoders') ?? NaN),
);

function newWorker(): Worker {
  return new Worker(new URL('./sparrow.worker.ts', import.meta.url), { type: 'module', name: 'sparrow-search' });
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
      const worker = newWorker();
      try {
        const engine = await SparrowWorker.load(snap.bytes, { worker, spawnWorker: newWorker, encoders: ENCODERS });
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
  const worker = newWorker();
  const engine = await SparrowWorker.create({ worker, spawnWorker: newWorker, encoders: ENCODERS, index: INDEX_CONFIG }).catch((e) => {
    worker.terminate();
    throw e;
  });
  if (!list.length) return { engine };
  onProgress(0, list.length);
  await engine.addDocuments(list.map(toDoc), { onProgress });
  return { engine, rebuilt: why };
}

/** Whether `e` says the browser's storage quota for this site is used up. */
export function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; message?: string; inner?: { name?: string } } | undefined;
  return err?.name === 'QuotaExceededError' || err?.inner?.name === 'QuotaExceededError' || /quota/i.test(err?.message ?? '');
}

/** Saves the index bytes together with a change of notes (see store.ts for how). */
export async function persist(change: { put?: Note[]; del?: string[] }): Promise<void> {
  const engine = app.sparrow!;
  if ((await engine.stats()).deleted > 0) await engine.vacuum();
  const bytes = await engine.toBytes();
  const docCount = await engine.size();
  let state: Awaited<ReturnType<NoteStore['commit']>>;
  try {
    state = await app.store.commit({ ...change, bytes, docCount, modelId: MODEL_ID });
  } catch (e) {
    if (!isQuotaError(e)) throw e;
    throw Object.assign(new Error('the browser\'s storage for this site is full (free some space, or export your notes and delete a few); nothing was changed'), { code: 'QUOTA_EXCEEDED', cause: e });
  }
  app.generation = state.generation;
  app.indexBytes = bytes.length;
  for (const n of change.put ?? []) notes.set(n.id, n);
  for (const id of change.del ?? []) notes.delete(id);
  channel?.postMessage({ type: 'changed', generation: app.generation });
}

/** Loads everything stored into memory and a worker (at start, and to resynchronise). */
export async function loadFromStorage(onProgress: (done: number, total: number) => void): Promise<string | undefined> {
  const loaded = await app.store.load();
  if (loaded.orphans.length) await app.store.dropOrphans(loaded.orphans).catch(() => undefined); // an interrupted write
  // The notes first: they are listed and exportable even if the index cannot be opened.
  notes.clear();
  for (const n of loaded.notes) notes.set(n.id, n);
  app.generation = loaded.state.generation;
  renderNotes();
  const opened = await openIndex(loaded, onProgress);
  const old = app.sparrow;
  app.sparrow = opened.engine;
  await old?.terminate();
  app.indexBytes = loaded.snapshot?.bytes instanceof Uint8Array ? loaded.snapshot.bytes.length : 0;
  if (opened.rebuilt) {
    // Store the rebuilt index, so the next start is fast again; a full disk only costs that.
    await persist({}).catch((e) => {
      if ((e as { code?: string }).code !== 'QUOTA_EXCEEDED') throw e;
      notice('error', `The rebuilt search index could not be saved: ${(e as Error).message}. Search works; the index will be rebuilt at the next start.`);
    });
  }
  return opened.rebuilt;
}

export function rebuiltNotice(why: string): void {
  notice('warning', `Your stored search index could not be used (${why}), so it was rebuilt from your ${plural(notes.size, 'stored note')}. No note was lost.`);
}

