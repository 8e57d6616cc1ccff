//! wasm-bindgen bindings for Sparrow: one class, `SparrowIndex`, over `sparrow_core::Index`, a
//! WordPiece vocabulary for lookup queries, and an optional sparse encoder
//! (`sparrow_encoder::SparseEncoder`, see [`model`]).
//!
//! This crate is deliberately thin. Every method converts its arguments from JS, calls the core or
//! the encoder, and converts the result back; ranking, fusion, validation and the byte format live
//! in `sparrow-core`. Errors cross the boundary as JS `Error`s carrying a stable `code` (from
//! `sparrow_core::Error::code` / `sparrow_encoder::EncoderError::code`), never as panics.
//! The public JavaScript API is the TypeScript layer in `pkg-config/src`, not this module.
//!
//! Two modules are built from this crate: the full one (`model` feature: tract, tokenizers, the
//! encoder) and the search-only one (`--no-default-features`), which loads an index and a
//! vocabulary file and answers lexical and lookup-hybrid queries without any model code.

use serde::Serialize;
use sparrow_core::{
    Document, Index, IndexConfig, Mode, Query, QueryEncoder, SearchOptions, ShardingOptions,
    WordPiece,
};
use wasm_bindgen::prelude::*;

pub mod error;
mod hits;
mod model;

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
/// manifest as a plain object. Codes: `INVALID_MANIFEST`, `INDEX_VERSION`, `INDEX_MODEL_MISMATCH`.
#[wasm_bindgen(js_name = checkManifest)]
pub fn check_manifest(json: &[u8], model_sha256: Option<String>) -> Result<JsValue> {
    let m = sparrow_core::format::SiteManifest::from_json(json, model_sha256.as_deref())?;
    to_js(&m)
}

/// The versions this module reads and writes: `{indexFormat, manifest}`.
#[wasm_bindgen(js_name = formatVersions)]
pub fn format_versions() -> Result<JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Versions {
        index_format: u16,
        manifest: u32,
    }
    to_js(&Versions {
        index_format: sparrow_core::format::FORMAT_VERSION,
        manifest: sparrow_core::format::MANIFEST_VERSION,
    })
}

/// Serializes Rust values as plain JS objects (not `Map`s), which is what callers expect.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(false);
    value.serialize(&serializer).map_err(|e| BindingError::internal(e.to_string()))
}

/// Deserializes `value` (undefined/null → `T::default()`), naming `what` in the error.
fn from_js_or_default<T: serde::de::DeserializeOwned + Default>(
    value: JsValue,
    code: &'static str,
    what: &str,
) -> Result<T> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| BindingError::new(code, format!("invalid {what}: {e}")))
}

fn document_from_js(value: JsValue) -> Result<Document> {
    if !value.is_object() {
        return Err(BindingError::new(
            "INVALID_DOCUMENT",
            "a document must be an object like {id: string, text: string, title?: string}",
        ));
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| BindingError::new("INVALID_DOCUMENT", format!("invalid document: {e}")))
}

/// What `addDocument` reports about one document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddReport {
    id: String,
    /// `true` when the document got a learned-sparse vector (model loaded, language accepted).
    semantic: bool,
    language: Option<String>,
    skipped: Option<String>,
    truncated: bool,
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
    /// The loaded model's vocabulary (from its `tokenizer.json`).
    model_vocab: Option<WordPiece>,
    /// The last model-encoded query (text → vector): `missingShards` then `search` encode once.
    last_query: std::cell::RefCell<Option<(String, sparrow_core::SparseVector)>>,
}

