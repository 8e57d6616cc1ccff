/**
 * `Sparrow`: the main-thread API with the full wasm module, which can expand documents with the
 * SPLADE model in the page. Queries need no model: by default they are lookup queries (their
 * WordPiece tokens, weighted by the index). For encoding off the main thread use
 * {@link SparrowWorker}; for search only, `sparrow-search/lite` ({@link SparrowLite}).
 * @module
 */
import { expectString, SparrowBase, toJson } from './base.js';
import { guard, SparrowError } from './errors.js';
import { FullIndex, fullWasm } from './full-wasm.js';
import { bundledModelUrls, readBytes } from './load.js';
import type {
  AddReport,
  BytesSource,
  DocumentExpansion,
  EncoderConfig,
  EngineRequest,
  ExpansionTerm,
  ModelInfo,
  ModelSource,
  QueryVectorOptions,
  ShardedBytes,
  ShardingOptions,
  SparrowDocument,
  SparrowOptions,
} from './types.js';

/** What {@link Sparrow.encodeDocuments} returns. */
export interface EncodedBatch {
  /** One per document, in order, as {@link Sparrow.addDocuments} reports them. */
  reports: AddReport[];
  /** The vectors, for {@link Sparrow.addEncoded} (a versioned binary batch, not a stored format). */
  encoded: Uint8Array;
}

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
export class Sparrow extends SparrowBase {
  /** Creates an empty index and (unless `model: false`) loads the model. */
  static async create(options: SparrowOptions = {}): Promise<Sparrow> {
    await fullWasm.init(options.wasm);
    const sparrow = new Sparrow(guard(() => new FullIndex(toJson(options.index ?? {}, 'INVALID_OPTION', 'the index config')), fullWasm), options.searchOptions ?? {}, fullWasm);
    if (options.model !== false) await sparrow.loadModel(options.model ?? 'bundled');
    return sparrow;
  }

  /**
   * Loads an index written by {@link toBytes} (or `sparrow index`), then (unless `model: false`)
   * the model. Truncated, corrupted or foreign bytes fail with an `INDEX_*` code.
   */
  static async load(bytes: BytesSource, options: Omit<SparrowOptions, 'index'> = {}): Promise<Sparrow> {
    await fullWasm.init(options.wasm);
    const data = await readBytes(bytes, 'index');
    const sparrow = new Sparrow(guard(() => fullWasm.SparrowIndex.fromBytes(data), fullWasm), options.searchOptions ?? {}, fullWasm);
    if (options.model !== false) await sparrow.loadModel(options.model ?? 'bundled');
    return sparrow;
  }

  /**
   * Loads a sharded index's base (`sparrow index` above its whole-index threshold): statistics
   * and filters, no postings and no documents. A search then needs the shards
   * {@link missingShards} names and the fragments of its hits (`SiteSearch` does all of it).
   * Loads no model unless `model` is given.
   */
  static async loadBase(bytes: BytesSource, options: Omit<SparrowOptions, 'index'> = {}): Promise<Sparrow> {
    await fullWasm.init(options.wasm);
    const data = await readBytes(bytes, 'index base');
    const sparrow = new Sparrow(guard(() => fullWasm.SparrowIndex.fromBaseBytes(data), fullWasm), options.searchOptions ?? {}, fullWasm);
    if (options.model !== undefined && options.model !== false) await sparrow.loadModel(options.model);
    return sparrow;
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
    const json = toJson(config, 'INVALID_OPTION', 'the encoder config');
    return JSON.parse(guard(() => this.index.loadModel(model, tokenizer, json), this.wasm));
  }

  /** Whether a model is loaded (without one, documents are indexed lexically). */
  get hasModel(): boolean {
    return guard(() => this.index.hasModel, this.wasm);
  }

  /** The query's learned-sparse expansion by the model, heaviest term first. Needs a model. */
  encodeQuery(text: string): ExpansionTerm[] {
    expectString(text, 'INVALID_QUERY', 'the text');
    return JSON.parse(guard(() => this.index.encodeQuery(text), this.wasm));
  }

  /** How a text would be expanded when indexed (windows, language guard and all). Needs a model. */
  encodeDocument(text: string): DocumentExpansion {
    expectString(text, 'INVALID_DOCUMENT', 'the text');
    return JSON.parse(guard(() => this.index.encodeDocument(text), this.wasm));
  }

  /** The model's token ids for `text` (`[CLS] … [SEP]`, truncated at the window size). Needs a model. */
  tokenIds(text: string): number[] {
    expectString(text, 'INVALID_QUERY', 'the text');
    return Array.from(guard(() => this.index.tokenIds(text), this.wasm));
  }

  /**
   * The request Elasticsearch, OpenSearch or Anserini needs to run this query with the weights
   * this index scores it with (the model's expansion, or the lookup weights): for a collection
   * moved to a server with `sparrow export`, queried with the encoder the page used.
   * `queryEncoder` and `fusion` default to the instance's search options. In the full module
   * only: the search-only one leaves the export code out (it would cost a static page 25 kB of brotli).
   */
  queryVector(query: string, options: QueryVectorOptions): EngineRequest {
    expectString(query, 'INVALID_QUERY', 'the query');
    const { queryEncoder, fusion, candidates } = this.defaults;
    const opts = toJson({ queryEncoder, fusion, candidates, ...options }, 'INVALID_OPTION', 'query vector options');
    return JSON.parse(guard(() => this.index.queryVector(query, opts), this.wasm));
  }

