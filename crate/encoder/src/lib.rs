//! Sparrow's learned-sparse encoder: text → SPLADE vector, from model **bytes**.
//!
//! [`SparseEncoder`] tokenizes with HuggingFace `tokenizers` (pure Rust, `unstable_wasm`: no
//! oniguruma) and runs the SPLADE graph built by `model/build.sh` with tract. The same code runs
//! natively (CLI, tests) and in wasm32 (browser): no file I/O, no threads, no clock.
//!
//! # The model contract
//!
//! The ONNX graph takes `input_ids` and `attention_mask` (int64 `[batch, seq]`) and returns
//! `sparse` (f32 `[batch, vocab]`), the SPLADE max-pooling
//! `w[v] = max over real tokens t of log(1 + relu(logits[t, v]))`. The encoder runs the same
//! function in two parts: tract runs the graph up to the MLM head's output (`[batch, seq, H]`),
//! and the vocabulary projection + pooling after it (~94% of the FLOPs) run in the encoder's own
//! fused kernel (`projection.rs`: max over tokens without storing the logits, padding skipped),
//! with the decoder weights read from the same ONNX file at load. A graph whose MLM head does not
//! have the structure `model/build.py` writes is refused. The model carries its identity in the ONNX
//! metadata (`sparrow.model`, `sparrow.graph_version`, `sparrow.variant`, `sparrow.vocab_size`,
//! `sparrow.max_tokens`), which [`SparseEncoder::from_bytes`] checks before tract even analyses
//! the graph: a model that is not ours is refused as [`EncoderError::NotSparrowModel`].
//!
//! # Long documents
//!
//! The model sees at most `max_tokens` tokens at a time (256 by default, like the reference
//! vectors). Longer documents are split into overlapping windows whose vectors are max-pooled
//! (the windows after the first at a discount, `later_windows`), so the vector covers the whole text up to `max_windows` windows (3,614 text tokens with the
//! defaults); beyond that the document is flagged [`DocumentEncoding::truncated`]. See
//! [`EncoderConfig`].
//!
//! # Languages
//!
//! splade-tiny is English-only. Under the default [`LanguagePolicy::EnglishOnly`], documents
//! reliably detected (`whatlang`) as another language get no vector and are indexed lexically
//! only; short texts and unreliable detections count as English.
//!
//! # Errors
//!
//! Every fallible call returns [`EncoderError`], whose [`code`](EncoderError::code) is stable.
//! Bad bytes and bad configs are errors, never panics.
#![warn(missing_docs)]

mod config;
mod encoder;
mod error;
mod language;
mod model;
mod projection;
mod text;

pub use config::{EncoderConfig, LanguagePolicy};
pub use encoder::{DocumentEncoding, SkipReason, SparseEncoder};
pub use error::EncoderError;
pub use model::{ModelInfo, GRAPH_VERSION};
pub use sparrow_core::SparseVector;
