//! The model half of the bindings, behind the `model` cargo feature (on by default): loading the
//! encoder, expanding documents as they are added and queries on request.
//!
//! Why a feature: the search-only module (`sparrow-search/lite`) is this crate without it: no
//! tract, no tokenizers, no encoder, so a static site's page downloads a fraction of the bytes
//! and still answers lexical and lookup-hybrid queries. Without the feature the model methods do
//! not exist in the module at all.

use sparrow_core::SparseVector;

use crate::error::Result;

#[cfg(feature = "model")]
pub(crate) use with_model::Model;
#[cfg(all(test, feature = "model"))]
pub(crate) use with_model::{Expansion, NamedTerm};
#[cfg(not(feature = "model"))]
pub(crate) use without_model::Model;

#[cfg(feature = "model")]
mod with_model {
    use super::*;
    use serde::Serialize;
    use sparrow_core::{Document, WordPiece};
    use sparrow_encoder::{EncoderConfig, SparseEncoder};
    use wasm_bindgen::prelude::*;

    use crate::error::BindingError;
    use crate::write::AddReport;
    use crate::{parse_or_default, to_json, SparrowIndex};

    /// One document's encoding, as the bindings report it.
    #[derive(Debug)]
    pub(crate) struct Encoded {
        pub(crate) vector: Option<SparseVector>,
        pub(crate) language: Option<String>,
        pub(crate) skipped: Option<String>,
        pub(crate) windows: usize,
        pub(crate) tokens: usize,
        pub(crate) truncated: bool,
    }

    /// A loaded sparse encoder.
    #[derive(Debug)]
    pub(crate) struct Model(SparseEncoder);

    impl Model {
        pub(crate) fn load(model: &[u8], tokenizer: &[u8], config: &str) -> Result<Self> {
            let config: EncoderConfig =
                parse_or_default(config, "INVALID_OPTION", "encoder config")?;
            Ok(Model(SparseEncoder::from_bytes(model, tokenizer, config)?))
        }

        pub(crate) fn encode_query(&self, text: &str) -> Result<SparseVector> {
            Ok(self.0.encode_query(text)?)
        }

        pub(crate) fn encode_documents(&self, texts: &[&str]) -> Result<Vec<Encoded>> {
            Ok(self
                .0
                .encode_documents(texts)?
                .into_iter()
                .map(|e| Encoded {
                    vector: e.vector,
                    language: e.language,
                    skipped: e.skipped.map(|s| s.to_string()),
                    windows: e.windows,
                    tokens: e.tokens,
                    truncated: e.truncated,
                })
                .collect())
        }

        pub(crate) fn token_ids(&self, text: &str) -> Result<Vec<u32>> {
            Ok(self.0.token_ids(text)?)
        }

        pub(crate) fn token(&self, id: u32) -> Option<String> {
            self.0.token(id)
        }
    }

