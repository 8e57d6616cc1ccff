// Persistence in IndexedDB. The notes are the source of truth; the index bytes are a snapshot
// derived from them, so a lost or unreadable snapshot can always be rebuilt.
//
// Database `sparrow-notes` (schema version 1):
//   notes      keyPath `id`             — { id, title, text, created, updated }
//   snapshots  autoIncrement key        — { bytes, docCount, modelId, savedAt } (index bytes)
//   meta       keyPath `key`, `state`   — { snapshot: key of the current snapshot, generation }
//
// A write never overwrites what is stored: (1) the new snapshot is added under a new key, in its
// own transaction; (2) one transaction applies the note changes, points `state` at the new key
// and deletes the previous snapshot. IndexedDB commits (2) entirely or not at all, so the notes
// and the snapshot pointer always agree; an interruption between (1) and (2) leaves an orphan
// snapshot that is ignored and removed on the next start.

export interface Note {
  id: string;
  title: string;
  text: string;
  /** Creation time, ms since the epoch. */
  created: number;
  /** Last change, ms since the epoch. */
  updated: number;
}

export interface Snapshot {
  key: number;
  bytes: unknown;
  docCount: number;
  modelId: string;
  savedAt: number;
}

export interface State {
  key: 'state';
  snapshot: number | null;
  /** Incremented by every commit; lets a tab see that another tab wrote. */
  generation: number;
}

export interface Loaded {
  notes: Note[];
  state: State;
  /** The snapshot `state` points at, if that record exists. */
  snapshot?: Snapshot;
  /** Snapshot keys nobody points at (an interrupted write). */
  orphans: number[];
}

export interface Change {
  put?: Note[];
  del?: string[];
  bytes: Uint8Array;
  docCount: number;
  modelId: string;
}

const DB_NAME = 'sparrow-notes';
const DB_VERSION = 1;
const EMPTY: State = { key: 'state', snapshot: null, generation: 0 };

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export class NoteStore {
  private constructor(private db: IDBDatabase) {}

  /** Opens (creating or upgrading) the database. `onVersionChange`: another tab upgrades it. */
  static async open(onVersionChange?: () => void): Promise<NoteStore> {
    const open = indexedDB.open(DB_NAME, DB_VERSION);
    open.onupgradeneeded = (ev) => {
      const db = open.result;
      if (ev.oldVersion < 1) {
        db.createObjectStore('notes', { keyPath: 'id' });
        db.createObjectStore('snapshots', { autoIncrement: true });
        db.createObjectStore('meta', { keyPath: 'key' });
      }
    };
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
      open.onblocked = () => reject(new Error('the notes database is blocked by another tab of an older version; close it and reload'));
    });
    db.onversionchange = () => {
      db.close();
      onVersionChange?.();
    };
    return new NoteStore(db);
  }

  /** Everything stored, in one consistent read. */
  async load(): Promise<Loaded> {
    const tx = this.db.transaction(['notes', 'snapshots', 'meta'], 'readonly');
    const [notes, state, keys] = await Promise.all([
      req(tx.objectStore('notes').getAll() as IDBRequest<Note[]>),
      req(tx.objectStore('meta').get('state') as IDBRequest<State | undefined>),
      req(tx.objectStore('snapshots').getAllKeys() as IDBRequest<number[]>),
    ]);
    const current = state ?? EMPTY;
    let snapshot: Snapshot | undefined;
    if (current.snapshot !== null && keys.includes(current.snapshot)) {
      const record = await req(tx.objectStore('snapshots').get(current.snapshot));
      if (record && typeof record === 'object') snapshot = { ...(record as Omit<Snapshot, 'key'>), key: current.snapshot };
    }
    await done(tx);
    notes.sort((a, b) => b.updated - a.updated);
    return { notes, state: current, snapshot, orphans: keys.filter((k) => k !== current.snapshot) };
  }

  /** The current generation (cheap; used before writing to detect another tab's writes). */
  async generation(): Promise<number> {
    const tx = this.db.transaction('meta', 'readonly');
    const state = await req(tx.objectStore('meta').get('state') as IDBRequest<State | undefined>);
    return (state ?? EMPTY).generation;
  }

  /** Deletes snapshots nobody points at. */
  async dropOrphans(keys: number[]): Promise<void> {
    if (!keys.length) return;
    const tx = this.db.transaction(['snapshots', 'meta'], 'readwrite');
    const state = (await req(tx.objectStore('meta').get('state') as IDBRequest<State | undefined>)) ?? EMPTY;
    for (const k of keys) if (k !== state.snapshot) tx.objectStore('snapshots').delete(k);
    await done(tx);
  }

  /** Stores a change: new snapshot first, then the switch (see the top of this file). */
  async commit(change: Change): Promise<State> {
    const tx1 = this.db.transaction('snapshots', 'readwrite');
    const record = { bytes: change.bytes, docCount: change.docCount, modelId: change.modelId, savedAt: Date.now() };
    const key = (await req(tx1.objectStore('snapshots').add(record))) as number;
    await done(tx1);

    const tx2 = this.db.transaction(['notes', 'snapshots', 'meta'], 'readwrite');
    const notes = tx2.objectStore('notes');
    for (const note of change.put ?? []) notes.put(note);
    for (const id of change.del ?? []) notes.delete(id);
    const meta = tx2.objectStore('meta');
    const previous = (await req(meta.get('state') as IDBRequest<State | undefined>)) ?? EMPTY;
    const next: State = { key: 'state', snapshot: key, generation: previous.generation + 1 };
    meta.put(next);
    if (previous.snapshot !== null) tx2.objectStore('snapshots').delete(previous.snapshot);
    try {
      await done(tx2);
    } catch (e) {
      await this.dropOrphans([key]).catch(() => undefined);
      throw e;
    }
    return next;
  }

  close(): void {
    this.db.close();
  }
}