#[wasm_bindgen]
impl SparrowIndex {
    /// `new SparrowIndex(config?)`: `config` is an `IndexConfig` (analyzer, bm25, storeText, ...).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<SparrowIndex> {
        let config: IndexConfig = from_js_or_default(config, "INVALID_OPTION", "index config")?;
        Ok(SparrowIndex::wrap(Index::new(config)?))
    }

    /// Loads the sparse encoder from model (ONNX) and `tokenizer.json` bytes. Replaces any
    /// previously loaded model only if the new one loads. Returns the model's info.
    #[wasm_bindgen(js_name = loadModel)]
    pub fn load_model(
        &mut self,
        model: &[u8],
        tokenizer: &[u8],
        config: JsValue,
    ) -> Result<JsValue> {
        let encoder = Model::load(model, tokenizer, config)?;
        let vocab = WordPiece::from_tokenizer_json(tokenizer)?;
        let info = encoder.info()?;
        self.encoder = Some(encoder);
        self.model_vocab = Some(vocab);
        self.last_query.replace(None);
        Ok(info)
    }

    /// Whether a sparse encoder is loaded.
    #[wasm_bindgen(getter, js_name = hasModel)]
    pub fn has_model(&self) -> bool {
        self.encoder.is_some()
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

    /// Whether lookup queries can be made: a vocabulary file or a model is loaded.
    #[wasm_bindgen(getter, js_name = hasVocab)]
    pub fn has_vocab(&self) -> bool {
        self.vocab().is_some()
    }

    /// Adds one document; fails with `DUPLICATE_ID` if the id exists (the index is unchanged).
    #[wasm_bindgen(js_name = addDocument)]
    pub fn add_document(&mut self, doc: JsValue) -> Result<JsValue> {
        let mut docs = [document_from_js(doc)?];
        self.index.check_new(&docs)?; // fail before spending time on the model
        self.check_model_terms()?;
        let report = self.encode_into(&mut docs)?.pop();
        let [doc] = docs;
        self.index.add(doc)?;
        self.declare_model_terms(&report)?;
        to_js(&report)
    }

    /// Adds many documents, all or nothing. `onProgress(done, total)` is called after each
    /// encoded batch of `batchSize` documents (default 8).
    #[wasm_bindgen(js_name = addDocuments)]
    pub fn add_documents(
        &mut self,
        docs: JsValue,
        on_progress: Option<js_sys::Function>,
        batch_size: Option<usize>,
    ) -> Result<JsValue> {
        let array: js_sys::Array = docs.dyn_into().map_err(|_| {
            BindingError::new("INVALID_DOCUMENT", "addDocuments expects an array of documents")
        })?;
        let mut docs = Vec::with_capacity(array.length() as usize);
        for (i, value) in array.iter().enumerate() {
            docs.push(document_from_js(value).map_err(|e| e.at_index(i))?);
        }
        self.index.check_new(&docs)?;
        self.check_model_terms()?;
        let total = docs.len();
        let mut reports = Vec::with_capacity(total);
        for chunk in docs.chunks_mut(batch_size.unwrap_or(8).max(1)) {
            reports.extend(self.encode_into(chunk)?);
            if let Some(f) = &on_progress {
                // A throwing callback must not leave the index half-written: nothing is added yet.
                f.call2(&JsValue::NULL, &reports.len().into(), &total.into())
                    .map_err(BindingError::from_js_exception)?;
            }
        }
        self.index.add_many(docs)?;
        self.declare_model_terms(&reports)?;
        to_js(&reports)
    }

    /// Replaces the document with the same id; `UNKNOWN_ID` if there is none.
    #[wasm_bindgen(js_name = updateDocument)]
    pub fn update_document(&mut self, doc: JsValue) -> Result<JsValue> {
        let mut docs = [document_from_js(doc)?];
        self.index.check_update(&docs[0])?;
        self.check_model_terms()?;
        let report = self.encode_into(&mut docs)?.pop();
        let [doc] = docs;
        self.index.update(doc)?;
        self.declare_model_terms(&report)?;
        to_js(&report)
    }

    /// Removes a document by id; returns whether it existed.
    #[wasm_bindgen(js_name = removeDocument)]
    pub fn remove_document(&mut self, id: JsValue) -> Result<bool> {
        let id = id
            .as_string()
            .ok_or_else(|| BindingError::new("INVALID_ID", "removeDocument expects a string id"))?;
        Ok(self.index.remove(&id))
    }

    /// Whether a document with this id is indexed.
    pub fn has(&self, id: &str) -> bool {
        self.index.contains(id)
    }

    /// The stored document (title, text if stored, url, tags, fields), or `undefined`.
    #[wasm_bindgen(js_name = getDocument)]
    pub fn get_document(&self, id: &str) -> Result<JsValue> {
        match self.index.get(id) {
            Some(doc) => to_js(&doc),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Number of live documents.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.index.len()
    }

    /// Searches. `options` is a `SearchOptions` (limit, mode, fusion, candidates, filter,
    /// explain, queryEncoder). The sparse arm runs on the query's WordPiece tokens (lookup, the
    /// default) when a vocabulary is loaded, or on the model's expansion (`queryEncoder:
    /// "model"`, or no vocabulary); with neither, hybrid falls back to lexical and `mode:
    /// "sparse"` fails with `MODEL_NOT_LOADED`. On a sharded index, `SHARDS_NOT_LOADED` /
    /// `FRAGMENTS_NOT_LOADED` carry the missing numbers as `error.shards` / `error.fragments`.
    pub fn search(&self, query: JsValue, options: JsValue) -> Result<JsValue> {
        let (text, options) = query_args(query, options, "search")?;
        let mut hits = self.index.search(&self.query(text, &options)?, &options)?;
        let vocab = self.vocab();
        for explanation in hits.iter_mut().filter_map(|h| h.explanation.as_mut()) {
            explanation.name_terms(|id| vocab.and_then(|v| v.token(id)).map(str::to_owned));
        }
        hits::hits_to_js(&hits)
    }

    /// The postings shards (ascending numbers) that `search(query, options)` needs and that are
    /// not loaded yet; always empty for an index not loaded with `fromBaseBytes`. A model
    /// encoding of the query is kept for the `search` that follows.
    #[wasm_bindgen(js_name = missingShards)]
    pub fn missing_shards(&self, query: JsValue, options: JsValue) -> Result<Vec<u32>> {
        let (text, options) = query_args(query, options, "missingShards")?;
        if self.index.shard_count().is_none() {
            return Ok(Vec::new());
        }
        Ok(self.index.missing_shards(&self.query(text, &options)?, &options))
    }

    /// Loads a sharded index's base (`sparrow index` in sharded mode): statistics, lengths and
    /// filters; postings come with `loadShard`, documents with `loadFragment`. Bad bytes fail
    /// with an `INDEX_*` code.
    #[wasm_bindgen(js_name = fromBaseBytes)]
    pub fn from_base_bytes(bytes: &[u8]) -> Result<SparrowIndex> {
        Ok(SparrowIndex::wrap(Index::from_base_bytes(bytes)?))
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

    /// The learned-sparse expansion of a query: `[{termId, term, weight}]`, heaviest first.
    #[wasm_bindgen(js_name = encodeQuery)]
    pub fn encode_query(&self, text: &str) -> Result<JsValue> {
        let encoder = self.encoder("encodeQuery")?;
        to_js(&named_terms(encoder, &encoder.encode_query(text)?))
    }

    /// A document's expansion as it would be indexed: `{terms, language, skipped, windows,
    /// truncated}` (`terms` empty when the language policy skipped it).
    #[wasm_bindgen(js_name = encodeDocument)]
    pub fn encode_document(&self, text: &str) -> Result<JsValue> {
        let encoder = self.encoder("encodeDocument")?;
        let enc = encoder
            .encode_documents(&[text])?
            .pop()
            .ok_or_else(|| BindingError::internal("no encoding"))?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Encoded {
            terms: Vec<NamedTerm>,
            language: Option<String>,
            skipped: Option<String>,
            windows: usize,
            tokens: usize,
            truncated: bool,
        }
        to_js(&Encoded {
            terms: enc.vector.as_ref().map(|v| named_terms(encoder, v)).unwrap_or_default(),
            language: enc.language,
            skipped: enc.skipped,
            windows: enc.windows,
            tokens: enc.tokens,
            truncated: enc.truncated,
        })
    }

    /// Token ids as the model sees them (`[CLS] ... [SEP]`), for parity checks.
    #[wasm_bindgen(js_name = tokenIds)]
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>> {
        self.encoder("tokenIds")?.token_ids(text)
    }

    /// Reclaims the space of removed documents; results do not change.
    pub fn vacuum(&mut self) {
        self.index.vacuum();
    }

    /// Counts and sizes (`documents`, `deleted`, `lexicalTerms`, `sparseTerms`, ...).
    pub fn stats(&self) -> Result<JsValue> {
        to_js(&self.index.stats())
    }

    /// The whole index in Sparrow's versioned binary format (the model is not included). A
    /// sharded index with shards still to load fails with `INDEX_PARTIAL`.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        self.index.check_complete()?;
        Ok(self.index.to_bytes())
    }

    /// The index split into a base, postings shards and document fragments (what `sparrow
    /// index` writes for a static site): `{base, shards: [...], fragments: [...]}`. `options` is
    /// a `ShardingOptions` (`shards`, `fragmentBytes`, `filterFields`); `INVALID_OPTION` unless
    /// `1 <= shards <= 65536`.
    #[wasm_bindgen(js_name = toShardedBytes)]
    pub fn to_sharded_bytes(&self, options: JsValue) -> Result<js_sys::Object> {
        let options: ShardingOptions =
            from_js_or_default(options, "INVALID_OPTION", "sharding options")?;
        let parts = self.index.to_sharded_bytes(&options)?;
        let list = |files: &[Vec<u8>]| {
            files.iter().map(|b| js_sys::Uint8Array::from(b.as_slice())).collect::<js_sys::Array>()
        };
        let out = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&out, &k.into(), v).map(|_| ());
        set("base", &js_sys::Uint8Array::from(parts.base.as_slice()).into())
            .and_then(|()| set("shards", &list(&parts.shards).into()))
            .and_then(|()| set("fragments", &list(&parts.fragments).into()))
            .map_err(|_| BindingError::internal("cannot build the sharded bytes object"))?;
        Ok(out)
    }

    /// Loads an index written by `toBytes` (or the CLI). Truncated, corrupted, foreign or
    /// future-version bytes fail with an `INDEX_*` code.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<SparrowIndex> {
        Ok(SparrowIndex::wrap(Index::from_bytes(bytes)?))
    }

    /// Moves the loaded model and vocabulary to another index (e.g. after `fromBytes`), so they
    /// are parsed once.
    #[wasm_bindgen(js_name = takeModelFrom)]
    pub fn take_model_from(&mut self, other: &mut SparrowIndex) {
        if let Some(encoder) = other.encoder.take() {
            self.encoder = Some(encoder);
            self.model_vocab = other.model_vocab.take();
            self.last_query.replace(None);
        }
        if let Some(vocab) = other.site_vocab.take() {
            self.site_vocab = Some(vocab);
        }
    }
}

