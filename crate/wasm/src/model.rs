//! The model half of the bindings, behind the `model` cargo feature (on by default).
//!
//! Why a feature: the search-only module (`sparrow-search/lite`) is this crate without it: no
//! tract, no tokenizers, no encoder, so a static site's page downloads a fraction of the bytes
//! and still answers lexical and lookup-hybrid queries. Without the feature, `loadModel` fails
//! with `MODEL_UNAVAILABLE`.

use sparrow_core::SparseVector;
use wasm_bindgen::JsValue;

use crate::error::Result;

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

#[cfg(feature = "model")]
pub(crate) use with_model::Model;
#[cfg(not(feature = "model"))]
pub(crate) use without_model::Model;

#[cfg(feature = "model")]
mod with_model {
    use super::*;
    use sparrow_encoder::{EncoderConfig, SparseEncoder};

    /// A loaded sparse encoder.
    #[derive(Debug)]
    pub(crate) struct Model(SparseEncoder);

    impl Model {
        pub(crate) fn load(model: &[u8], tokenizer: &[u8], config: JsValue) -> Result<Self> {
            let config: EncoderConfig =
                crate::from_js_or_default(config, "INVALID_OPTION", "encoder config")?;
            Ok(Model(SparseEncoder::from_bytes(model, tokenizer, config)?))
        }

        pub(crate) fn info(&self) -> Result<JsValue> {
            crate::to_js(self.0.model_info())
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
}

#[cfg(not(feature = "model"))]
mod without_model {
    use super::*;
    use crate::error::BindingError;

    /// Uninhabited: a build without the `model` feature can never hold a model.
    #[derive(Debug)]
    pub(crate) enum Model {}

    impl Model {
        pub(crate) fn load(_model: &[u8], _tokenizer: &[u8], _config: JsValue) -> Result<Self> {
            Err(BindingError::new(
                "MODEL_UNAVAILABLE",
                "this build of sparrow-wasm has no model support (cargo feature `model`)",
            ))
        }

        pub(crate) fn info(&self) -> Result<JsValue> {
            match *self {}
        }

        pub(crate) fn encode_query(&self, _text: &str) -> Result<SparseVector> {
            match *self {}
        }

        pub(crate) fn encode_documents(&self, _texts: &[&str]) -> Result<Vec<Encoded>> {
            match *self {}
        }

        pub(crate) fn token_ids(&self, _text: &str) -> Result<Vec<u32>> {
            match *self {}
        }

        pub(crate) fn token(&self, _id: u32) -> Option<String> {
            match *self {}
        }
    }
}
