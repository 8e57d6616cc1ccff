/**
 * Public types of the Sparrow package. Every shape that crosses the wasm boundary (documents,
 * options, hits, reports, the site manifest) is generated from the Rust type that serializes it
 * (`generated.ts`, written by `crate/wasm/src/typescript.rs` and checked by its test), so it has
 * one definition and the defaults its docs state are the Rust side's. What only TypeScript has
 * (byte sources, fetch options, the options of `Sparrow.create`) is declared here.
 * @module
 */
import type { EncoderConfig, EngineFormat, IndexConfig, SearchOptions } from './generated.js';

export type {
  AddReport,
  AnalyzerConfig,
  Bm25Params,
  DocumentExpansion,
  EncoderConfig,
  EngineFormat,
  Explanation,
  ExpansionTerm,
  Filter,
  FormatVersions,
  Fusion,
  IndexConfig,
  IndexStats,
  LanguagePolicy,
  LexicalTermContribution,
  ManifestCounts,
  ManifestFile,
  ManifestModel,
  ModelInfo,
  QueryEncoder,
  QueryVectorOptions,
  SearchHit,
  SearchMode,
  SearchOptions,
  ShardingOptions,
  SiteManifest,
  SiteMode,
  SparrowDocument,
  SparseTermContribution,
} from './generated.js';

/**
 * What another engine needs to run the query this index would run (shapes and rules: Rust
 * `sparrow_core::export`). `vector`: the query's weights in the engine's shape (token names with
 * `.` written as U+2024 for Elasticsearch and OpenSearch, which refuse dots; integers for
 * Anserini), `null` in lexical mode. `body`: the search request body (Anserini: a `JsonString`
 * topic). `pipeline`: the search pipeline an OpenSearch hybrid query needs.
 */
export interface EngineRequest {
  format: EngineFormat;
  vector: Record<string, number> | null;
  body: Record<string, unknown>;
  pipeline?: Record<string, unknown>;
}

/** The files of a sharded index: a base, postings shards and document fragments. */
export interface ShardedBytes {
  base: Uint8Array;
  shards: Uint8Array[];
  fragments: Uint8Array[];
}

/** Anything the package can read bytes from: a URL (or string URL), bytes, or a fetch `Response`. */
export type BytesSource = string | URL | ArrayBuffer | ArrayBufferView | Response;

/** Where the model comes from: the files bundled in the package, or your own. */
export type ModelSource =
  | 'bundled'
  | { model: BytesSource; tokenizer: BytesSource; config?: EncoderConfig };

/**
 * How the package fetches files over HTTP (a site's manifest, vocabulary, index, shards and
 * fragments): each attempt times out, failures that may pass are retried a bounded number of
 * times, and `signal` cancels everything still pending.
 */
export interface FetchOptions {
  /** Aborts pending and later fetches (`ABORTED`). */
  signal?: AbortSignal;
  /** Per attempt, request and body, in ms. Default 30,000 (`FETCH_TIMEOUT` when every attempt ran out). */
  timeoutMs?: number;
  /** Further attempts after a network error, a timeout or HTTP 408/425/429/5xx (never after a 404). Default 2. */
  retries?: number;
}

/** Options for {@link Sparrow.create}. */
export interface SparrowOptions {
  /** Index configuration (ignored when loading bytes, which carry their own). */
  index?: IndexConfig;
  /** The model to load: `'bundled'` (default), your own files, or `false` for a lexical-only index. */
  model?: ModelSource | false;
  /** Defaults merged under every `search` call's options. */
  searchOptions?: SearchOptions;
  /** Where to load the `.wasm` from (default: next to the package's JS). */
  wasm?: BytesSource;
  /** `loadSite`: timeouts, retries and an abort signal for its fetches. */
  fetch?: FetchOptions;
}
