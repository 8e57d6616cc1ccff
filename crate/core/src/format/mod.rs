//! The binary index format: the only place where Sparrow's bytes are defined.
//!
//! Written by [`Index::to_bytes`](crate::Index::to_bytes), read by
//! [`Index::from_bytes`](crate::Index::from_bytes), pinned by the golden fixtures in
//! `tests/fixtures/format/v1/`. Any change to the bytes bumps [`FORMAT_VERSION`] and adds a fixture.
//!
//! # Layout (version 1, all integers little-endian)
//!
//! ```text
//! header (24 bytes)
//!   magic        8 bytes   b"SPRWIDX\0"
//!   version      u16       1
//!   flags        u16       0 (reserved; any bit set is rejected)
//!   payload_len  u64       bytes after the header
//!   crc32        u32       CRC-32 (IEEE) of the payload
//! payload: six sections, in this order, each `tag: u8, len: varint, body: len bytes`
//!   1 config      flags u8 (1 stemming, 2 stopwords, 4 storeText), k1 f32, b f32, maxTextBytes varint
//!   2 documents   slots varint; per slot: flags u8 (1 live, 2 title, 4 text, 8 url, 16 hasSparse);
//!                 live slots then have id, [title], [text], [url] (strings), tags (varint count +
//!                 strings), fields (string: JSON object, empty string = {})
//!   3 lengths     slots varint; per slot: BM25 length varint
//!   4 lexicon     terms varint; per term (term-id order): term string, docs bitmap,
//!                 per posting: tf varint (1..=65535)
//!   5 sparse      terms varint; per term (ascending vocabulary id): id u32, scale f32,
//!                 docs bitmap, per posting: weight u8
//!   6 tombstones  bitmap of removed slots
//! string = varint byte length + UTF-8; bitmap = varint byte length + roaring's portable serialization;
//! varint = unsigned LEB128 (at most 10 bytes).
//! ```
//!
//! Postings columns (tfs, weights) are aligned with their bitmap's ascending doc order. Nothing is
//! written in hash-map order, so the same sequence of mutations always gives the same bytes.
//!
//! # Validation
//!
//! Reading checks the header, then every length against the bytes that remain (before allocating),
//! every count, every doc id against the number of slots, roaring's own validation, UTF-8, JSON,
//! the config ranges, and the consistency of tombstones with the document slots. Any failure is a
//! [`FormatError`](crate::FormatError); no input makes the reader panic (it is fuzzed:
//! `fuzz/README.md`).

pub(crate) mod read;
pub(crate) mod write;

/// The 8 bytes every Sparrow index starts with.
pub const MAGIC: [u8; 8] = *b"SPRWIDX\0";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;
/// Size of the fixed header (magic, version, flags, payload length, CRC-32).
pub const HEADER_LEN: usize = 24;

pub(crate) const SECTION_CONFIG: u8 = 1;
pub(crate) const SECTION_DOCS: u8 = 2;
pub(crate) const SECTION_LENGTHS: u8 = 3;
pub(crate) const SECTION_LEXICON: u8 = 4;
pub(crate) const SECTION_SPARSE: u8 = 5;
pub(crate) const SECTION_TOMBSTONES: u8 = 6;

pub(crate) const CONFIG_STEMMING: u8 = 1;
pub(crate) const CONFIG_STOPWORDS: u8 = 2;
pub(crate) const CONFIG_STORE_TEXT: u8 = 4;

pub(crate) const DOC_LIVE: u8 = 1;
pub(crate) const DOC_TITLE: u8 = 2;
pub(crate) const DOC_TEXT: u8 = 4;
pub(crate) const DOC_URL: u8 = 8;
pub(crate) const DOC_SPARSE: u8 = 16;
