/**
 * `SparrowWorker`: the same API as {@link Sparrow}, asynchronous, with the index and the model in
 * a Web Worker (or a node `worker_threads` worker). Use it in pages: encoding documents and
 * queries then never blocks rendering or input. Its methods are the worker protocol's typed
 * method map (`protocol.ts`): every `Sparrow` method and getter, as a promise.
 * @module
 */
import { SparrowError } from './errors.js';
import { FORWARDED, GETTERS, type Forwarded, type Getter, type Method, type Methods, type Request, type Response } from './protocol.js';
import type { AddDocumentsOptions } from './sparrow.js';
import type { SiteLoad } from './site.js';
import type { Sparrow } from './sparrow.js';
import type { EncodedBatch } from './sparrow.js';
import type { AddReport, BytesSource, SparrowDocument, SparrowOptions } from './types.js';

/** A URL object cannot be posted to a worker (DataCloneError); its href can, and means the same. */
const postable = (source: BytesSource): BytesSource => (source instanceof URL ? source.href : source);

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
  /**
   * How many workers encode the documents of one `addDocuments` call, the index's own included.
   * Default: `navigator.hardwareConcurrency - 1` (a core stays with the page), at least 1, at
   * most {@link MAX_DEFAULT_ENCODERS}. Each one past the first is a worker with its own wasm
   * instance and model (tens of MB of memory), started by the first `addDocuments` with more
   * than one batch and kept until `terminate()`. The index itself stays in one worker: the
   * others send back vectors as compact bytes, and the result is the same index, byte for byte.
   */
  encoders?: number;
  /** Starts each extra encoder worker (default: spawned from the package, like the index's own). */
  spawnWorker?: () => WorkerLike | Promise<WorkerLike>;
}

/** The most encoder workers started by default (more cost memory for little on most machines). */
export const MAX_DEFAULT_ENCODERS = 4;

function defaultEncoders(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(MAX_DEFAULT_ENCODERS, cores - 1));
}

type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
/** `Sparrow`'s forwarded methods and getters, as the worker client has them (all async). */
type Forwarders = { [K in keyof Pick<Sparrow, Forwarded>]: Async<Sparrow[K]> } & {
  [K in keyof Pick<Sparrow, Getter>]: () => Promise<Sparrow[K]>;
};

// The forwarded methods are installed on the prototype from the protocol's lists; this merged
// interface gives them their types (and the `Sparrow` docs).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface SparrowWorker extends Forwarders {}

