//! wasm-bindgen bindings for Sparrow: one class, `SparrowIndex`, over `sparrow_core::Index` and an
//! optional sparse encoder (`sparrow_encoder::SparseEncoder`, see [`model`]).
//!
//! This crate is deliberately thin. Every method converts its arguments from JS, calls the core or
//! the encoder, and converts the result back; ranking, fusion, validation and the byte format live
//! in `sparrow-core`. Errors cross the boundary as JS `Error`s carrying a stable `code` (from
//! `sparrow_core::Error::code` / `sparrow_encoder::EncoderError::code`), never as panics.
//! The public JavaScript API is the TypeScript layer in `pkg-config/src`, not this module.

use serde::Serialize;
use sparrow_core::{Document, Index, IndexConfig, Query, SearchOptions};
use wasm_bindgen::prelude::*;

pub mod error;
mod hits;
mod model;
#[cfg(all(test, target_arch = "wasm32"))]
mod tests;

use error::{BindingError, Result};
use model::Model;

/// Installs the panic hook so a bug shows a Rust message in the console instead of
/// `unreachable executed`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
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

/// A search index living in wasm memory, with an optional sparse encoder.
#[wasm_bindgen]
#[derive(Debug)]
pub struct SparrowIndex {
    index: Index,
    encoder: Option<Model>,
    /// The last encoded query (text → vector): `missingShards` then `search` encode once.
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
        let info = encoder.info()?;
        self.encoder = Some(encoder);
        self.last_query.replace(None);
        Ok(info)
    }

    /// Whether a sparse encoder is loaded.
    #[wasm_bindgen(getter, js_name = hasModel)]
    pub fn has_model(&self) -> bool {
        self.encoder.is_some()
    }

    /// Adds one document; fails with `DUPLICATE_ID` if the id exists (the index is unchanged).
    #[wasm_bindgen(js_name = addDocument)]
    pub fn add_document(&mut self, doc: JsValue) -> Result<JsValue> {
        let mut docs = [document_from_js(doc)?];
        self.index.check_new(&docs)?; // fail before spending time on the model
        let report = self.encode_into(&mut docs)?.pop();
        let [doc] = docs;
        self.index.add(doc)?;
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
        to_js(&reports)
    }

    /// Replaces the document with the same id; `UNKNOWN_ID` if there is none.
    #[wasm_bindgen(js_name = updateDocument)]
    pub fn update_document(&mut self, doc: JsValue) -> Result<JsValue> {
        let mut docs = [document_from_js(doc)?];
        self.index.check_update(&docs[0])?;
        let report = self.encode_into(&mut docs)?.pop();
        let [doc] = docs;
        self.index.update(doc)?;
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
    /// explain). Without a model, hybrid falls back to lexical; `mode: "sparse"` fails with
    /// `MODEL_NOT_LOADED`.
    pub fn search(&self, query: JsValue, options: JsValue) -> Result<JsValue> {
        let text = query.as_string().ok_or_else(|| {
            BindingError::new("INVALID_QUERY", "search expects the query as a string")
        })?;
        let options: SearchOptions =
            from_js_or_default(options, "INVALID_OPTION", "search options")?;
        let mut hits = self.index.search(&self.query(text, options.mode)?, &options)?;
        if let Some(encoder) = &self.encoder {
            for explanation in hits.iter_mut().filter_map(|h| h.explanation.as_mut()) {
                explanation.name_terms(|id| encoder.token(id));
            }
        }
        hits::hits_to_js(&hits)
    }

    /// The postings shards (ascending numbers) that `search(query, options)` needs and that are
    /// not loaded yet; always empty for an index not loaded with `fromBaseBytes`. Encodes the
    /// query (kept for the `search` that follows).
    #[wasm_bindgen(js_name = missingShards)]
    pub fn missing_shards(&self, query: JsValue, options: JsValue) -> Result<Vec<u32>> {
        let text = query.as_string().ok_or_else(|| {
            BindingError::new("INVALID_QUERY", "missingShards expects the query as a string")
        })?;
        let options: SearchOptions =
            from_js_or_default(options, "INVALID_OPTION", "search options")?;
        if self.index.shard_count().is_none() {
            return Ok(Vec::new());
        }
        Ok(self.index.missing_shards(&self.query(text, options.mode)?, options.mode))
    }

    /// Loads a sharded index's base (`sparrow index` in sharded mode): documents and statistics;
    /// postings come with `loadShard`. Bad bytes fail with an `INDEX_*` code.
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

    /// The number of postings shards, or `undefined` for an index that is not sharded.
    #[wasm_bindgen(getter, js_name = shardCount)]
    pub fn shard_count(&self) -> Option<u32> {
        self.index.shard_count()
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

    /// The index split into a base and `count` postings shards (what `sparrow index` writes above
    /// its whole-index threshold): `[base, shard0, shard1, ...]`. `INVALID_OPTION` unless
    /// `1 <= count <= 65536`.
    #[wasm_bindgen(js_name = toShardedBytes)]
    pub fn to_sharded_bytes(&self, count: u32) -> Result<js_sys::Array> {
        let parts = self.index.to_sharded_bytes(count)?;
        let out = js_sys::Array::new();
        for bytes in std::iter::once(&parts.base).chain(&parts.shards) {
            out.push(&js_sys::Uint8Array::from(bytes.as_slice()));
        }
        Ok(out)
    }

    /// Loads an index written by `toBytes` (or the CLI). Truncated, corrupted, foreign or
    /// future-version bytes fail with an `INDEX_*` code.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<SparrowIndex> {
        Ok(SparrowIndex::wrap(Index::from_bytes(bytes)?))
    }

    /// Moves the loaded model to another index (e.g. after `fromBytes`), so it is parsed once.
    #[wasm_bindgen(js_name = takeModelFrom)]
    pub fn take_model_from(&mut self, other: &mut SparrowIndex) {
        if let Some(encoder) = other.encoder.take() {
            self.encoder = Some(encoder);
            self.last_query.replace(None);
        }
    }
}

impl SparrowIndex {
    fn wrap(index: Index) -> Self {
        SparrowIndex { index, encoder: None, last_query: Default::default() }
    }

    /// The core query for `text`: encoded when a model is loaded and `mode` uses the sparse arm
    /// (the last encoding is reused for the same text).
    fn query(&self, text: String, mode: sparrow_core::Mode) -> Result<Query> {
        let sparse = match (&self.encoder, mode) {
            (Some(encoder), sparrow_core::Mode::Sparse | sparrow_core::Mode::Hybrid) => {
                let mut last = self.last_query.borrow_mut();
                match &*last {
                    Some((t, v)) if *t == text => Some(v.clone()),
                    _ => {
                        let v = encoder.encode_query(&text)?;
                        *last = Some((text.clone(), v.clone()));
                        Some(v)
                    }
                }
            }
            (None, sparrow_core::Mode::Sparse) => {
                return Err(BindingError::new(
                    "MODEL_NOT_LOADED",
                    "mode \"sparse\" needs a model: call loadModel first (lexical and hybrid work without one)",
                ))
            }
            _ => None,
        };
        Ok(Query { text, sparse })
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
