//! wasm-bindgen bindings for Sparrow: one class, `SparrowIndex`, over `sparrow_core::Index`, a
//! WordPiece vocabulary for lookup queries, and an optional sparse encoder
//! (`sparrow_encoder::SparseEncoder`, see [`model`]).
//!
//! This crate is deliberately thin. Every method converts its arguments from JS, calls the core or
//! the encoder, and converts the result back; ranking, fusion, validation and the byte formats
//! live in `sparrow-core`. Structured values cross the boundary as JSON text (options and
//! documents in, hits, reports and statistics out): the shapes are the core's serde shapes, one
//! `JSON.parse` or `JSON.stringify` per call on the JS side, no JS object walked property by
//! property, and serde_json's nesting limit guards every input. Errors cross as JS `Error`s
//! carrying a stable `code` (from `sparrow_core::Error::code` /
//! `sparrow_encoder::EncoderError::code`), never as panics. The public JavaScript API is the
//! TypeScript layer in `pkg-config/src`, not this module.
//!
//! Two modules are built from this crate. The full one (default features `model` and `write`:
//! tract, tokenizers, the encoder, adding documents, writing index bytes) and the search-only one
//! (`--no-default-features`), which loads an index and a vocabulary file and answers lexical and
//! lookup-hybrid queries with no model and no writer code, for static sites.

use serde::Serialize;
use sparrow_core::{
    Index, Mode, Query, QueryEncoder, SearchOptions, VocabPart, VocabParts, WordPiece,
};
use wasm_bindgen::prelude::*;

pub mod error;
mod hits;
mod model;
mod typescript;
#[cfg(feature = "write")]
mod write;

use error::{BindingError, Result};
use model::Model;

/// Installs the panic hook so a bug shows a Rust message in the console instead of
/// `unreachable executed`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Parses and validates a static site's `manifest.json` (bytes): its shape, versions and file
/// names, and, when `modelSha256` is given, that the index was built with that model. Returns the
/// manifest as JSON. Codes: `INVALID_MANIFEST`, `INDEX_VERSION`, `INDEX_MODEL_MISMATCH`.
#[wasm_bindgen(js_name = checkManifest)]
pub fn check_manifest(json: &[u8], model_sha256: Option<String>) -> Result<String> {
    let m = sparrow_core::format::SiteManifest::from_json(json, model_sha256.as_deref())?;
    to_json(&m)
}

/// The format versions a module reads and writes.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "FormatVersions"))]
#[serde(rename_all = "camelCase")]
struct Versions {
    /// The binary index format (`FORMAT_VERSION`).
    index_format: u16,
    /// The site manifest's shape (`MANIFEST_VERSION`).
    manifest: u32,
}

/// An index's counts and sizes, and the module's memory.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "IndexStats"))]
#[serde(rename_all = "camelCase")]
struct JsStats {
    #[serde(flatten)]
    index: sparrow_core::Stats,
    /// The wasm instance's linear memory: all its indexes, the model, free space (wasm memory
    /// grows and never shrinks).
    wasm_memory_bytes: u64,
}

/// The versions this module reads and writes, as JSON: `{indexFormat, manifest}`.
#[wasm_bindgen(js_name = formatVersions)]
pub fn format_versions() -> Result<String> {
    to_json(&Versions {
        index_format: sparrow_core::format::FORMAT_VERSION,
        manifest: sparrow_core::format::MANIFEST_VERSION,
    })
}

/// The SIMD instruction set this module was built for: `"relaxed-simd"` (the full module's
/// second build, whose integer projection and tract's matrix kernels use relaxed-SIMD) or
/// `"simd128"`. The package picks the relaxed build where `WebAssembly.validate` accepts it.
#[wasm_bindgen(js_name = simdLevel)]
pub fn simd_level() -> String {
    if cfg!(target_feature = "relaxed-simd") { "relaxed-simd" } else { "simd128" }.to_owned()
}

/// `value` as JSON text.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| BindingError::internal(e.to_string()))
}

/// Parses JSON text (`""` or `null` give `T::default()`), naming `what` in the error.
pub(crate) fn parse_or_default<T: serde::de::DeserializeOwned + Default>(
    json: &str,
    code: &'static str,
    what: &str,
) -> Result<T> {
    let json = json.trim();
    if json.is_empty() || json == "null" {
        return Ok(T::default());
    }
    serde_json::from_str(json).map_err(|e| BindingError::new(code, format!("invalid {what}: {e}")))
}

