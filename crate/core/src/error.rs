//! The crate's one error type.
//!
//! Every fallible function in `sparrow-core` returns [`Result`], whose error is [`Error`]. Each
//! variant names the problem and carries the offending value, and [`Error::code`] gives a stable
//! `SCREAMING_SNAKE` code that the JS bindings expose as `error.code`, so callers can branch on
//! the kind of failure without parsing messages.

use thiserror::Error;

/// `Result` with [`Error`](enum@Error) as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `sparrow-core`.
///
/// The enum is `#[non_exhaustive]`: new failure kinds may be added in minor releases, so match
/// with a wildcard arm (or use [`Error::code`]).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// [`Index::add`](crate::Index::add) (or `add_many`) got an id that is already in the index
    /// (or twice in the same batch). Use [`Index::upsert`](crate::Index::upsert) to replace.
    #[error("a document with id {id:?} already exists")]
    DuplicateId {
        /// The duplicated external id.
        id: String,
    },
    /// [`Index::update`](crate::Index::update) got an id that is not in the index.
    #[error("no document with id {id:?}")]
    UnknownId {
        /// The missing external id.
        id: String,
    },
    /// A document id is empty or too long.
    #[error("invalid document id: {reason}")]
    InvalidId {
        /// What is wrong with the id.
        reason: String,
    },
    /// A document has neither a title nor any text, so it could never be found lexically.
    #[error("document {id:?} has an empty title and an empty text")]
    EmptyDocument {
        /// The document's external id.
        id: String,
    },
    /// A document's title plus text is larger than [`IndexConfig::max_text_bytes`](crate::IndexConfig::max_text_bytes).
    #[error("document {id:?} has {bytes} bytes of title and text, more than the maximum of {max}")]
    TextTooLarge {
        /// The document's external id.
        id: String,
        /// Size of title + text in bytes.
        bytes: usize,
        /// The configured maximum.
        max: usize,
    },
    /// A document's `fields` nest deeper than
    /// [`MAX_FIELD_DEPTH`](crate::MAX_FIELD_DEPTH) or are larger than
    /// [`IndexConfig::max_text_bytes`](crate::IndexConfig::max_text_bytes) as JSON: the bounds
    /// that keep every accepted document writable and readable back.
    #[error("document {id:?} cannot be indexed: {reason}")]
    InvalidDocument {
        /// The document's external id.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A query is longer than [`MAX_QUERY_BYTES`](crate::MAX_QUERY_BYTES) or has more than
    /// [`MAX_QUERY_TERMS`](crate::MAX_QUERY_TERMS) distinct terms.
    #[error("the query is too large: {reason}")]
    QueryTooLarge {
        /// Which bound it exceeds.
        reason: String,
    },
    /// A sparse vector has a non-finite weight (NaN or infinity).
    #[error("invalid sparse vector: {reason}")]
    InvalidVector {
        /// What is wrong with the vector.
        reason: String,
    },
    /// A WordPiece vocabulary ([`WordPiece`](crate::WordPiece)) could not be built: not a BERT
    /// `tokenizer.json`, tokens not sorted, no unknown token, ...
    #[error("invalid vocabulary: {reason}")]
    InvalidVocab {
        /// What is wrong with it.
        reason: String,
    },
    /// A search option is out of range.
    #[error("invalid search option `{name}`: {reason}")]
    InvalidOption {
        /// The option's name (camelCase, as in JSON).
        name: String,
        /// Why the value is rejected, with the value.
        reason: String,
    },
    /// An index configuration value is out of range.
    #[error("invalid index configuration `{name}`: {reason}")]
    InvalidConfig {
        /// The setting's name (camelCase, as in JSON), e.g. `bm25.k1`.
        name: String,
        /// Why the value is rejected, with the value.
        reason: String,
    },
    /// [`Mode::Sparse`](crate::Mode::Sparse) was asked for but the query has no sparse vector.
    #[error("sparse mode needs a query vector (Query::sparse is None)")]
    NoQueryVector,
    /// The index already holds `u32::MAX` document slots; call
    /// [`Index::vacuum`](crate::Index::vacuum) or start a new index.
    #[error("the index is full ({slots} document slots); vacuum it or start a new one")]
    CapacityExceeded {
        /// Number of document slots (live + removed) in use.
        slots: u64,
    },
    /// A search on a sharded index ([`Index::from_base_bytes`](crate::Index::from_base_bytes))
    /// needs postings shards that are not loaded yet; load them with
    /// [`Index::load_shard`](crate::Index::load_shard) (the list is
    /// [`Index::missing_shards`](crate::Index::missing_shards)).
    #[error("the query needs shards {shards:?}, which are not loaded")]
    ShardsNotLoaded {
        /// The missing shard numbers, ascending.
        shards: Vec<u32>,
    },
    /// A lookup query needs vocabulary parts that are not loaded yet (a static site's vocabulary
    /// comes in parts by the tokens' first byte, see
    /// [`WordPiece::to_vocab_parts`](crate::WordPiece::to_vocab_parts)); the list is
    /// [`VocabParts::missing_leads`](crate::VocabParts::missing_leads).
    #[error("the query needs the vocabulary parts of first bytes {leads:?}, which are not loaded")]
    VocabPartsNotLoaded {
        /// The first bytes (of tokens) whose parts are missing, ascending.
        leads: Vec<u8>,
    },
    /// A mutation of a sharded index whose shards are not all loaded (it would corrupt the
    /// postings of the shards still to come). Load every shard and fragment first.
    #[error("this sharded index has {missing} shards or fragments not loaded; it is read-only until all are")]
    PartialIndex {
        /// Shards and fragments not loaded yet.
        missing: usize,
    },
    /// A search on a sharded index whose best hits are in document fragments that are not loaded
    /// yet; load them with [`Index::load_fragment`](crate::Index::load_fragment) and search
    /// again (the postings are all there: only the hits' stored documents are missing).
    #[error("the results are in document fragments {fragments:?}, which are not loaded")]
    FragmentsNotLoaded {
        /// The missing fragment numbers, ascending.
        fragments: Vec<u32>,
    },
    /// Sparse term ids of two vocabularies met: a lookup query tokenized with another
    /// vocabulary than the index's vectors, or vectors of another model added to the index.
    #[error("the index's sparse terms are {index}, but these are {other}: use the vocabulary the index was built with")]
    TermSpaceMismatch {
        /// What the index's sparse ids are.
        index: crate::TermSpace,
        /// What the other side's ids are.
        other: crate::TermSpace,
    },
    /// A site manifest ([`SiteManifest`](crate::format::SiteManifest)) is not valid JSON of its
    /// shape, or names a file that is not a plain file name.
    #[error("invalid site manifest: {reason}")]
    InvalidManifest {
        /// What is wrong with it.
        reason: String,
    },
    /// A site manifest of another version, or listing files of another index format: rebuild
    /// the site with the sparrow CLI that matches this package.
    #[error("the site's {what} has version {found}; this build reads version {supported}: rebuild the index with the matching sparrow CLI")]
    ManifestVersion {
        /// `manifest` or `index format`.
        what: String,
        /// The version found.
        found: u64,
        /// The version this build reads.
        supported: u64,
    },
    /// The site index was built with another model than the one that would encode queries.
    #[error("the index was built with model {index_model} (sha256 {index_sha256:.12}…) but queries would be encoded with a model whose sha256 is {sha256:.12}…: rebuild the index with this model, or use lookup queries")]
    ModelMismatch {
        /// The index's model id.
        index_model: String,
        /// Its model file's SHA-256.
        index_sha256: String,
        /// The query model's SHA-256.
        sha256: String,
    },
    /// Bytes given to [`Index::from_bytes`](crate::Index::from_bytes) are not a valid index.
    #[error(transparent)]
    Format(#[from] FormatError),
}

impl Error {
    /// A stable, machine-readable code for this error (`SCREAMING_SNAKE_CASE`).
    ///
    /// Codes never change meaning once released; the JS bindings expose them as `error.code`.
    ///
    /// ```
    /// use sparrow_core::{Index, IndexConfig, Document};
    /// let mut index = Index::new(IndexConfig::default()).unwrap();
    /// let doc = Document { id: "a".into(), text: "hello".into(), ..Default::default() };
    /// index.add(doc.clone()).unwrap();
    /// assert_eq!(index.add(doc).unwrap_err().code(), "DUPLICATE_ID");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Error::DuplicateId { .. } => "DUPLICATE_ID",
            Error::UnknownId { .. } => "UNKNOWN_ID",
            Error::InvalidId { .. } => "INVALID_ID",
            Error::EmptyDocument { .. } => "EMPTY_DOCUMENT",
            Error::TextTooLarge { .. } => "TEXT_TOO_LARGE",
            Error::InvalidDocument { .. } => "INVALID_DOCUMENT",
            Error::QueryTooLarge { .. } => "QUERY_TOO_LARGE",
            Error::InvalidVector { .. } => "INVALID_VECTOR",
            Error::InvalidVocab { .. } => "INVALID_VOCAB",
            Error::InvalidOption { .. } => "INVALID_OPTION",
            Error::InvalidConfig { .. } => "INVALID_CONFIG",
            Error::NoQueryVector => "NO_QUERY_VECTOR",
            Error::CapacityExceeded { .. } => "CAPACITY_EXCEEDED",
            Error::ShardsNotLoaded { .. } => "SHARDS_NOT_LOADED",
            Error::VocabPartsNotLoaded { .. } => "VOCAB_PARTS_NOT_LOADED",
            Error::PartialIndex { .. } => "INDEX_PARTIAL",
            Error::FragmentsNotLoaded { .. } => "FRAGMENTS_NOT_LOADED",
            Error::TermSpaceMismatch { .. } => "VOCAB_MISMATCH",
            Error::InvalidManifest { .. } => "INVALID_MANIFEST",
            Error::ManifestVersion { .. } => "INDEX_VERSION",
            Error::ModelMismatch { .. } => "INDEX_MODEL_MISMATCH",
            Error::Format(e) => e.code(),
        }
    }

    pub(crate) fn option(name: &str, reason: impl Into<String>) -> Self {
        Error::InvalidOption { name: name.to_owned(), reason: reason.into() }
    }

    pub(crate) fn config(name: &str, reason: impl Into<String>) -> Self {
        Error::InvalidConfig { name: name.to_owned(), reason: reason.into() }
    }
}

