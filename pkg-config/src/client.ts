/**
 * `SparrowWorker`: the same API as {@link Sparrow}, asynchronous, with the index and the model in
 * a Web Worker (or a node `worker_threads` worker). Use it in pages: encoding documents and
 * queries then never blocks rendering or input.
 * @module
 */
import { SparrowError } from './errors.js';
import type { Request, Response } from './protocol.js';
import type {
  AddReport,
  BytesSource,
  DocumentExpansion,
  ExpansionTerm,
  IndexStats,
  ModelInfo,
  ModelSource,
  SearchHit,
  SearchOptions,
  SparrowDocument,
  SparrowOptions,
} from './types.js';
import type { AddDocumentsOptions } from './sparrow.js';
import type { SiteLoad } from './site.js';

/** The minimal worker surface we need: browsers' `Worker` and node's `worker_threads.Worker` both fit. */
export type WorkerLike =
  | { postMessage(m: unknown, transfer?: Transferable[]): void; addEventListener(t: 'message', f: (ev: MessageEvent) => void): void; terminate(): unknown }
  | { postMessage(m: unknown, transfer?: unknown[]): void; on(t: 'message', f: (m: unknown) => void): void; terminate(): unknown };

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (done: number, total: number) => void;
}

declare const process: { versions?: { node?: string } } | undefined;

/** Spawns the package's worker script in this environment. */
async function spawnDefaultWorker(): Promise<WorkerLike> {
  // Written inline so bundlers (Vite, webpack 5) see the worker and bundle it.
  if (typeof Worker !== 'undefined') return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  if (typeof process !== 'undefined' && process?.versions?.node) {
    const threads = 'node:worker_threads';
    const { Worker: NodeWorker } = await import(/* @vite-ignore */ threads);
    return new NodeWorker(new URL('./worker.js', import.meta.url)) as WorkerLike;
  }
  throw new SparrowError('NO_WORKER', 'this environment has no Worker; use Sparrow instead of SparrowWorker');
}

/** Options of {@link SparrowWorker.create}. */
export interface SparrowWorkerOptions extends SparrowOptions {
  /** A worker running `sparrow-search/worker` (default: spawned from the package). */
  worker?: WorkerLike;
}

/** An index living in a worker; every method returns a promise. */
export class SparrowWorker {
  #worker: WorkerLike;
  #next = 1;
  #pending = new Map<number, Pending>();

  private constructor(worker: WorkerLike) {
    this.#worker = worker;
    const onMessage = (m: Response) => this.#receive(m);
    // A worker that fails to load or crashes rejects every pending call instead of hanging.
    const onError = (e: unknown) => this.#fail(new SparrowError('WORKER_FAILED', `the worker failed: ${(e as { message?: string })?.message ?? e}`));
    if ('addEventListener' in worker) {
      worker.addEventListener('message', (ev) => onMessage(ev.data));
      (worker as unknown as EventTarget).addEventListener('error', onError);
      (worker as unknown as EventTarget).addEventListener('messageerror', onError);
    } else {
      worker.on('message', (m) => onMessage(m as Response));
      (worker as unknown as { on(t: string, f: (e: unknown) => void): void }).on('error', onError);
    }
  }

  /** Starts a worker with an empty index (and the model, unless `model: false`). */
  static async create(options: SparrowWorkerOptions = {}): Promise<SparrowWorker> {
    const { worker, ...rest } = options;
    const client = new SparrowWorker(worker ?? (await spawnDefaultWorker()));
    try {
      await client.#call('create', [rest]);
    } catch (e) {
      if (!worker) await client.terminate(); // a worker we spawned must not outlive the failure
      throw e;
    }
    return client;
  }

  /** Starts a worker with an index loaded from bytes or a URL (fetched inside the worker). */
  static async load(bytes: BytesSource, options: SparrowWorkerOptions = {}): Promise<SparrowWorker> {
    const { worker, ...rest } = options;
    const client = new SparrowWorker(worker ?? (await spawnDefaultWorker()));
    const source = bytes instanceof URL ? bytes.href : bytes;
    try {
      await client.#call('load', [source, rest]);
    } catch (e) {
      if (!worker) await client.terminate();
      throw e;
    }
    return client;
  }

