/**
 * `Sparrow`: the main-thread API with the full wasm module, which can expand documents with the
 * SPLADE model in the page. Queries need no model: by default they are lookup queries (their
 * WordPiece tokens, weighted by the index). For encoding off the main thread use
 * {@link SparrowWorker}; for search only, `sparrow-search/lite` ({@link SparrowLite}).
 * @module
 */
import { SparrowBase } from './base.js';
import { guard, SparrowError } from './errors.js';
import { fullWasm } from './full-wasm.js';
import { bundledModelUrls, readBytes } from './load.js';
import type {
  BytesSource,
  DocumentExpansion,
  EncoderConfig,
  ExpansionTerm,
  ModelInfo,
  ModelSource,
  SparrowOptions,
} from './types.js';

export type { AddDocumentsOptions } from './base.js';

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
    const sparrow = new Sparrow(guard(() => new fullWasm.SparrowIndex(options.index ?? {})), options.searchOptions ?? {}, fullWasm);
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
    const sparrow = new Sparrow(guard(() => fullWasm.SparrowIndex.fromBytes(data)), options.searchOptions ?? {}, fullWasm);
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
    const sparrow = new Sparrow(guard(() => fullWasm.SparrowIndex.fromBaseBytes(data)), options.searchOptions ?? {}, fullWasm);
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
    return guard(() => this.index.loadModel(model, tokenizer, config)) as ModelInfo;
  }

  /** Whether a model is loaded (without one, documents are indexed lexically). */
  get hasModel(): boolean {
    return this.index.hasModel;
  }

  /** The query's learned-sparse expansion by the model, heaviest term first. Needs a model. */
  encodeQuery(text: string): ExpansionTerm[] {
    return guard(() => this.index.encodeQuery(text)) as ExpansionTerm[];
  }

  /** How a text would be expanded when indexed (windows, language guard and all). Needs a model. */
  encodeDocument(text: string): DocumentExpansion {
    return guard(() => this.index.encodeDocument(text)) as DocumentExpansion;
  }

  /** The model's token ids for `text` (`[CLS] … [SEP]`, truncated at the window size). Needs a model. */
  tokenIds(text: string): number[] {
    return Array.from(guard(() => this.index.tokenIds(text)));
  }
}

export function resolveModel(source: ModelSource): { model: BytesSource; tokenizer: BytesSource; config?: EncoderConfig } {
  if (source === 'bundled') return bundledModelUrls();
  if (source && typeof source === 'object' && 'model' in source && 'tokenizer' in source) return source;
  throw new SparrowError('INVALID_OPTION', "model must be 'bundled', false, or { model, tokenizer }");
}
