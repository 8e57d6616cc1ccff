/**
 * `Sparrow`: the main-thread API. Every method is a thin call into the wasm module; ranking,
 * fusion and validation happen in Rust (`sparrow-core`). For encoding off the main thread use
 * {@link SparrowWorker} from `sparrow-search/worker`-backed `SparrowWorker.create()`.
 * @module
 */
import { SparrowIndex } from '../wasm/sparrow_wasm.js';
import { guard, SparrowError } from './errors.js';
import { bundledModelUrls, init, readBytes } from './load.js';
import type {
  AddReport,
  BytesSource,
  DocumentExpansion,
  EncoderConfig,
  ExpansionTerm,
  IndexStats,
  ModelInfo,
  ModelSource,
  SearchHit,
  SearchOptions,
  SparrowDocument,
  SparrowOptions,
} from './types.js';

/** Options of {@link Sparrow.addDocuments}. */
export interface AddDocumentsOptions {
  /** Called after each encoded batch with the number of documents done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Documents encoded per model run. Default 8. */
  batchSize?: number;
}

/**
 * A search index in wasm memory, with an optional learned-sparse model.
 *
 * ```ts
 * const sparrow = await Sparrow.create();          // loads wasm + the bundled int8 model
 * sparrow.addDocuments([{ id: '1', text: 'The seasons come from the tilt of the Earth.' }]);
 * const [hit] = sparrow.search('why is it cold in winter', { explain: true });
 * ```
 */
export class Sparrow {
  #index: SparrowIndex;
  #defaults: SearchOptions;

  private constructor(index: SparrowIndex, defaults: SearchOptions) {
    this.#index = index;
    this.#defaults = defaults;
  }

  /** Creates an empty index and (unless `model: false`) loads the model. */
  static async create(options: SparrowOptions = {}): Promise<Sparrow> {
    await init(options.wasm);
    const sparrow = new Sparrow(guard(() => new SparrowIndex(options.index ?? {})), options.searchOptions ?? {});
    if (options.model !== false) await sparrow.loadModel(options.model ?? 'bundled');
    return sparrow;
  }

  /**
   * Loads an index written by {@link toBytes} (or `sparrow index`), then (unless `model: false`)
   * the model. Truncated, corrupted or foreign bytes fail with an `INDEX_*` code.
   */
  static async load(bytes: BytesSource, options: Omit<SparrowOptions, 'index'> = {}): Promise<Sparrow> {
    await init(options.wasm);
    const data = await readBytes(bytes, 'index');
    const sparrow = new Sparrow(guard(() => SparrowIndex.fromBytes(data)), options.searchOptions ?? {});
    if (options.model !== false) await sparrow.loadModel(options.model ?? 'bundled');
    return sparrow;
  }

  /**
   * Loads a sharded index's base (`sparrow index` above its whole-index threshold): documents
   * and statistics, no postings. Before a search, load the shards {@link missingShards} names
   * with {@link loadShard} (a search that lacks one fails with `SHARDS_NOT_LOADED`).
   */
  static async loadBase(bytes: BytesSource, options: Omit<SparrowOptions, 'index'> = {}): Promise<Sparrow> {
    await init(options.wasm);
    const data = await readBytes(bytes, 'index base');
    const sparrow = new Sparrow(guard(() => SparrowIndex.fromBaseBytes(data)), options.searchOptions ?? {});
    if (options.model !== false) await sparrow.loadModel(options.model ?? 'bundled');
    return sparrow;
  }

  /** The number of postings shards, or `undefined` for an index that is not sharded. */
  get shardCount(): number | undefined {
    return this.#index.shardCount;
  }