/// A search index living in wasm memory, with the vocabulary lookup queries are tokenized with,
/// and an optional sparse encoder.
#[wasm_bindgen]
#[derive(Debug)]
pub struct SparrowIndex {
    index: Index,
    encoder: Option<Model>,
    /// A site's vocabulary file (`loadVocab`): wins over the model's, whose ids a site index
    /// does not use.
    site_vocab: Option<WordPiece>,
    /// A site's vocabulary in parts (`loadVocabPart`), when the whole file is not loaded.
    site_parts: Option<VocabParts>,
    /// The loaded model's vocabulary (from its `tokenizer.json`).
    model_vocab: Option<WordPiece>,
    /// The last model-encoded query (text → vector): `missingShards` then `search` encode once.
    last_query: std::cell::RefCell<Option<(String, sparrow_core::SparseVector)>>,
}

#[wasm_bindgen]
impl SparrowIndex {
    /// Loads an index written by `toBytes` (or the CLI). Truncated, corrupted, foreign or
    /// future-version bytes fail with an `INDEX_*` code.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<SparrowIndex> {
        Ok(SparrowIndex::wrap(Index::from_bytes(bytes)?))
    }

    /// Loads a sharded index's base (`sparrow index` in sharded mode): statistics, lengths and
    /// filters; postings come with `loadShard`, documents with `loadFragment`. Bad bytes fail
    /// with an `INDEX_*` code.
    #[wasm_bindgen(js_name = fromBaseBytes)]
    pub fn from_base_bytes(bytes: &[u8]) -> Result<SparrowIndex> {
        Ok(SparrowIndex::wrap(Index::from_base_bytes(bytes)?))
    }

    /// Loads a vocabulary file (`sparrow index` writes one next to a site index), so lookup
    /// queries need no model. `VOCAB_MISMATCH` if the index was built for another vocabulary.
    #[wasm_bindgen(js_name = loadVocab)]
    pub fn load_vocab(&mut self, bytes: &[u8]) -> Result<()> {
        let vocab = WordPiece::from_vocab_bytes(bytes)?;
        self.index.check_term_space(vocab.term_space())?;
        self.site_vocab = Some(vocab);
        Ok(())
    }

    /// Loads a part of a site's vocabulary (`sparrow index` writes them next to the whole file;
    /// the manifest's `vocabParts`); returns the first of the first bytes it covers. The first
    /// part is needed before any lookup query, the others as `missingVocabLeads` names them.
    /// `VOCAB_MISMATCH` if the index was built for another vocabulary, `INVALID_VOCAB` for a
    /// part of another vocabulary than the parts loaded, `INDEX_*` for bad bytes.
    #[wasm_bindgen(js_name = loadVocabPart)]
    pub fn load_vocab_part(&mut self, bytes: &[u8]) -> Result<u8> {
        let part = VocabPart::from_bytes(bytes)?;
        self.index.check_term_space(part.term_space())?;
        let first = *part.leads().start();
        match &mut self.site_parts {
            Some(parts) => {
                parts.add(part)?;
            }
            None => self.site_parts = Some(VocabParts::new(part)?),
        }
        Ok(first)
    }

    /// The first bytes (ascending) whose vocabulary parts `search(query, options)` needs and
    /// that are not loaded; empty without parts (a whole vocabulary or a model), for lexical
    /// mode, and once they are in. Ask again after loading them: a query's added tokens are
    /// known only once the first part is in.
    #[wasm_bindgen(js_name = missingVocabLeads)]
    pub fn missing_vocab_leads(&self, query: &str, options: &str) -> Result<Vec<u8>> {
        let options: SearchOptions = parse_or_default(options, "INVALID_OPTION", "search options")?;
        Query::new(query).check()?;
        Ok(match &self.site_parts {
            Some(parts) if self.site_vocab.is_none() && options.mode != Mode::Lexical => {
                parts.missing_leads(query)
            }
            _ => Vec::new(),
        })
    }

    /// Whether lookup queries can be made: a vocabulary file or a model is loaded.
    #[wasm_bindgen(getter, js_name = hasVocab)]
    pub fn has_vocab(&self) -> bool {
        self.vocab().is_some()
    }

    /// Whether a sparse encoder is loaded (always `false` in the search-only module).
    #[wasm_bindgen(getter, js_name = hasModel)]
    pub fn has_model(&self) -> bool {
        self.encoder.is_some()
    }

    /// Whether a document with this id is indexed.
    pub fn has(&self, id: &str) -> bool {
        self.index.contains(id)
    }

    /// The stored document as JSON (title, text if stored, url, tags, fields), or `undefined`.
    #[wasm_bindgen(js_name = getDocument)]
    pub fn get_document(&self, id: &str) -> Result<Option<String>> {
        self.index.get(id).map(|doc| to_json(&doc)).transpose()
    }

    /// Number of live documents.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.index.len()
    }

    /// Searches. `options` is a `SearchOptions` as JSON (limit, mode, fusion, candidates,
    /// filter, explain, queryEncoder). The sparse arm runs on the model's expansion of the query
    /// when a model is loaded (unless `queryEncoder: "lookup"`), else on its WordPiece tokens
    /// (a lookup query) when a vocabulary is loaded; with neither, hybrid falls back to lexical
    /// and `mode: "sparse"` fails with `MODEL_NOT_LOADED`. On a sharded index,
    /// `SHARDS_NOT_LOADED` / `FRAGMENTS_NOT_LOADED` carry the missing numbers as `error.shards` /
    /// `error.fragments`. Returns the hits as JSON (see `hits.rs` for why).
    pub fn search(&self, query: &str, options: &str) -> Result<String> {
        let options: SearchOptions = parse_or_default(options, "INVALID_OPTION", "search options")?;
        let mut hits = self.index.search(&self.query(query.to_owned(), &options)?, &options)?;
        let vocab = self.vocab();
        for explanation in hits.iter_mut().filter_map(|h| h.explanation.as_mut()) {
            explanation.name_terms(|id| vocab.and_then(|v| v.token(id)).map(str::to_owned));
        }
        hits::to_json(&hits)
    }

    /// The postings shards (ascending numbers) that `search(query, options)` needs and that are
    /// not loaded yet; always empty for an index not loaded with `fromBaseBytes`. A model
    /// encoding of the query is kept for the `search` that follows.
    #[wasm_bindgen(js_name = missingShards)]
    pub fn missing_shards(&self, query: &str, options: &str) -> Result<Vec<u32>> {
        let options: SearchOptions = parse_or_default(options, "INVALID_OPTION", "search options")?;
        if self.index.shard_count().is_none() {
            // Still refused when too large, as `search` would refuse it.
            Query::new(query).check()?;
            return Ok(Vec::new());
        }
        Ok(self.index.missing_shards(&self.query(query.to_owned(), &options)?, &options))
    }

    /// Adds a postings shard of the loaded base; returns its number. A shard of another index
    /// fails with `INDEX_SHARD_MISMATCH`, a file of another kind with `INDEX_WRONG_KIND`.
    #[wasm_bindgen(js_name = loadShard)]
    pub fn load_shard(&mut self, bytes: &[u8]) -> Result<u32> {
        Ok(self.index.load_shard(bytes)?)
    }

    /// Adds a document fragment of the loaded base (the stored documents of a run of slots);
    /// returns its number. Another index's fragment fails with `INDEX_SHARD_MISMATCH`.
    #[wasm_bindgen(js_name = loadFragment)]
    pub fn load_fragment(&mut self, bytes: &[u8]) -> Result<u32> {
        Ok(self.index.load_fragment(bytes)?)
    }

    /// The number of postings shards, or `undefined` for an index that is not sharded.
    #[wasm_bindgen(getter, js_name = shardCount)]
    pub fn shard_count(&self) -> Option<u32> {
        self.index.shard_count()
    }

    /// The number of document fragments, or `undefined` for an index that is not sharded.
    #[wasm_bindgen(getter, js_name = fragmentCount)]
    pub fn fragment_count(&self) -> Option<u32> {
        self.index.fragment_count()
    }

    /// Counts and sizes as JSON (`documents`, `deleted`, `lexicalTerms`, `sparseTerms`, ...),
    /// plus `wasmMemoryBytes`: the linear memory this module's instance holds (every index in
    /// it, the model, and free space; wasm memory grows and never shrinks).
    pub fn stats(&self) -> Result<String> {
        #[cfg(target_arch = "wasm32")]
        let wasm_memory_bytes = core::arch::wasm32::memory_size(0) as u64 * 65_536;
        #[cfg(not(target_arch = "wasm32"))]
        let wasm_memory_bytes = 0;
        to_json(&JsStats { index: self.index.stats(), wasm_memory_bytes })
    }
}