/// Why [`Index::from_bytes`](crate::Index::from_bytes) rejected its input.
///
/// The loader checks the header (magic, version, length, CRC-32) first, then validates every
/// length, count, id and string in the payload; any inconsistency is one of these variants, never
/// a panic.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The input ends before a structure it announces.
    #[error("index bytes are truncated: needed {needed} bytes, {available} available")]
    Truncated {
        /// Bytes needed at the point of failure.
        needed: u64,
        /// Bytes that were available there.
        available: u64,
    },
    /// The input does not start with the Sparrow index magic (`SPRWIDX\0`): it is not an index.
    #[error("not a Sparrow index (bad magic bytes)")]
    BadMagic,
    /// The index was written by a format version this build cannot read.
    #[error(
        "index format version {found} is not supported (this build reads version {supported})"
    )]
    UnsupportedVersion {
        /// Version found in the header.
        found: u16,
        /// Version this build reads and writes.
        supported: u16,
    },
    /// The payload's CRC-32 does not match the header: the bytes were damaged.
    #[error("index checksum mismatch: header says {expected:#010x}, payload has {found:#010x}")]
    ChecksumMismatch {
        /// CRC-32 stored in the header.
        expected: u32,
        /// CRC-32 computed over the payload.
        found: u32,
    },
    /// The bytes are another kind of Sparrow file (a whole index, a sharded index's base, a
    /// shard) than the one the caller loads.
    #[error("expected a Sparrow {expected}, got a Sparrow {found}")]
    WrongKind {
        /// The kind the loader reads.
        expected: &'static str,
        /// The kind the bytes are.
        found: &'static str,
    },
    /// A shard that belongs to another sharded index (another base, or another shard count).
    #[error("shard does not belong to this index: {what}")]
    ShardMismatch {
        /// What differs, with values.
        what: String,
    },
    /// The payload is structurally invalid.
    #[error("corrupt index: {what}")]
    Corrupt {
        /// What is inconsistent, with values.
        what: String,
    },
}

impl FormatError {
    /// A stable, machine-readable code (see [`Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            FormatError::Truncated { .. } => "INDEX_TRUNCATED",
            FormatError::BadMagic => "INDEX_BAD_MAGIC",
            FormatError::UnsupportedVersion { .. } => "INDEX_VERSION",
            FormatError::ChecksumMismatch { .. } => "INDEX_CHECKSUM",
            FormatError::Corrupt { .. } => "INDEX_CORRUPT",
            FormatError::WrongKind { .. } => "INDEX_WRONG_KIND",
            FormatError::ShardMismatch { .. } => "INDEX_SHARD_MISMATCH",
        }
    }

    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        FormatError::Corrupt { what: what.into() }
    }
}