    /// One term of a learned-sparse expansion.
    #[derive(Serialize)]
    #[cfg_attr(test, derive(ts_rs::TS))]
    #[cfg_attr(test, ts(rename = "ExpansionTerm"))]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct NamedTerm {
        /// Vocabulary id.
        term_id: u32,
        /// The vocabulary entry.
        term: Option<String>,
        /// Its weight.
        weight: f32,
    }

    /// A document's expansion as it would be indexed (`encodeDocument`).
    #[derive(Serialize)]
    #[cfg_attr(test, derive(ts_rs::TS))]
    #[cfg_attr(test, ts(rename = "DocumentExpansion"))]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct Expansion {
        /// The expansion, heaviest first; empty when the document was skipped.
        terms: Vec<NamedTerm>,
        /// The detected language (ISO 639-3), when detection ran.
        language: Option<String>,
        /// Why the document got no expansion (the language policy, an empty text).
        skipped: Option<String>,
        /// Windows encoded.
        windows: usize,
        /// Text tokens.
        tokens: usize,
        /// `true` when the text was longer than the windows cover.
        truncated: bool,
    }

    /// `vector`'s terms with their token strings, heaviest first.
    fn named_terms(encoder: &Model, vector: &SparseVector) -> Vec<NamedTerm> {
        let mut terms: Vec<NamedTerm> = vector
            .iter()
            .map(|(term_id, weight)| NamedTerm { term_id, term: encoder.token(term_id), weight })
            .collect();
        terms.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        terms
    }

    #[wasm_bindgen]
    impl SparrowIndex {
        /// Loads the sparse encoder from model (ONNX) and `tokenizer.json` bytes, with an
        /// `EncoderConfig` as JSON. Replaces any previously loaded model only if the new one
        /// loads. Returns the model's info as JSON.
        #[wasm_bindgen(js_name = loadModel)]
        pub fn load_model(
            &mut self,
            model: &[u8],
            tokenizer: &[u8],
            config: &str,
        ) -> Result<String> {
            let encoder = Model::load(model, tokenizer, config)?;
            let vocab = WordPiece::from_tokenizer_json(tokenizer)?;
            let info = to_json(encoder.0.model_info())?;
            self.encoder = Some(encoder);
            self.model_vocab = Some(vocab);
            self.last_query.replace(None);
            Ok(info)
        }

        /// The learned-sparse expansion of a query as JSON: `[{termId, term, weight}]`,
        /// heaviest first.
        #[wasm_bindgen(js_name = encodeQuery)]
        pub fn encode_query(&self, text: &str) -> Result<String> {
            let encoder = self.encoder("encodeQuery")?;
            to_json(&named_terms(encoder, &encoder.encode_query(text)?))
        }

        /// A document's expansion as it would be indexed, as JSON: `{terms, language, skipped,
        /// windows, tokens, truncated}` (`terms` empty when the language policy skipped it).
        #[wasm_bindgen(js_name = encodeDocument)]
        pub fn encode_document(&self, text: &str) -> Result<String> {
            let encoder = self.encoder("encodeDocument")?;
            let enc = encoder
                .encode_documents(&[text])?
                .pop()
                .ok_or_else(|| BindingError::internal("no encoding"))?;
            to_json(&Expansion {
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

        /// Moves the loaded model and vocabulary to another index (e.g. after `fromBytes`), so
        /// they are parsed once.
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

    impl SparrowIndex {
        fn encoder(&self, method: &str) -> Result<&Model> {
            self.encoder.as_ref().ok_or_else(|| {
                BindingError::new(
                    "MODEL_NOT_LOADED",
                    format!("{method} needs a model: call loadModel first"),
                )
            })
        }

        /// Encodes `docs` in place (sets `doc.sparse`) when a model is loaded; one report per doc.
        pub(crate) fn encode_into(&self, docs: &mut [Document]) -> Result<Vec<AddReport>> {
            let Some(encoder) = &self.encoder else {
                return Ok(docs
                    .iter()
                    .map(|d| AddReport::lexical(&d.id, "no model loaded"))
                    .collect());
            };
            let texts: Vec<String> = docs.iter().map(Document::semantic_text).collect();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let encodings = encoder.encode_documents(&texts)?;
            Ok(docs
                .iter_mut()
                .zip(encodings)
                .zip(&texts)
                .map(|((doc, enc), text)| {
                    doc.sparse = enc.vector;
                    // The text's tokens in the model's ids (the index's term space when a model
                    // encodes): counted by the index, they weight lookup queries.
                    doc.tokens = self.model_vocab.as_ref().map(|v| v.ids(text));
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
}

#[cfg(not(feature = "model"))]
mod without_model {
    use super::*;

    /// Uninhabited: a build without the `model` feature can never hold a model.
    #[derive(Debug)]
    pub(crate) enum Model {}

    impl Model {
        pub(crate) fn encode_query(&self, _text: &str) -> Result<SparseVector> {
            match *self {}
        }

        pub(crate) fn token(&self, _id: u32) -> Option<String> {
            match *self {}
        }
    }

    #[cfg(feature = "write")]
    impl crate::SparrowIndex {
        /// Without a model, every document is indexed lexically.
        pub(crate) fn encode_into(
            &self,
            docs: &mut [sparrow_core::Document],
        ) -> Result<Vec<crate::write::AddReport>> {
            Ok(docs
                .iter()
                .map(|d| crate::write::AddReport::lexical(&d.id, "no model loaded"))
                .collect())
        }
    }
}
