/**
 * Public types of the Sparrow package. They mirror the serde shapes of `sparrow-core`
 * (camelCase) so options and results cross the wasm boundary unchanged.
 * @module
 */

/** A document to index. */
export interface SparrowDocument {
  /** Unique id (non-empty string, at most 512 bytes). Adding an existing id fails with `DUPLICATE_ID`; use `updateDocument` to replace. */
  id: string;
  /** Body text, searched lexically (BM25) and semantically. At most `maxTextBytes` (default 1 MiB). */
  text: string;
  /** Optional title; searched together with the text. */
  title?: string;
  /** Optional URL, returned with hits. */
  url?: string;
  /** Tags, filterable with `{ tag: "x" }`. */
  tags?: string[];
  /** Any JSON-able data returned with hits. Top-level scalars and arrays of scalars are filterable with `{ field, value }`. */
  fields?: Record<string, unknown>;
}

/** How a document was indexed. */
export interface AddReport {
  id: string;
  /** `true` if the document got a learned-sparse vector (a model is loaded and its language is accepted). */
  semantic: boolean;
  /** Detected language (ISO 639-3), when detection ran. */
  language?: string | null;
  /** Why the semantic vector was skipped (e.g. non-English text, no model). */
  skipped?: string | null;
  /** `true` if the text was longer than the encoder's window limit (the lexical index still has all of it). */
  truncated: boolean;
}

/** Lexical analysis options (fixed when the index is created). */
export interface AnalyzerConfig {
  /** English Snowball stemming. Default `true`. */
  stemming?: boolean;
  /** Drop English stop words. Default `true`. */
  stopwords?: boolean;
}

/** BM25 parameters. */
export interface Bm25Params {
  /** Term-frequency saturation, `>= 0`. Default 1.5 (tuned on SciFact train, see docs/BENCHMARKS.md). */
  k1?: number;
  /** Length normalisation, `0..=1`. Default 0.95 (tuned on SciFact train). */
  b?: number;
}

/** Options fixed when an index is created (stored in the index bytes). */
export interface IndexConfig {
  analyzer?: AnalyzerConfig;
  bm25?: Bm25Params;
  /** Keep document text in the index (for `getDocument` and snippets). Default `true`. */
  storeText?: boolean;
  /** Largest accepted text, in UTF-8 bytes. Default 1,048,576. */
  maxTextBytes?: number;
}

/** `lexical`: BM25 only. `sparse`: learned-sparse only (needs a model). `hybrid`: both, fused. */
export type SearchMode = 'lexical' | 'sparse' | 'hybrid';

/** How hybrid mode fuses the two rankings. */
export type Fusion =
  /** Reciprocal rank fusion: `Σ 1 / (k + rank)`. `k >= 0`, default 3. */
  | { kind: 'rrf'; k?: number }
  /** Min-max normalised weighted sum: `alpha * sparse + (1 - alpha) * lexical`; `alpha` in `[0, 1]`, default 0.35. */
  | { kind: 'weighted'; alpha?: number };

/** A filter applied before scoring. */
export type Filter =
  | { field: string; value: string | number | boolean | null }
  | { tag: string }
  | { all: Filter[] }
  | { any: Filter[] }
  | { not: Filter };

/** Per-query options; unset ones take the instance defaults, then the library defaults. */
export interface SearchOptions {
  /** Number of hits, `>= 1`. Default 10. Values above the document count are clamped. */
  limit?: number;
  /** Default `hybrid`; falls back to lexical when no model is loaded. */
  mode?: SearchMode;
  /** Default `{ kind: 'weighted', alpha: 0.35 }` (tuned on SciFact train, see docs/BENCHMARKS.md). */
  fusion?: Fusion;
  /** How deep each ranking is read before fusing. Default 100. */
  candidates?: number;
  filter?: Filter;
  /** Attach an explanation (matched BM25 terms and expansion terms) to each hit. Default `false`. */
  explain?: boolean;
  /**
   * Which side of the query runs the learned-sparse arm. `lookup`: the query's WordPiece tokens,
   * each weighted by its IDF over the index's learned-sparse postings: no model runs at query
   * time (the search-only module always does this). `model`: the model's expansion of the query, each
   * term weighed by its IDF in the index (needs a model; "shots" also finds "vaccine"). Unset: `model` when a model is loaded, else
   * `lookup`. The other side is used when the chosen one is not available.
   */
  queryEncoder?: QueryEncoder;
}

/** See {@link SearchOptions.queryEncoder}. */
export type QueryEncoder = 'lookup' | 'model';

/** An engine a collection can move to when it outgrows the browser (`sparrow export`). */
export type EngineFormat = 'elasticsearch' | 'opensearch' | 'anserini';

/**
 * Options of {@link SparrowBase.queryVector}: the engine, and the search options that shape the
 * request (`mode` defaults to `sparse` here: the query's vector; `hybrid` gives the fused request).
 */
