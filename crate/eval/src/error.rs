//! What can go wrong in an evaluation, typed: the CLI adds its own context and prints the chain.

use std::path::Path;

/// An evaluation error.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be read or written (`what` names it and what was being done).
    #[error("{what}")]
    Io {
        /// What was being done, with the path.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The input cannot be evaluated: a dataset without documents or judged queries, a malformed
    /// run file, a corrupt cache entry, a setting out of range. The message says which and where.
    #[error("{0}")]
    Input(String),
    /// The index refused something (a document, a setting, a query).
    #[error(transparent)]
    Index(#[from] sparrow_core::Error),
    /// The encoder failed (model bytes, tokenization).
    #[error(transparent)]
    Encoder(#[from] sparrow_encoder::EncoderError),
}

/// `Result` with [`EvalError`].
pub type Result<T, E = EvalError> = std::result::Result<T, E>;

impl EvalError {
    /// An I/O error while `doing` something with `path`.
    pub fn io(doing: &str, path: &Path, source: std::io::Error) -> Self {
        EvalError::Io { what: format!("{doing} {}", path.display()), source }
    }

    /// Bad input, described.
    pub fn input(message: impl Into<String>) -> Self {
        EvalError::Input(message.into())
    }
}

/// `return Err(EvalError::Input(format!(...)))`.
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::error::EvalError::Input(format!($($arg)*)))
    };
}
pub(crate) use bail;