/** An index living in a worker; every method returns a promise. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class SparrowWorker {
  #worker: WorkerLike;
  #next = 1;
  #pending = new Map<number, Pending>();
  /** What extra encoder workers are created with (the model and wasm of this one). */
  #encoderOptions: SparrowOptions = {};
  #encoders = 1;
  #spawn: (() => WorkerLike | Promise<WorkerLike>) | undefined;
  /** The extra encoder workers, once started. */
  #helpers: Promise<SparrowWorker[]> | undefined;

  static {
    for (const name of [...FORWARDED, ...GETTERS]) {
      // `this`, not the class name: TS emits an alias for the class that is unset while static
      // blocks run once the class refers to itself elsewhere.
      Object.defineProperty(this.prototype, name, {
        value(this: SparrowWorker, ...args: unknown[]) {
          return this.#call(name, args as never);
        },
        writable: true,
        configurable: true,
      });
    }
  }

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

  static async #start<M extends 'create' | 'load' | 'loadBase' | 'loadSite'>(
    options: SparrowWorkerOptions,
    method: M,
    args: (o: Omit<SparrowWorkerOptions, 'worker'>) => Parameters<Methods[M]>,
  ): Promise<[SparrowWorker, Awaited<ReturnType<Methods[M]>>]> {
    const { worker, encoders, spawnWorker, ...given } = options;
    const rest: typeof given = {
      ...given,
      ...(given.wasm !== undefined ? { wasm: postable(given.wasm) } : {}),
      ...(typeof given.model === 'object' ? { model: { ...given.model, model: postable(given.model.model), tokenizer: postable(given.model.tokenizer) } } : {}),
    };
    if (encoders !== undefined && !(Number.isInteger(encoders) && encoders >= 1)) {
      throw new SparrowError('INVALID_OPTION', `encoders must be a whole number of at least 1, not ${String(encoders)}`);
    }
    const client = new SparrowWorker(worker ?? (await spawnDefaultWorker()));
    client.#encoders = encoders ?? defaultEncoders();
    client.#spawn = spawnWorker;
    client.#encoderOptions = { model: rest.model, wasm: rest.wasm };
    try {
      return [client, await client.#call(method, args(rest))];
    } catch (e) {
      if (!worker || method === 'loadSite') await client.terminate(); // a worker we spawned must not outlive the failure
      throw e;
    }
  }

  /** Starts a worker with an empty index (and the model, unless `model: false`). */
  static async create(options: SparrowWorkerOptions = {}): Promise<SparrowWorker> {
    return (await SparrowWorker.#start(options, 'create', (o) => [o]))[0];
  }

  /** Starts a worker with an index loaded from bytes or a URL (fetched inside the worker). */
  static async load(bytes: BytesSource, options: SparrowWorkerOptions = {}): Promise<SparrowWorker> {
    return (await SparrowWorker.#start(options, 'load', (o) => [postable(bytes), o]))[0];
  }

  /** Starts a worker with a sharded index's base (see `Sparrow.loadBase`). */
  static async loadBase(bytes: BytesSource, options: SparrowWorkerOptions = {}): Promise<SparrowWorker> {
    return (await SparrowWorker.#start(options, 'loadBase', (o) => [postable(bytes), o]))[0];
  }

  /**
   * Starts a worker with a prebuilt site index (`sparrow index`): the manifest at `manifestUrl`
   * (relative URLs resolve against the page) is checked, then the vocabulary and the index (or
   * base) are fetched inside the worker; searches fetch the shards and fragments they need.
   */
  static async loadSite(manifestUrl: string | URL, options: SparrowWorkerOptions = {}): Promise<SiteLoad & { sparrow: SparrowWorker }> {
    const href = new URL(manifestUrl, typeof location !== 'undefined' ? location.href : undefined).href;
    if (options.fetch?.signal) {
      // An AbortSignal cannot be posted to a worker; timeouts and retries can, and terminate() stops everything.
      throw new SparrowError('INVALID_OPTION', 'fetch.signal cannot be passed to a worker: use fetch.timeoutMs, or terminate() the worker');
    }
    const [client, site] = await SparrowWorker.#start(options, 'loadSite', (o) => [href, o]);
    return { ...site, sparrow: client };
  }

  #call<M extends Method>(method: M, args: Parameters<Methods[M]>, onProgress?: (done: number, total: number) => void): Promise<Awaited<ReturnType<Methods[M]>>> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      const req: Request<M> = { id, method, args };
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
    if (m.error) pending.reject(Object.assign(new SparrowError(m.error.code, m.error.message), m.error.shards ? { shards: m.error.shards } : {}, m.error.fragments ? { fragments: m.error.fragments } : {}));
    else pending.resolve(m.result);
  }

  /**
   * See `Sparrow.addDocuments`; `onProgress` is called as batches finish. With more than one
   * encoder (`encoders`) and more than one batch, the batches are encoded by all of them at once
   * and added to the index in one step at the end: all or nothing, in order, the same index as
   * one worker would make. A batch that fails fails the call with an error naming its documents.
   */
  async addDocuments(docs: SparrowDocument[], options: AddDocumentsOptions = {}): Promise<AddReport[]> {
    const size = Math.max(1, Math.floor(options.batchSize ?? 8));
    if (this.#encoders <= 1 || !Array.isArray(docs) || docs.length <= size || !(await this.#call('hasModel', []))) {
      return this.#call('addDocuments', [docs, options.batchSize], options.onProgress);
    }
    await this.#call('checkDocuments', [docs]); // fail fast, before any encoding
    const encoders: SparrowWorker[] = [this, ...(await this.#startHelpers())];
    const batches: SparrowDocument[][] = [];
    for (let i = 0; i < docs.length; i += size) batches.push(docs.slice(i, i + size));
    const results: EncodedBatch[] = new Array(batches.length);
    let next = 0;
    let done = 0;
    let failure: unknown;
    const work = async (encoder: SparrowWorker) => {
      while (failure === undefined && next < batches.length) {
        const k = next++;
        try {
          results[k] = await encoder.#call('encodeDocuments', [batches[k]!]);
        } catch (e) {
          const err = SparrowError.from(e);
          const first = k * size;
          failure ??= new SparrowError(err.code, `documents #${first}-#${first + batches[k]!.length - 1}: ${err.message}`);
          return;
        }
        done += batches[k]!.length;
        try {
          options.onProgress?.(done, docs.length);
        } catch (e) {
          failure ??= new SparrowError('CALLBACK_FAILED', `a callback threw: ${(e as Error)?.message ?? e}`);
        }
      }
    };
    await Promise.all(encoders.map(work));
    if (failure !== undefined) throw failure;
    await this.#call('addEncoded', [docs, results.map((r) => r.encoded)]);
    return results.flatMap((r) => r.reports);
  }

  /** The extra encoder workers (started once; if they cannot start, encoding stays in this one). */
  async #startHelpers(): Promise<SparrowWorker[]> {
    this.#helpers ??= Promise.all(
      Array.from({ length: this.#encoders - 1 }, async () => {
        const worker = this.#spawn ? await this.#spawn() : await spawnDefaultWorker();
        return SparrowWorker.create({ ...this.#encoderOptions, encoders: 1, worker, index: {} }).catch(async (e) => {
          await worker.terminate();
          throw e;
        });
      }),
    ).catch(() => [] as SparrowWorker[]);
    return this.#helpers;
  }

  /** Index bytes, requests, shards and fragments fetched so far by a site loaded with {@link loadSite}. */
  siteLoad(): Promise<SiteLoad> {
    return this.#call('siteLoad', []);
  }

  /** Frees the worker's index (the worker keeps running; `create`/`load` need a new client). Stops the extra encoders. */
  async dispose(): Promise<void> {
    await this.#stopHelpers();
    return this.#call('dispose', []);
  }

  /** Stops the worker and any extra encoder workers; pending calls are rejected. */
  async terminate(): Promise<void> {
    this.#fail(new SparrowError('TERMINATED', 'the worker was terminated'));
    await Promise.all([this.#worker.terminate(), this.#stopHelpers()]);
  }

  async #stopHelpers(): Promise<void> {
    const helpers = this.#helpers;
    this.#helpers = undefined;
    if (helpers) await Promise.all((await helpers).map((h) => h.terminate()));
  }
}