/// The query text and options of `search` / `missingShards`.
fn query_args(query: JsValue, options: JsValue, method: &str) -> Result<(String, SearchOptions)> {
    let text = query.as_string().ok_or_else(|| {
        BindingError::new("INVALID_QUERY", format!("{method} expects the query as a string"))
    })?;
    let options = from_js_or_default(options, "INVALID_OPTION", "search options")?;
    Ok((text, options))
}

impl SparrowIndex {
    fn wrap(index: Index) -> Self {
        SparrowIndex {
            index,
            encoder: None,
            site_vocab: None,
            model_vocab: None,
            last_query: Default::default(),
        }
    }

    /// The vocabulary lookup queries and explanations use: the site's, else the model's.
    fn vocab(&self) -> Option<&WordPiece> {
        self.site_vocab.as_ref().or(self.model_vocab.as_ref())
    }

    /// The core query for `text` under `options`: its WordPiece tokens when a vocabulary is
    /// loaded, and the model's expansion when asked for (`queryEncoder: "model"`) or when there
    /// is no vocabulary (the last encoding is reused for the same text). A model vector is
    /// re-keyed to a site vocabulary's ids.
    fn query(&self, text: String, options: &SearchOptions) -> Result<Query> {
        let mut query = Query::new(text);
        if options.mode == Mode::Lexical {
            return Ok(query);
        }
        if let Some(vocab) = self.vocab() {
            self.index.check_term_space(vocab.term_space())?;
            query.tokens = Some(vocab.ids(&query.text));
        }
        let want_model = options.query_encoder == QueryEncoder::Model || query.tokens.is_none();
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
            query.sparse = Some(match &self.site_vocab {
                Some(site) => site.rekey(&v, |id| encoder.token(id)),
                None => v,
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

    /// Before adding documents a model will encode: the index must take the model's ids.
    fn check_model_terms(&self) -> Result<()> {
        match (&self.encoder, &self.model_vocab) {
            (Some(_), Some(v)) => Ok(self.index.check_term_space(v.term_space())?),
            _ => Ok(()),
        }
    }

    /// After adding documents a model encoded: the index's sparse ids are the model's.
    fn declare_model_terms<T: AnyEncoded>(&mut self, reports: &T) -> Result<()> {
        if let (true, Some(v)) = (reports.any_semantic(), &self.model_vocab) {
            self.index.set_term_space(v.term_space())?;
        }
        Ok(())
    }

    fn encoder(&self, method: &str) -> Result<&Model> {
        self.encoder.as_ref().ok_or_else(|| {
            BindingError::new(
                "MODEL_NOT_LOADED",
                format!("{method} needs a model: call loadModel first"),
            )
        })
    }

    /// Encodes `docs` in place (sets `doc.sparse`) when a model is loaded; one report per doc.
    fn encode_into(&self, docs: &mut [Document]) -> Result<Vec<AddReport>> {
        let Some(encoder) = &self.encoder else {
            return Ok(docs.iter().map(|d| AddReport::lexical(&d.id, "no model loaded")).collect());
        };
        let texts: Vec<String> = docs.iter().map(Document::semantic_text).collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let encodings = encoder.encode_documents(&texts)?;
        Ok(docs
            .iter_mut()
            .zip(encodings)
            .map(|(doc, enc)| {
                doc.sparse = enc.vector;
                AddReport {
                    id: doc.id.clone(),
                    semantic: doc.sparse.is_some(),
                    language: enc.language,
                    skipped: enc.skipped,
                    truncated: enc.truncated,
                }
            })
            .collect())
    }
}

/// One expansion term with its token string.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NamedTerm {
    term_id: u32,
    term: Option<String>,
    weight: f32,
}

/// `vector`'s terms with their token strings, heaviest first.
fn named_terms(encoder: &Model, vector: &sparrow_core::SparseVector) -> Vec<NamedTerm> {
    let mut terms: Vec<NamedTerm> = vector
        .iter()
        .map(|(term_id, weight)| NamedTerm { term_id, term: encoder.token(term_id), weight })
        .collect();
    terms.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    terms
}

/// Whether any of the reports got a learned-sparse vector.
trait AnyEncoded {
    fn any_semantic(&self) -> bool;
}

impl AnyEncoded for Option<AddReport> {
    fn any_semantic(&self) -> bool {
        self.as_ref().is_some_and(|r| r.semantic)
    }
}

impl AnyEncoded for Vec<AddReport> {
    fn any_semantic(&self) -> bool {
        self.iter().any(|r| r.semantic)
    }
}

impl AddReport {
    fn lexical(id: &str, why: &str) -> Self {
        AddReport {
            id: id.to_owned(),
            semantic: false,
            language: None,
            skipped: Some(why.to_owned()),
            truncated: false,
        }
    }
}
