//! # sparrow-core
//!
//! The engine of Sparrow, an in-browser hybrid search library: text analysis, a BM25 index, a
//! learned-sparse (SPLADE-style) impact index, score fusion, filters, explanations, and the
//! binary index format. Pure Rust with no wasm, model runtime or file I/O, so it is tested
//! natively and compiles for `wasm32-unknown-unknown` unchanged; the bindings, the query encoder
//! and the CLI are other crates built on top of it.
//!
//! ```
//! use sparrow_core::*;
//!
//! let mut index = Index::new(IndexConfig::default())?;
//! index.add_many(vec![
//!     Document::new("rust", "Rust is a systems programming language")
//!         .with_title("Rust").with_tag("lang")
//!         .with_sparse(SparseVector::from_pairs([(100, 2.0), (200, 0.5)])?),
//!     Document::new("wasm", "WebAssembly runs in every browser")
//!         .with_sparse(SparseVector::from_pairs([(300, 1.8), (200, 0.7)])?),
//! ])?;
//!
//! // The query encoder (another crate) turns the text into a sparse vector.
//! let query = Query::new("programming languages")
//!     .with_sparse(SparseVector::from_pairs([(200, 1.0), (100, 0.4)])?);
//! let hits = index.search(&query, &SearchOptions::default())?; // hybrid, weighted fusion (alpha 0.35)
//! assert_eq!(hits[0].id, "rust");
//! assert_eq!(hits[0].lexical_rank, Some(1));
//!
//! let bytes = index.to_bytes();                 // ship it...
//! let loaded = Index::from_bytes(&bytes)?;      // ...and load it in the browser
//! assert_eq!(loaded.search(&query, &SearchOptions::default())?, hits);
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Design choices, and why
//!
//! * **One index in memory, dense `u32` doc ids in insertion order.** A browser tab holds the
//!   whole index in one wasm memory, so the simplest fast structures win: postings are roaring
//!   bitmaps (compact, fast set algebra for filters) with a value column aligned to the bitmap's
//!   order; appending a document appends to each list.
//! * **Term-at-a-time scoring into a dense accumulator** (`Vec<f32>` per arm), then a bounded
//!   heap. No pruning (MaxScore/WAND): it would have to return exactly the same top-k to be
//!   welcome, and exhaustive scoring keeps scores bit-identical to a brute-force scan, which the
//!   property tests check with `==`.
//! * **Deletes are tombstones; [`Index::vacuum`] compacts.** BM25 statistics (N, df, average
//!   length) count live documents only, so results do not change when tombstones are dropped.
//! * **8-bit sparse weights with one scale per term** ([`quantize`]): 4x smaller than `f32`,
//!   with at most half a step of error, like Lucene's impact indexes.
//! * **Fusion over candidate lists** ([`Fusion::Rrf`] or min-max [`Fusion::Weighted`]): each
//!   arm contributes its top `max(candidates, limit)`, as in most hybrid engines.
//! * **One versioned, checksummed format** ([`format`](mod@format)), written and read in one module, pinned
//!   by golden fixture files, fuzzed, and never panicking on bad input.
//! * **Serde shapes are the JS shapes** (camelCase), so the wasm bindings convert without glue.
//! * **Errors are one enum with stable codes** ([`Error::code`]).
//!
//! ## Modules
//!
//! [`analysis`] (tokenizing, stemming, stop words), [`score`] (BM25, top-k), [`format`](mod@format) (bytes);
//! the rest is re-exported here.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod analysis;
mod config;
mod document;
mod error;
pub mod export;
mod filter;
pub mod format;
mod fusion;
mod hash;
mod index;
mod prune;
pub mod score;
mod search;
mod sparse;
#[cfg(feature = "ts")]
pub mod ts;
mod vocab_parts;
mod wordpiece;

pub use analysis::Analyzer;
pub use config::{
    AnalyzerConfig, Bm25Params, IndexConfig, DEFAULT_B, DEFAULT_K1, DEFAULT_MAX_TEXT_BYTES,
};
pub use document::{DocId, Document, StoredDoc, MAX_FIELD_DEPTH, MAX_ID_BYTES};
pub use error::{Error, FormatError, Result};
pub use filter::Filter;
pub use fusion::{fuse_ranked, Fusion, DEFAULT_ALPHA, DEFAULT_RRF_K};
pub use index::{
    lexical_shard, sparse_shard, Index, ShardedBytes, ShardingOptions, Stats, TermSpace,
};
pub use prune::{cap_sparse_postings, PruneReport};
pub use search::{
    Explanation, Hit, LexicalTermContribution, Mode, Query, QueryEncoder, SearchOptions,
    SparseTermContribution, MAX_QUERY_BYTES, MAX_QUERY_TERMS,
};
pub use sparse::{dequantize, quantization_scale, quantize, SparseVector, MAX_WEIGHT};
pub use vocab_parts::{VocabPart, VocabParts};
pub use wordpiece::{WordPiece, WordPieceSettings};

impl Index {
    /// Serializes the whole index (see [`format`](mod@format) for the layout).
    ///
    /// Deterministic: the same sequence of mutations always produces the same bytes. A sharded
    /// index writes only the postings it has loaded: check [`check_complete`](Self::check_complete)
    /// first.
    pub fn to_bytes(&self) -> Vec<u8> {
        format::write::write(&self.view())
    }

    /// Bytes the postings (lexical and sparse) take serialized: what the shards of
    /// [`to_sharded_bytes`](Self::to_sharded_bytes) hold in all, before their headers. A site
    /// builder divides it by a target shard size to choose the shard count.
    pub fn postings_bytes(&self) -> usize {
        format::write::postings_len(&self.view())
    }

    /// Loads an index written by [`to_bytes`](Self::to_bytes), validating everything.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] with a [`FormatError`] for truncated, corrupted, foreign or
    /// future-version bytes. Never panics, whatever the input.
    ///
    /// ```
    /// use sparrow_core::{Index, FormatError, Error};
    /// let err = Index::from_bytes(b"\x89PNG\r\n\x1a\n....").unwrap_err();
    /// assert_eq!(err, Error::Format(FormatError::BadMagic));
    /// assert_eq!(err.code(), "INDEX_BAD_MAGIC");
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Ok(format::read::read(bytes)?)
    }
}
