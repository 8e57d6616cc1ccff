// Sparrow Notes' shared state: the DOM elements, the notes in memory, the search worker and what
// is known of storage. Every other module reads and changes it through `app` and `notes`.
import type { QueryEncoder, SparrowDocument, SparrowWorker } from 'sparrow-search';
import type { NoteStore, Note } from './store';
import { $ } from './ui';

export const MODEL_ID = __SPARROW_NOTES_MODEL_ID__;
/** Notes are kept in IndexedDB, so the index need not store their text a second time. */
export const INDEX_CONFIG = { storeText: false };

/** Timings for the benchmark script (tests/e2e/pwa-bench.mjs). */
export const perf = { ready: NaN, offlineReady: NaN, ops: [] as { op: string; count: number; ms: number; encoder?: QueryEncoder }[] };
(window as unknown as { __sparrowNotes: typeof perf }).__sparrowNotes = perf;

export const els = {
  q: $<HTMLInputElement>('q'),
  searchForm: $<HTMLFormElement>('search'),
  searchStatus: $('search-status'),
  expand: $<HTMLInputElement>('expand'),
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


/** The mutable state the modules share. */
export const app = {
  store: undefined as unknown as NoteStore,
  sparrow: undefined as SparrowWorker | undefined,
  /** The stored generation this tab has loaded (see store.ts). */
  generation: 0,
  indexBytes: 0,
  editing: undefined as Note | undefined,
  persistRequested: false,
  persistDenied: false,
};
export const notes = new Map<string, Note>();
export const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('sparrow-notes') : undefined;

export const toDoc = (n: Note): SparrowDocument => ({ id: n.id, title: n.title, text: n.text });
export const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