  /**
   * The postings shards (ascending numbers) that `search(query, options)` needs and that are not
   * loaded yet; always empty for an index that is not sharded. The query encoding is reused by
   * the search that follows.
   */
  missingShards(query: string, options: SearchOptions = {}): number[] {
    return Array.from(guard(() => this.#index.missingShards(query, { ...this.#defaults, ...options })));
  }

  /** Adds a postings shard of the loaded base; returns its number (`INDEX_SHARD_MISMATCH` for another index's). */
  loadShard(bytes: Uint8Array): number {
    return guard(() => this.#index.loadShard(bytes));
  }

  /** Loads (or replaces) the model. On failure the previous model, if any, stays loaded. */
  async loadModel(source: ModelSource = 'bundled'): Promise<ModelInfo> {
    const { model, tokenizer, config } = resolveModel(source);
    const [modelBytes, tokenizerBytes] = await Promise.all([
      readBytes(model, 'model'),
      readBytes(tokenizer, 'tokenizer'),
    ]);
    return this.loadModelBytes(modelBytes, tokenizerBytes, config);
  }

  /** Synchronous variant of {@link loadModel} for bytes already in memory. */
  loadModelBytes(model: Uint8Array, tokenizer: Uint8Array, config: EncoderConfig = {}): ModelInfo {
    return guard(() => this.#index.loadModel(model, tokenizer, config)) as ModelInfo;
  }

  /** Whether a model is loaded (without one, search is lexical). */
  get hasModel(): boolean {
    return this.#index.hasModel;
  }

  /** Number of documents. */
  get size(): number {
    return this.#index.size;
  }

  /** Adds a document. Throws `DUPLICATE_ID` if the id exists (nothing changes). */
  addDocument(doc: SparrowDocument): AddReport {
    return guard(() => this.#index.addDocument(doc)) as AddReport;
  }

  /** Adds documents, all or nothing. */
  addDocuments(docs: SparrowDocument[], options: AddDocumentsOptions = {}): AddReport[] {
    return guard(() => this.#index.addDocuments(docs, options.onProgress, options.batchSize)) as AddReport[];
  }

  /** Replaces the document with the same id. Throws `UNKNOWN_ID` if there is none. */
  updateDocument(doc: SparrowDocument): AddReport {
    return guard(() => this.#index.updateDocument(doc)) as AddReport;
  }

  /** Removes a document; returns whether it existed. */
  removeDocument(id: string): boolean {
    return guard(() => this.#index.removeDocument(id));
  }

  /** Whether a document with this id exists. */
  has(id: string): boolean {
    return typeof id === 'string' && this.#index.has(id);
  }

  /** The stored document, or `undefined`. */
  getDocument(id: string): (SparrowDocument & { hasSparse?: boolean }) | undefined {
    if (typeof id !== 'string') throw new SparrowError('INVALID_ID', 'getDocument expects a string id');
    return guard(() => this.#index.getDocument(id));
  }

  /** Searches; options are merged over the instance's `searchOptions`. */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    return guard(() => this.#index.search(query, { ...this.#defaults, ...options })) as SearchHit[];
  }

  /** The query's learned-sparse expansion, heaviest term first. Needs a model. */
  encodeQuery(text: string): ExpansionTerm[] {
    return guard(() => this.#index.encodeQuery(text)) as ExpansionTerm[];
  }

  /** How a text would be expanded when indexed (windows, language guard and all). Needs a model. */
  encodeDocument(text: string): DocumentExpansion {
    return guard(() => this.#index.encodeDocument(text)) as DocumentExpansion;
  }

  /** The model's token ids for `text` (`[CLS] … [SEP]`, truncated at the window size). Needs a model. */
  tokenIds(text: string): number[] {
    return Array.from(guard(() => this.#index.tokenIds(text)));
  }

  /** Index statistics. */
  stats(): IndexStats {
    return guard(() => this.#index.stats()) as IndexStats;
  }

  /** Reclaims the space of removed documents; results do not change. */
  vacuum(): void {
    this.#index.vacuum();
  }

  /** The index (without the model) in Sparrow's versioned binary format (`INDEX_PARTIAL` for a sharded index with shards not loaded). */
  toBytes(): Uint8Array {
    return guard(() => this.#index.toBytes());
  }

  /** The index split into a base and `count` postings shards: `[base, shard0, …]` (the files of a sharded site index). */
  toShardedBytes(count: number): Uint8Array[] {
    return guard(() => this.#index.toShardedBytes(count)) as Uint8Array[];
  }

  /** Replaces this index's contents with `bytes` (keeping the loaded model). */
  loadBytes(bytes: Uint8Array): void {
    const next = guard(() => SparrowIndex.fromBytes(bytes));
    next.takeModelFrom(this.#index);
    this.#index.free();
    this.#index = next;
  }

  /** Frees the wasm memory of this index. The instance is unusable afterwards. */
  dispose(): void {
    this.#index.free();
  }
}

function resolveModel(source: ModelSource): { model: BytesSource; tokenizer: BytesSource; config?: EncoderConfig } {
  if (source === 'bundled') return bundledModelUrls();
  if (source && typeof source === 'object' && 'model' in source && 'tokenizer' in source) return source;
  throw new SparrowError('INVALID_OPTION', "model must be 'bundled', false, or { model, tokenizer }");
}
