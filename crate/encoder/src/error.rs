//! The encoder's one error type.

/// Everything that can go wrong while loading a model or encoding text.
///
/// Bad input never panics: wrong bytes, a foreign ONNX file, a broken `tokenizer.json` or an
/// out-of-range config all come back as one of these. Errors from tract and `tokenizers` are
/// carried as strings so that neither `anyhow` nor those crates' types leak into this API.
/// [`code`](Self::code) gives a stable, machine-readable code (the wasm bindings and the CLI
/// expose it).
#[non_exhaustive]
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum EncoderError {
    /// The bytes are not an ONNX model built by Sparrow's `model/build.py` (not ONNX at all, or
    /// ONNX without Sparrow's metadata or with other inputs/outputs).
    #[error("not a Sparrow model: {reason}")]
    NotSparrowModel {
        /// What was checked and did not match.
        reason: String,
    },
    /// A Sparrow model whose graph version this encoder does not know (built by a newer
    /// `model/build.py`).
    #[error("unsupported Sparrow model: graph version {found}, this encoder supports {supported}")]
    UnsupportedModel {
        /// `sparrow.graph_version` found in the model.
        found: String,
        /// The version this encoder runs.
        supported: u32,
    },
    /// The model passed the identity checks but tract could not load or optimise it.
    #[error("model could not be loaded: {0}")]
    Model(String),
    /// Running the model failed (or produced something that is not a valid sparse vector).
    #[error("inference failed: {0}")]
    Inference(String),
    /// The `tokenizer.json` bytes could not be parsed or configured.
    #[error("invalid tokenizer: {0}")]
    Tokenizer(String),
    /// The tokenizer failed on a text.
    #[error("tokenization failed: {0}")]
    Tokenize(String),
    /// The model's vocabulary and the tokenizer's do not have the same size: they were not
    /// made for each other.
    #[error("vocabulary mismatch: the model has {model} terms, the tokenizer {tokenizer}")]
    VocabMismatch {
        /// `sparrow.vocab_size` of the model.
        model: usize,
        /// Vocabulary size of the tokenizer (with added tokens).
        tokenizer: usize,
    },
    /// An [`EncoderConfig`](crate::EncoderConfig) field is out of range.
    #[error("invalid encoder config `{name}`: {reason}")]
    InvalidConfig {
        /// The field.
        name: &'static str,
        /// Why the value is not accepted.
        reason: String,
    },
}

impl EncoderError {
    /// A stable code for programs (the message is for people and may change).
    ///
    /// | variant | code |
    /// | --- | --- |
    /// | `NotSparrowModel` | `MODEL_NOT_SPARROW` |
    /// | `UnsupportedModel` | `MODEL_UNSUPPORTED` |
    /// | `Model` | `MODEL_INVALID` |
    /// | `Inference` | `INFERENCE_FAILED` |
    /// | `Tokenizer` | `TOKENIZER_INVALID` |
    /// | `Tokenize` | `TOKENIZE_FAILED` |
    /// | `VocabMismatch` | `MODEL_VOCAB_MISMATCH` |
    /// | `InvalidConfig` | `INVALID_CONFIG` |
    pub fn code(&self) -> &'static str {
        match self {
            EncoderError::NotSparrowModel { .. } => "MODEL_NOT_SPARROW",
            EncoderError::UnsupportedModel { .. } => "MODEL_UNSUPPORTED",
            EncoderError::Model(_) => "MODEL_INVALID",
            EncoderError::Inference(_) => "INFERENCE_FAILED",
            EncoderError::Tokenizer(_) => "TOKENIZER_INVALID",
            EncoderError::Tokenize(_) => "TOKENIZE_FAILED",
            EncoderError::VocabMismatch { .. } => "MODEL_VOCAB_MISMATCH",
            EncoderError::InvalidConfig { .. } => "INVALID_CONFIG",
        }
    }

    pub(crate) fn not_sparrow(reason: impl Into<String>) -> Self {
        EncoderError::NotSparrowModel { reason: reason.into() }
    }

    pub(crate) fn config(name: &'static str, reason: impl Into<String>) -> Self {
        EncoderError::InvalidConfig { name, reason: reason.into() }
    }
}
