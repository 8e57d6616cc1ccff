/**
 * `SparrowBase`: what every Sparrow index can do, whichever wasm module runs it: the full one
 * (with the model, {@link Sparrow}) or the search-only one ({@link SparrowLite}, no model code).
 * Every method is a thin call into wasm; ranking, fusion, tokenization and validation happen in
 * Rust (`sparrow-core`).
 * @module
 */
import type { SparrowIndex } from '../wasm/sparrow_wasm.js';
import { guard, SparrowError } from './errors.js';
import type { WasmModule } from './wasm.js';
import type {
  AddReport,
  IndexStats,
  SearchHit,
  SearchOptions,
  ShardedBytes,
  ShardingOptions,
  SparrowDocument,
} from './types.js';

/** Options of {@link SparrowBase.addDocuments}. */
export interface AddDocumentsOptions {
  /** Called after each encoded batch with the number of documents done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Documents encoded per model run. Default 8. */
  batchSize?: number;
}

/** An index in wasm memory. */
export class SparrowBase {
  /** @internal */
  protected index: SparrowIndex;
  /** @internal */
  protected readonly defaults: SearchOptions;
  /** @internal */
  protected readonly wasm: WasmModule;

  /** @internal */
  protected constructor(index: SparrowIndex, defaults: SearchOptions, wasm: WasmModule) {
    this.index = index;
    this.defaults = defaults;
    this.wasm = wasm;
  }

  /** Number of documents. */
  get size(): number {
    return this.index.size;
  }

  /** The number of postings shards, or `undefined` for an index that is not sharded. */
  get shardCount(): number | undefined {
    return this.index.shardCount;
  }

  /** The number of document fragments, or `undefined` for an index that is not sharded. */
  get fragmentCount(): number | undefined {
    return this.index.fragmentCount;
  }

  /** Whether lookup queries can be made (a vocabulary file, or a model, is loaded). */
  get hasVocab(): boolean {
    return this.index.hasVocab;
  }

  /**
   * Loads a vocabulary file (`vocab-*.spv`, written by `sparrow index` next to a site index):
   * queries are then their WordPiece tokens, weighted by the index, with no model in the page.
   * `VOCAB_MISMATCH` if the index was built for another vocabulary.
   */
  loadVocab(bytes: Uint8Array): void {
    guard(() => this.index.loadVocab(bytes));
  }

  /**
   * The postings shards (ascending numbers) that `search(query, options)` needs and that are not
   * loaded yet; always empty for an index that is not sharded.
   */
  missingShards(query: string, options: SearchOptions = {}): number[] {
    return Array.from(guard(() => this.index.missingShards(query, { ...this.defaults, ...options })));
  }

  /** Adds a postings shard of the loaded base; returns its number (`INDEX_SHARD_MISMATCH` for another index's). */
  loadShard(bytes: Uint8Array): number {
    return guard(() => this.index.loadShard(bytes));
  }

  /** Adds a document fragment of the loaded base; returns its number (`INDEX_SHARD_MISMATCH` for another index's). */
  loadFragment(bytes: Uint8Array): number {
    return guard(() => this.index.loadFragment(bytes));
  }

  /** Adds a document. Throws `DUPLICATE_ID` if the id exists (nothing changes). */
  addDocument(doc: SparrowDocument): AddReport {
    return guard(() => this.index.addDocument(doc)) as AddReport;
  }

  /** Adds documents, all or nothing. */
  addDocuments(docs: SparrowDocument[], options: AddDocumentsOptions = {}): AddReport[] {
    return guard(() => this.index.addDocuments(docs, options.onProgress, options.batchSize)) as AddReport[];
  }

  /** Replaces the document with the same id. Throws `UNKNOWN_ID` if there is none. */
  updateDocument(doc: SparrowDocument): AddReport {
    return guard(() => this.index.updateDocument(doc)) as AddReport;
  }

  /** Removes a document; returns whether it existed. */
  removeDocument(id: string): boolean {
    return guard(() => this.index.removeDocument(id));
  }

  /** Whether a document with this id exists. */
  has(id: string): boolean {
    return typeof id === 'string' && this.index.has(id);
  }

  /** The stored document, or `undefined`. */
  getDocument(id: string): (SparrowDocument & { hasSparse?: boolean }) | undefined {
    if (typeof id !== 'string') throw new SparrowError('INVALID_ID', 'getDocument expects a string id');
    return guard(() => this.index.getDocument(id));
  }

  /**
   * Searches; options are merged over the instance's `searchOptions`. On a sharded index, a
   * query whose shards or hit fragments are not loaded fails with `SHARDS_NOT_LOADED` /
   * `FRAGMENTS_NOT_LOADED` (the error's `shards` / `fragments` list them; `SiteSearch` loads them).
   */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    return guard(() => this.index.search(query, { ...this.defaults, ...options })) as SearchHit[];
  }

  /** Index statistics. */
  stats(): IndexStats {
    return guard(() => this.index.stats()) as IndexStats;
  }

  /** Reclaims the space of removed documents; results do not change. */
  vacuum(): void {
    this.index.vacuum();
  }

  /** The index (without the model) in Sparrow's versioned binary format (`INDEX_PARTIAL` for a sharded index not completely loaded). */
  toBytes(): Uint8Array {
    return guard(() => this.index.toBytes());
  }

  /** The index split into a base, postings shards and document fragments (the files of a sharded site index). */
  toShardedBytes(options: ShardingOptions = {}): ShardedBytes {
    return guard(() => this.index.toShardedBytes(options)) as ShardedBytes;
  }

  /** Replaces this index's contents with `bytes` (keeping the loaded model and vocabulary). */
  loadBytes(bytes: Uint8Array): void {
    const next = guard(() => this.wasm.SparrowIndex.fromBytes(bytes));
    next.takeModelFrom(this.index);
    this.index.free();
    this.index = next;
  }

  /** Which wasm module runs this index: `full` (with the encoder) or `lite` (search only). */
  get module(): 'full' | 'lite' {
    return this.wasm.kind;
  }

  /** Frees the wasm memory of this index. The instance is unusable afterwards. */
  dispose(): void {
    this.index.free();
  }
}