export interface QueryVectorOptions extends Pick<SearchOptions, 'mode' | 'fusion' | 'candidates' | 'limit' | 'queryEncoder'> {
  format: EngineFormat;
  /** Anserini's integer scale: a weight `w` becomes `round(w * scale)`. Default 100. */
  scale?: number;
}

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

/** How `toShardedBytes` splits an index. */
export interface ShardingOptions {
  /** Postings shards, `1..=65536`. Default 1. */
  shards?: number;
  /** Target bytes of stored documents per fragment. Default 16384. */
  fragmentBytes?: number;
  /** Fields the base keeps filter bitmaps for (tags always); default every field. */
  filterFields?: string[] | null;
}

/** The files of a sharded index: a base, postings shards and document fragments. */
export interface ShardedBytes {
  base: Uint8Array;
  shards: Uint8Array[];
  fragments: Uint8Array[];
}

/** One file a site manifest names. */
export interface ManifestFile {
  file: string;
  bytes: number;
  /** SHA-256, lowercase hex. */
  sha256: string;
}

/** A site index's `manifest.json`, as `sparrow index` writes it and the wasm module validates it. */
export interface SiteManifest {
  version: number;
  indexFormat: number;
  model: { id: string; sha256: string; tokenizerSha256: string };
  counts: { pages: number; sections: number; semanticSections: number; bytes: number };
  /** `whole`: `index` is the one index file. `sharded`: `base`, then `shards` and `fragments`. */
  mode: 'whole' | 'sharded';
  /** The loading rule in words. */
  rule: string;
  wholeIndexThreshold: number;
  shardBytes?: number;
  fragmentBytes?: number;
  /** The WordPiece vocabulary lookup queries are tokenized with. */
  vocab: ManifestFile;
  index?: ManifestFile;
  base?: ManifestFile;
  /** The name of the shards and fragments: the first 16 hex digits of the SHA-256 of all of them. */
  build: string;
  /** Postings shards: shard `i` is the file `shard-<build>-<i>.sps`. */
  shards: number;
  /** Document fragments: fragment `i` is the file `frag-<build>-<i>.spf`. */
  fragments: number;
}

/** One BM25 term's share of a lexical score. */
export interface LexicalTermContribution { term: string; tf: number; idf: number; score: number }
/** One matched expansion term: `product = queryWeight * docWeight`. */
export interface SparseTermContribution { termId: number; term?: string | null; queryWeight: number; docWeight: number; product: number }
/** Why a hit matched, each list sorted by contribution. */
export interface Explanation { lexical: LexicalTermContribution[]; sparse: SparseTermContribution[] }

/** A search result. */
export interface SearchHit {
  id: string;
  /** The fused score (or the single arm's score in lexical/sparse mode). Higher is better. */
  score: number;
  lexicalScore?: number | null;
  sparseScore?: number | null;
  lexicalRank?: number | null;
  sparseRank?: number | null;
  title?: string | null;
  url?: string | null;
  tags: string[];
  fields: Record<string, unknown>;
  explanation?: Explanation | null;
}

/** Index statistics. */
export interface IndexStats {
  documents: number;
  deleted: number;
  lexicalTerms: number;
  sparseTerms: number;
  sparseDocuments: number;
  avgDocLength: number;
  /** Estimated heap bytes of this index. */
  heapBytes: number;
  /** The wasm instance's linear memory (all its indexes, the model, free space; it never shrinks). */
  wasmMemoryBytes: number;
  [key: string]: number;
}

/** What the loaded model is. */
export interface ModelInfo { [key: string]: unknown }

/** Encoder options (advanced). */
export interface EncoderConfig {
  /** Drop expansion weights below this. */
  threshold?: number;
  /** Tokens per window (including [CLS]/[SEP]); default 256. */
  maxTokens?: number;
  /** Window step for long documents; default 224 (30 tokens of overlap). */
  stride?: number;
  /** Windows per document before truncation; default 16. */
  maxWindows?: number;
  /** `englishOnly` (default): non-English text is indexed lexically only. `any`: encode everything. */
  language?: 'englishOnly' | 'any';
}

/** One term of a query's learned-sparse expansion. */
export interface ExpansionTerm { termId: number; term?: string | null; weight: number }

/** A document's learned-sparse expansion, see `Sparrow.encodeDocument`. */
export interface DocumentExpansion {
  terms: ExpansionTerm[];
  language?: string | null;
  skipped?: string | null;
  windows: number;
  tokens: number;
  truncated: boolean;
}

/** Anything the package can read bytes from: a URL (or string URL), bytes, or a fetch `Response`. */
export type BytesSource = string | URL | ArrayBuffer | ArrayBufferView | Response;

/** Where the model comes from: the files bundled in the package, or your own. */
export type ModelSource =
  | 'bundled'
  | { model: BytesSource; tokenizer: BytesSource; config?: EncoderConfig };

/** Options for {@link Sparrow.create}. */
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