#[cfg(feature = "export")]
#[wasm_bindgen]
impl SparrowIndex {
    /// The request another engine (Elasticsearch, OpenSearch, Anserini) needs to run the query
    /// this index would run, as JSON `{"format", "vector", "body", "pipeline"?}` (shapes and
    /// engine rules: `sparrow_core::export`). `options`: `{"format", "scale"?}` plus search
    /// options (`mode` defaults to `"sparse"` here, `queryEncoder` as for `search`). The vector
    /// is the one `search` scores: the model's expansion or the lookup weights.
    #[wasm_bindgen(js_name = queryVector)]
    pub fn query_vector(&self, query: &str, options: &str) -> Result<String> {
        let options = sparrow_core::export::EngineQueryOptions::from_json(options)?;
        let q = self.query(query.to_owned(), &options.search)?;
        // A sharded index knows a term's weight once its shard is loaded (`SiteSearch` loads them).
        let shards = self.index.missing_shards(&q, &options.search);
        if !shards.is_empty() {
            return Err(sparrow_core::Error::ShardsNotLoaded { shards }.into());
        }
        let vector = match options.search.mode {
            Mode::Lexical => None,
            _ => self.index.query_vector(&q, options.search.query_encoder),
        };
        let vocab = self.vocab();
        let named: Option<Vec<(&str, f32)>> = match (&vector, vocab) {
            (Some(v), Some(vocab)) => {
                Some(v.iter().filter_map(|(id, w)| Some((vocab.token(id)?, w))).collect())
            }
            _ => None,
        };
        to_json(&sparrow_core::export::query_request(&q.text, named, &options)?)
    }
}

