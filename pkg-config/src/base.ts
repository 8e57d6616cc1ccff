/**
 * `SparrowBase`: what every Sparrow index can do, whichever wasm module runs it: the full one
 * (documents added and expanded in the page, {@link Sparrow}) or the search-only one
 * ({@link SparrowLite}: no model and no writer code): load, search, explain, filter, fetch parts.
 * Every method is a thin call into wasm; ranking, fusion, tokenization and validation happen in
 * Rust (`sparrow-core`).
 * @module
 */
import type { SparrowIndex } from '../wasm/sparrow_wasm.js';
import { guard, SparrowError } from './errors.js';
import type { WasmModule } from './wasm.js';
import type { IndexStats, SearchHit, SearchOptions, SparrowDocument } from './types.js';

/**
 * `value` as JSON for the wasm module (structured values cross as JSON text, parsed by serde in
 * Rust); a value JSON cannot carry (a cycle, a BigInt, nothing) is a `code` error naming `what`.
 * @internal
 */
export function toJson(value: unknown, code: string, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new SparrowError(code, `${what} cannot be sent to the index: ${(e as Error).message}`);
  }
  if (text === undefined) throw new SparrowError(code, `${what} must be a JSON value, got ${typeof value}`);
  return text;
}

/** Throws `code` unless `value` is a string. @internal */
export function expectString(value: unknown, code: string, what: string): asserts value is string {
  if (typeof value !== 'string') throw new SparrowError(code, `${what} must be a string, got ${value === null ? 'null' : typeof value}`);
}

/**
 * An index in wasm memory. Every call into wasm goes through `guard(f, this.wasm)`: failures
 * become {@link SparrowError}s, and a trap makes this module's instance `INSTANCE_LOST` for good.
 */
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
    return guard(() => this.index.size, this.wasm);
  }

  /** The number of postings shards, or `undefined` for an index that is not sharded. */
  get shardCount(): number | undefined {
    return guard(() => this.index.shardCount, this.wasm);
  }

  /** The number of document fragments, or `undefined` for an index that is not sharded. */
  get fragmentCount(): number | undefined {
    return guard(() => this.index.fragmentCount, this.wasm);
  }

  /** Whether lookup queries can be made (a vocabulary file, or a model, is loaded). */
  get hasVocab(): boolean {
    return guard(() => this.index.hasVocab, this.wasm);
  }

  /**
   * Loads a vocabulary file (`vocab-*.spv`, written by `sparrow index` next to a site index):
   * queries are then their WordPiece tokens, weighted by the index, with no model in the page.
   * `VOCAB_MISMATCH` if the index was built for another vocabulary.
   */
  loadVocab(bytes: Uint8Array): void {
    guard(() => this.index.loadVocab(bytes), this.wasm);
  }

  /**
   * Loads a part of a site's vocabulary (the manifest's `vocabParts`: the vocabulary split by the
   * tokens' first byte); returns the first of the first bytes it covers. The first part is
   * needed before any lookup query, the others as {@link missingVocabLeads} names them
   * (`SiteSearch` does all of it). `VOCAB_MISMATCH` for another index's vocabulary.
   */
  loadVocabPart(bytes: Uint8Array): number {
    return guard(() => this.index.loadVocabPart(bytes), this.wasm);
  }

  /**
   * The first bytes (ascending) whose vocabulary parts `search(query, options)` needs and that
   * are not loaded yet; empty when the whole vocabulary (or none) is loaded. Ask again after
   * loading them: the first part names the added tokens a query may contain.
   */
  missingVocabLeads(query: string, options: SearchOptions = {}): number[] {
    expectString(query, 'INVALID_QUERY', 'the query');
    const opts = toJson({ ...this.defaults, ...options }, 'INVALID_OPTION', 'search options');
    return Array.from(guard(() => this.index.missingVocabLeads(query, opts), this.wasm));
  }

  /**
   * The postings shards (ascending numbers) that `search(query, options)` needs and that are not
   * loaded yet; always empty for an index that is not sharded.
   */
  missingShards(query: string, options: SearchOptions = {}): number[] {
    expectString(query, 'INVALID_QUERY', 'the query');
    const opts = toJson({ ...this.defaults, ...options }, 'INVALID_OPTION', 'search options');
    return Array.from(guard(() => this.index.missingShards(query, opts), this.wasm));
  }

  /** Adds a postings shard of the loaded base; returns its number (`INDEX_SHARD_MISMATCH` for another index's). */
  loadShard(bytes: Uint8Array): number {
    return guard(() => this.index.loadShard(bytes), this.wasm);
  }

  /** Adds a document fragment of the loaded base; returns its number (`INDEX_SHARD_MISMATCH` for another index's). */
  loadFragment(bytes: Uint8Array): number {
    return guard(() => this.index.loadFragment(bytes), this.wasm);
  }

  /** Whether a document with this id exists. */
  has(id: string): boolean {
    return typeof id === 'string' && guard(() => this.index.has(id), this.wasm);
  }

  /** The stored document, or `undefined`. */
  getDocument(id: string): (SparrowDocument & { hasSparse?: boolean }) | undefined {
    expectString(id, 'INVALID_ID', 'getDocument: the id');
    const json = guard(() => this.index.getDocument(id), this.wasm);
    return json === undefined ? undefined : JSON.parse(json);
  }

  /**
   * Searches; options are merged over the instance's `searchOptions`. On a sharded index, a
   * query whose shards or hit fragments are not loaded fails with `SHARDS_NOT_LOADED` /
   * `FRAGMENTS_NOT_LOADED` (the error's `shards` / `fragments` list them; `SiteSearch` loads them).
   */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    expectString(query, 'INVALID_QUERY', 'the query');
    const opts = toJson({ ...this.defaults, ...options }, 'INVALID_OPTION', 'search options');
    return JSON.parse(guard(() => this.index.search(query, opts), this.wasm));
  }

  /** Index statistics. */
  stats(): IndexStats {
    return JSON.parse(guard(() => this.index.stats(), this.wasm));
  }

  /** Which wasm module runs this index: `full` (with the encoder) or `lite` (search only). */
  get module(): 'full' | 'lite' {
    return this.wasm.kind;
  }

  /** Frees the wasm memory of this index. The instance is unusable afterwards. */
  dispose(): void {
    guard(() => this.index.free(), this.wasm);
  }
}
