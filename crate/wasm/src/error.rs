//! Errors at the JS boundary: a JS `Error` whose `code` is a stable string (`DUPLICATE_ID`,
//! `INDEX_TRUNCATED`, `MODEL_INVALID`, ...), so callers can branch on the code and show the
//! message. The message carries no `sparrow:` prefix: the package's `SparrowError` adds it, the
//! one layer that does (core, bindings and TS each adding one read `sparrow: sparrow: ...`).

use wasm_bindgen::prelude::*;
#[cfg(feature = "write")]
use wasm_bindgen::JsCast;

pub(crate) type Result<T, E = BindingError> = std::result::Result<T, E>;

/// An error on its way to JavaScript.
#[derive(Debug)]
pub struct BindingError {
    code: &'static str,
    message: String,
    /// Numbers the caller acts on, as a property of the JS error (`shards` of
    /// `SHARDS_NOT_LOADED`, `fragments` of `FRAGMENTS_NOT_LOADED`, `leads` of
    /// `VOCAB_PARTS_NOT_LOADED`).
    details: Option<(&'static str, Vec<u32>)>,
}

impl BindingError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        BindingError { code, message: message.into(), details: None }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new("INTERNAL", message)
    }

    /// Prefixes the message with the position of the offending item in a batch.
    #[cfg(feature = "write")]
    pub(crate) fn at_index(mut self, i: usize) -> Self {
        self.message = format!("document #{i}: {}", self.message);
        self
    }

    /// Wraps an exception thrown by a user callback.
    #[cfg(feature = "write")]
    pub(crate) fn from_js_exception(e: JsValue) -> Self {
        let text = match e.dyn_ref::<js_sys::Error>() {
            Some(err) => String::from(err.message()),
            None => e.as_string().unwrap_or_else(|| format!("{e:?}")),
        };
        Self::new("CALLBACK_FAILED", format!("a callback threw: {text}"))
    }
}

impl From<sparrow_core::Error> for BindingError {
    fn from(e: sparrow_core::Error) -> Self {
        let details = match &e {
            sparrow_core::Error::ShardsNotLoaded { shards } => Some(("shards", shards.clone())),
            sparrow_core::Error::FragmentsNotLoaded { fragments } => {
                Some(("fragments", fragments.clone()))
            }
            sparrow_core::Error::VocabPartsNotLoaded { leads } => {
                Some(("leads", leads.iter().map(|&l| u32::from(l)).collect()))
            }
            _ => None,
        };
        BindingError { code: e.code(), message: e.to_string(), details }
    }
}

#[cfg(feature = "model")]
impl From<sparrow_encoder::EncoderError> for BindingError {
    fn from(e: sparrow_encoder::EncoderError) -> Self {
        BindingError::new(e.code(), e.to_string())
    }
}

impl From<BindingError> for JsValue {
    fn from(e: BindingError) -> JsValue {
        let err = js_sys::Error::new(&e.message);
        err.set_name("SparrowError");
        // Setting a plain data property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code.into());
        if let Some((name, numbers)) = e.details {
            let list: js_sys::Array = numbers.into_iter().map(JsValue::from).collect();
            let _ = js_sys::Reflect::set(&err, &name.into(), &list);
        }
        err.into()
    }
}