  /** Adds a document. Throws `DUPLICATE_ID` if the id exists (nothing changes). */
  addDocument(doc: SparrowDocument): AddReport {
    const json = toJson(doc, 'INVALID_DOCUMENT', 'the document');
    return JSON.parse(guard(() => this.index.addDocument(json), this.wasm));
  }

  /** Adds documents, all or nothing. */
  addDocuments(docs: SparrowDocument[], options: AddDocumentsOptions = {}): AddReport[] {
    if (!Array.isArray(docs)) throw new SparrowError('INVALID_DOCUMENT', 'addDocuments expects an array of documents');
    const json = toJson(docs, 'INVALID_DOCUMENT', 'the documents');
    return JSON.parse(guard(() => this.index.addDocuments(json, options.onProgress, options.batchSize), this.wasm));
  }

  /**
   * Checks documents as {@link addDocuments} does before encoding them (their shape, duplicate
   * ids), changing nothing: `INVALID_DOCUMENT` names the first bad one by position.
   */
  checkDocuments(docs: SparrowDocument[]): void {
    if (!Array.isArray(docs)) throw new SparrowError('INVALID_DOCUMENT', 'checkDocuments expects an array of documents');
    const json = toJson(docs, 'INVALID_DOCUMENT', 'the documents');
    guard(() => this.index.checkDocuments(json), this.wasm);
  }

  /**
   * Encodes documents with this instance's model without adding them: their reports, and the
   * vectors as an encoded batch for {@link addEncoded} on the instance that owns the index (made
   * with the same model). How {@link SparrowWorker} spreads encoding over several workers.
   */
  encodeDocuments(docs: SparrowDocument[]): EncodedBatch {
    if (!Array.isArray(docs)) throw new SparrowError('INVALID_DOCUMENT', 'encodeDocuments expects an array of documents');
    const json = toJson(docs, 'INVALID_DOCUMENT', 'the documents');
    const [reports, encoded] = guard(() => this.index.encodeDocuments(json), this.wasm) as [string, Uint8Array];
    const parsed: AddReport[] = JSON.parse(reports);
    return { reports: parsed, encoded };
  }

  /**
   * Adds documents, all or nothing, with vectors encoded by {@link encodeDocuments} elsewhere:
   * `batches` cover `docs` in order. This instance needs the same model loaded (`NO_MODEL`).
   */
  addEncoded(docs: SparrowDocument[], batches: Uint8Array[]): void {
    if (!Array.isArray(docs)) throw new SparrowError('INVALID_DOCUMENT', 'addEncoded expects an array of documents');
    if (!Array.isArray(batches) || !batches.every((b) => b instanceof Uint8Array)) throw new SparrowError('INVALID_ENCODED', 'addEncoded expects an array of Uint8Array batches');
    const json = toJson(docs, 'INVALID_DOCUMENT', 'the documents');
    guard(() => this.index.addEncoded(json, batches), this.wasm);
  }

  /** Replaces the document with the same id. Throws `UNKNOWN_ID` if there is none. */
  updateDocument(doc: SparrowDocument): AddReport {
    const json = toJson(doc, 'INVALID_DOCUMENT', 'the document');
    return JSON.parse(guard(() => this.index.updateDocument(json), this.wasm));
  }

  /** Removes a document; returns whether it existed. */
  removeDocument(id: string): boolean {
    expectString(id, 'INVALID_ID', 'removeDocument: the id');
    return guard(() => this.index.removeDocument(id), this.wasm);
  }

  /** Reclaims the space of removed documents; results do not change. */
  vacuum(): void {
    guard(() => this.index.vacuum(), this.wasm);
  }

  /** The index (without the model) in Sparrow's versioned binary format (`INDEX_PARTIAL` for a sharded index not completely loaded). */
  toBytes(): Uint8Array {
    return guard(() => this.index.toBytes(), this.wasm);
  }

  /** The index split into a base, postings shards and document fragments (the files of a sharded site index). */
  toShardedBytes(options: ShardingOptions = {}): ShardedBytes {
    const json = toJson(options, 'INVALID_OPTION', 'sharding options');
    const [base, shards, fragments] = guard(() => this.index.toShardedBytes(json), this.wasm) as [Uint8Array, Uint8Array[], Uint8Array[]];
    return { base, shards, fragments };
  }

  /** Replaces this index's contents with `bytes` (keeping the loaded model and vocabulary). */
  loadBytes(bytes: Uint8Array): void {
    const next = guard(() => fullWasm.SparrowIndex.fromBytes(bytes), fullWasm);
    guard(() => {
      next.takeModelFrom(this.index);
      this.index.free();
    }, this.wasm);
    this.index = next;
  }
}

export function resolveModel(source: ModelSource): { model: BytesSource; tokenizer: BytesSource; config?: EncoderConfig } {
  if (source === 'bundled') return bundledModelUrls();
  if (source && typeof source === 'object' && 'model' in source && 'tokenizer' in source) return source;
  throw new SparrowError('INVALID_OPTION', "model must be 'bundled', false, or { model, tokenizer }");
}