  /**
   * Starts a worker with a prebuilt site index (`sparrow index`): the manifest at `manifestUrl`
   * (relative URLs resolve against the page) is checked, then the model and the shard are
   * fetched inside the worker. Fails with `INDEX_VERSION` or `INDEX_MODEL_MISMATCH` for an index
   * this package or model cannot use.
   */
  static async loadSite(manifestUrl: string | URL, options: SparrowWorkerOptions = {}): Promise<SiteLoad & { sparrow: SparrowWorker }> {
    const { worker, ...rest } = options;
    const href = new URL(manifestUrl, typeof location !== 'undefined' ? location.href : undefined).href;
    const client = new SparrowWorker(worker ?? (await spawnDefaultWorker()));
    try {
      const site = await client.#call<SiteLoad>('loadSite', [href, rest]);
      return { ...site, sparrow: client };
    } catch (e) {
      await client.terminate();
      throw e;
    }
  }

  #call<T>(method: string, args: unknown[], onProgress?: (done: number, total: number) => void): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      const req: Request = { id, method, args };
      this.#worker.postMessage(req);
    });
  }

  #fail(error: SparrowError): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  #receive(m: Response): void {
    const pending = this.#pending.get(m.id);
    if (!pending) return;
    if (m.progress) {
      pending.onProgress?.(m.progress[0], m.progress[1]);
      return;
    }
    this.#pending.delete(m.id);
    if (m.error) pending.reject(new SparrowError(m.error.code, m.error.message));
    else pending.resolve(m.result);
  }

  /** See {@link Sparrow.addDocument}. */
  addDocument(doc: SparrowDocument): Promise<AddReport> {
    return this.#call('addDocument', [doc]);
  }
  /** See {@link Sparrow.addDocuments}; `onProgress` is called as batches finish in the worker. */
  addDocuments(docs: SparrowDocument[], options: AddDocumentsOptions = {}): Promise<AddReport[]> {
    return this.#call('addDocuments', [docs, options.batchSize], options.onProgress);
  }
  /** See {@link Sparrow.updateDocument}. */
  updateDocument(doc: SparrowDocument): Promise<AddReport> {
    return this.#call('updateDocument', [doc]);
  }
  /** See {@link Sparrow.removeDocument}. */
  removeDocument(id: string): Promise<boolean> {
    return this.#call('removeDocument', [id]);
  }
  /** See {@link Sparrow.has}. */
  has(id: string): Promise<boolean> {
    return this.#call('has', [id]);
  }
  /** See {@link Sparrow.getDocument}. */
  getDocument(id: string): Promise<SparrowDocument | undefined> {
    return this.#call('getDocument', [id]);
  }
  /** Index bytes, requests and shards fetched so far by a site loaded with {@link loadSite}. */
  siteLoad(): Promise<SiteLoad> {
    return this.#call('siteLoad', []);
  }
  /** See {@link Sparrow.search}; a site index loaded with {@link loadSite} fetches the shards the query needs first. */
  search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    return this.#call('search', [query, options]);
  }
  /** See {@link Sparrow.encodeQuery}. */
  encodeQuery(text: string): Promise<ExpansionTerm[]> {
    return this.#call('encodeQuery', [text]);
  }
  /** See {@link Sparrow.encodeDocument}. */
  encodeDocument(text: string): Promise<DocumentExpansion> {
    return this.#call('encodeDocument', [text]);
  }
  /** See {@link Sparrow.loadModel}. */
  loadModel(source: ModelSource = 'bundled'): Promise<ModelInfo> {
    return this.#call('loadModel', [source]);
  }
  /** See {@link Sparrow.stats}. */
  stats(): Promise<IndexStats> {
    return this.#call('stats', []);
  }
  /** See {@link Sparrow.vacuum}. */
  vacuum(): Promise<void> {
    return this.#call('vacuum', []);
  }
  /** See {@link Sparrow.toBytes}. */
  toBytes(): Promise<Uint8Array> {
    return this.#call('toBytes', []);
  }
  /** See {@link Sparrow.loadBytes}. */
  loadBytes(bytes: Uint8Array): Promise<void> {
    return this.#call('loadBytes', [bytes]);
  }
  /** Number of documents. */
  size(): Promise<number> {
    return this.#call('size', []);
  }
  /** Stops the worker; pending calls are rejected. */
  async terminate(): Promise<void> {
    this.#fail(new SparrowError('TERMINATED', 'the worker was terminated'));
    await this.#worker.terminate();
  }
}