impl SparrowIndex {
    fn wrap(index: Index) -> Self {
        SparrowIndex {
            index,
            encoder: None,
            site_vocab: None,
            site_parts: None,
            model_vocab: None,
            last_query: Default::default(),
        }
    }

    /// The vocabulary lookup queries and explanations use: the site's, else the model's.
    fn vocab(&self) -> Option<&WordPiece> {
        self.site_vocab
            .as_ref()
            .or_else(|| self.site_parts.as_ref().and_then(VocabParts::wordpiece))
            .or(self.model_vocab.as_ref())
    }

    /// The core query for `text` under `options`: its WordPiece tokens when a vocabulary is
    /// loaded, and the model's expansion when a model is loaded and the options do not ask for
    /// lookup (the last encoding is reused for the same text). A model vector is re-keyed to a
    /// site vocabulary's ids.
    fn query(&self, text: String, options: &SearchOptions) -> Result<Query> {
        let mut query = Query::new(text);
        // Before tokenizing or running the model on it (and, for `missingShards`, before the
        // caller fetches shards for it).
        query.check()?;
        if options.mode == Mode::Lexical {
            return Ok(query);
        }
        let parts = self.site_parts.as_ref().filter(|_| self.site_vocab.is_none());
        if let Some(parts) = parts {
            // Only the parts the query's words start with are loaded: refused, never tokenized
            // differently, until they all are (`missingVocabLeads`).
            self.index.check_term_space(parts.term_space())?;
            query.tokens = Some(parts.ids(&query.text)?);
        } else if let Some(vocab) = self.vocab() {
            self.index.check_term_space(vocab.term_space())?;
            query.tokens = Some(vocab.ids(&query.text));
        }
        // Unset: the model's expansion when a model is loaded, else the lookup query.
        let want_model =
            options.query_encoder != Some(QueryEncoder::Lookup) || query.tokens.is_none();
        if let (Some(encoder), true) = (&self.encoder, want_model) {
            let mut last = self.last_query.borrow_mut();
            let v = match &*last {
                Some((t, v)) if *t == query.text => v.clone(),
                _ => {
                    let v = encoder.encode_query(&query.text)?;
                    *last = Some((query.text.clone(), v.clone()));
                    v
                }
            };
            query = query.with_expansion(match (&self.site_vocab, parts) {
                (Some(site), _) => site.rekey(&v, |id| encoder.token(id)),
                // The expansion's terms start with any byte: it needs the whole vocabulary.
                (None, Some(_)) => {
                    return Err(BindingError::new(
                        "VOCAB_PARTS_NOT_LOADED",
                        "a model's query expansion needs the site's whole vocabulary (loadVocab), not parts",
                    ))
                }
                (None, None) => v,
            });
        }
        if options.mode == Mode::Sparse && !query.has_sparse_side() {
            return Err(BindingError::new(
                "MODEL_NOT_LOADED",
                "mode \"sparse\" needs a vocabulary (loadVocab) or a model (loadModel); lexical and hybrid work without",
            ));
        }
        Ok(query)
    }
}
