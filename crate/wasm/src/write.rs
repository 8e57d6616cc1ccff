//! Building and changing an index from JS, and writing its bytes: the `write` feature (in the
//! full module; the search-only module only reads). Documents come in as JSON; if a model is
//! loaded they are expanded before they are added ([`model`](crate::model)).

use serde::Serialize;
use sparrow_core::format::{read_encoded, write_encoded, EncodedDoc};
use sparrow_core::{Document, Index, IndexConfig, ShardingOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{BindingError, Result};
use crate::{parse_or_default, to_json, SparrowIndex};

/// How a document was indexed (what `addDocument` reports).
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub(crate) struct AddReport {
    /// The document's id.
    pub(crate) id: String,
    /// `true` when the document got a learned-sparse vector (a model is loaded and the
    /// document's language is accepted).
    pub(crate) semantic: bool,
    /// The detected language (ISO 639-3), when detection ran.
    pub(crate) language: Option<String>,
    /// Why there is no learned-sparse vector (no model, the language policy, an empty text).
    pub(crate) skipped: Option<String>,
    /// `true` when the text was longer than the encoder's windows cover (the lexical index
    /// still has all of it).
    pub(crate) truncated: bool,
}

impl AddReport {
    pub(crate) fn lexical(id: &str, why: &str) -> Self {
        AddReport {
            id: id.to_owned(),
            semantic: false,
            language: None,
            skipped: Some(why.to_owned()),
            truncated: false,
        }
    }
}

/// A JSON array of documents; `INVALID_DOCUMENT` names the first bad one by its position.
fn documents(json: &str) -> Result<Vec<Document>> {
    let values: Vec<serde_json::Value> = serde_json::from_str(json).map_err(|e| {
        BindingError::new(
            "INVALID_DOCUMENT",
            format!("addDocuments expects an array of documents: {e}"),
        )
    })?;
    let mut docs = Vec::with_capacity(values.len());
    for (i, value) in values.into_iter().enumerate() {
        let doc = serde_json::from_value(value).map_err(|e| {
            BindingError::new("INVALID_DOCUMENT", format!("invalid document: {e}")).at_index(i)
        })?;
        docs.push(doc);
    }
    Ok(docs)
}

fn document(json: &str) -> Result<Document> {
    serde_json::from_str(json)
        .map_err(|e| BindingError::new("INVALID_DOCUMENT", format!("invalid document: {e}")))
}

#[wasm_bindgen]
impl SparrowIndex {
    /// `new SparrowIndex(configJson)`: an `IndexConfig` as JSON (analyzer, bm25, storeText, ...;
    /// `""` for the defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str) -> Result<SparrowIndex> {
        let config: IndexConfig = parse_or_default(config, "INVALID_OPTION", "index config")?;
        Ok(SparrowIndex::wrap(Index::new(config)?))
    }

    /// Adds one document (JSON); fails with `DUPLICATE_ID` if the id exists (the index is
    /// unchanged). Returns its report as JSON.
    #[wasm_bindgen(js_name = addDocument)]
    pub fn add_document(&mut self, doc: &str) -> Result<String> {
        let mut docs = [document(doc)?];
        self.index.check_new(&docs)?; // fail before spending time on the model
        self.check_model_terms()?;
        let report = self.encode_into(&mut docs)?.pop();
        let [doc] = docs;
        self.index.add(doc)?;
        self.declare_model_terms(report.iter())?;
        to_json(&report)
    }

    /// Adds many documents (a JSON array), all or nothing. `onProgress(done, total)` is called
    /// after each encoded batch of `batchSize` documents (default 8). Returns the reports as JSON.
    #[wasm_bindgen(js_name = addDocuments)]
    pub fn add_documents(
        &mut self,
        docs: &str,
        on_progress: Option<js_sys::Function>,
        batch_size: Option<usize>,
    ) -> Result<String> {
        let mut docs = documents(docs)?;
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
        self.declare_model_terms(reports.iter())?;
        to_json(&reports)
    }

    /// Checks documents (a JSON array) as `addDocuments` would before encoding them (shape,
    /// duplicate ids, the model's term space), changing nothing. What the worker client asks
    /// before it spreads their encoding over several workers.
    #[wasm_bindgen(js_name = checkDocuments)]
    pub fn check_documents(&self, docs: &str) -> Result<()> {
        self.index.check_new(&documents(docs)?)?;
        self.check_model_terms()
    }

    /// Encodes documents (a JSON array) with this instance's model without adding them:
    /// `[reportsJson, bytes]`, the bytes an encoded batch (`sparrow_core::format::write_encoded`)
    /// for [`addEncoded`](Self::add_encoded) on the instance that owns the index. What an encoder
    /// worker runs.
    #[wasm_bindgen(js_name = encodeDocuments)]
    pub fn encode_documents(&self, docs: &str) -> Result<js_sys::Array> {
        let mut docs = documents(docs)?;
        let reports = self.encode_into(&mut docs)?;
        let encoded: Vec<EncodedDoc> =
            docs.into_iter().map(|d| EncodedDoc { sparse: d.sparse, tokens: d.tokens }).collect();
        Ok(js_sys::Array::of2(
            &JsValue::from_str(&to_json(&reports)?),
            &js_sys::Uint8Array::from(write_encoded(&encoded).as_slice()),
        ))
    }

    /// Adds documents (a JSON array), all or nothing, with the vectors other instances encoded
    /// for them ([`encodeDocuments`](Self::encode_documents)): `batches` holds encoded batches
    /// covering the documents in order, made by the same model as this instance's (the worker
    /// client starts every encoder with the same options). Vectors need the model loaded here
    /// (`NO_MODEL`): their ids are its vocabulary's.
    #[wasm_bindgen(js_name = addEncoded)]
    pub fn add_encoded(&mut self, docs: &str, batches: js_sys::Array) -> Result<()> {
        let mut docs = documents(docs)?;
        let mut encoded = Vec::with_capacity(docs.len());
        for batch in batches.iter() {
            let bytes = batch.dyn_into::<js_sys::Uint8Array>().map_err(|_| {
                BindingError::new("INVALID_ENCODED", "addEncoded expects Uint8Array batches")
            })?;
            encoded.extend(read_encoded(&bytes.to_vec())?);
        }
        if encoded.len() != docs.len() {
            return Err(BindingError::new(
                "INVALID_ENCODED",
                format!("{} documents but {} encodings", docs.len(), encoded.len()),
            ));
        }
        let semantic = encoded.iter().any(|e| e.sparse.is_some());
        if semantic && self.model_vocab.is_none() {
            return Err(BindingError::new(
                "NO_MODEL",
                "encoded vectors need the model loaded in this index too: their ids are its vocabulary's",
            ));
        }
        for (d, e) in docs.iter_mut().zip(encoded) {
            d.sparse = e.sparse;
            d.tokens = e.tokens;
        }
        self.index.check_new(&docs)?;
        if semantic {
            self.check_model_terms()?;
        }
        self.index.add_many(docs)?;
        if semantic {
            if let Some(v) = &self.model_vocab {
                self.index.set_term_space(v.term_space())?;
            }
        }
        Ok(())
    }

    /// Replaces the document with the same id (JSON); `UNKNOWN_ID` if there is none.
    #[wasm_bindgen(js_name = updateDocument)]
    pub fn update_document(&mut self, doc: &str) -> Result<String> {
        let mut docs = [document(doc)?];
        self.index.check_update(&docs[0])?;
        self.check_model_terms()?;
        let report = self.encode_into(&mut docs)?.pop();
        let [doc] = docs;
        self.index.update(doc)?;
        self.declare_model_terms(report.iter())?;
        to_json(&report)
    }

    /// Removes a document by id; returns whether it existed.
    #[wasm_bindgen(js_name = removeDocument)]
    pub fn remove_document(&mut self, id: &str) -> bool {
        self.index.remove(id)
    }

    /// Reclaims the space of removed documents; results do not change.
    pub fn vacuum(&mut self) {
        self.index.vacuum();
    }

    /// The whole index in Sparrow's versioned binary format (the model is not included). A
    /// sharded index with shards still to load fails with `INDEX_PARTIAL`.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        self.index.check_complete()?;
        Ok(self.index.to_bytes())
    }

    /// The index split into a base, postings shards and document fragments (what `sparrow
    /// index` writes for a static site): `[base, [shards...], [fragments...]]`. `options` is a
    /// `ShardingOptions` as JSON (`shards`, `fragmentBytes`, `filterFields`); `INVALID_OPTION`
    /// unless `1 <= shards <= 65536`.
    #[wasm_bindgen(js_name = toShardedBytes)]
    pub fn to_sharded_bytes(&self, options: &str) -> Result<js_sys::Array> {
        let options: ShardingOptions =
            parse_or_default(options, "INVALID_OPTION", "sharding options")?;
        let parts = self.index.to_sharded_bytes(&options)?;
        let list = |files: &[Vec<u8>]| {
            files.iter().map(|b| js_sys::Uint8Array::from(b.as_slice())).collect::<js_sys::Array>()
        };
        Ok(js_sys::Array::of3(
            &js_sys::Uint8Array::from(parts.base.as_slice()),
            &list(&parts.shards),
            &list(&parts.fragments),
        ))
    }
}

impl SparrowIndex {
    /// Before adding documents a model will encode: the index must take the model's ids.
    fn check_model_terms(&self) -> Result<()> {
        match (&self.encoder, &self.model_vocab) {
            (Some(_), Some(v)) => Ok(self.index.check_term_space(v.term_space())?),
            _ => Ok(()),
        }
    }

    /// After adding documents a model encoded: the index's sparse ids are the model's.
    fn declare_model_terms<'a>(
        &mut self,
        mut reports: impl Iterator<Item = &'a AddReport>,
    ) -> Result<()> {
        if let (true, Some(v)) = (reports.any(|r| r.semantic), &self.model_vocab) {
            self.index.set_term_space(v.term_space())?;
        }
        Ok(())
    }
}
