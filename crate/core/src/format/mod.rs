//! The binary formats: the only place where Sparrow's bytes are defined.
//!
//! Written by [`Index::to_bytes`](crate::Index::to_bytes) /
//! [`Index::to_sharded_bytes`](crate::Index::to_sharded_bytes) /
//! [`WordPiece::to_vocab_bytes`](crate::WordPiece::to_vocab_bytes), read by their `from_*`
//! counterparts, pinned by the golden fixtures in `tests/fixtures/format/v2/` (and `v1/`, which
//! this build still reads). Any change to the bytes bumps [`FORMAT_VERSION`] and adds a fixture.
//!
//! # Layout (version 2, all integers little-endian)
//!
//! Every file has the same 24-byte header, then sections:
//!
//! ```text
//! header (24 bytes)
//!   magic        8 bytes   the file's kind: b"SPRWIDX\0" (whole index), b"SPRWBAS\0" (sharded
//!                          index's base), b"SPRWSHD\0" (postings shard), b"SPRWFRG\0" (document
//!                          fragment), b"SPRWVOC\0" (vocabulary)
//!   version      u16       2 (a whole index of version 1 is still read)
//!   flags        u16       0 (reserved; any bit set is rejected)
//!   payload_len  u64       bytes after the header
//!   crc32        u32       CRC-32 (IEEE) of the payload
//! payload: sections in a fixed order per kind, each `tag: u8, len: varint, body: len bytes`
//!
//! whole index: 1 config, 2 documents, 3 lengths, 4 lexicon, 5 sparse, 6 tombstones, 9 terms,
//!   15 tokens
//!   1 config      flags u8 (1 stemming, 2 stopwords, 4 storeText), k1 f32, b f32, maxTextBytes varint
//!   2 documents   slots varint; per slot: flags u8 (1 live, 2 title, 4 text, 8 url, 16 hasSparse);
//!                 live slots then have id, [title], [text], [url] (strings), tags (varint count +
//!                 strings), fields (string: JSON object, empty string = {})
//!   3 lengths     slots varint; per slot: BM25 length varint
//!   4 lexicon     terms varint; per term (term-id order): term string, doc ids,
//!                 per posting: tf varint (1..=65535)
//!   5 sparse      terms varint; per term (ascending id): id gap varint (the first: the id),
//!                 scale f32, doc ids, per posting: weight u8
//!   6 tombstones  bitmap of removed slots
//!   9 terms       what sparse ids are: kind u8 (0 undeclared, 1 model ids, 2 vocabulary ranks),
//!                 vocabulary CRC-32 u32 (0 when undeclared)   [absent in version 1: undeclared]
//!   15 tokens     WordPiece token document frequencies (lookup query weights): documents
//!                 counted varint; tokens varint; per token (ascending id): id gap varint (the
//!                 first: the id), df varint (>= 1)   [absent in version 1: none counted]
//! string = varint byte length + UTF-8; bitmap = varint byte length + roaring's portable
//! serialization; doc ids = count varint (>= 1), the first id varint, then the gap to each
//! next id varint (>= 1); varint = unsigned LEB128 (at most 10 bytes). Version 1 wrote
//! postings as bitmaps and sparse ids as u32: read, never written.
//! ```
//!
//! # Sharded indexes
//!
//! [`Index::to_sharded_bytes`](crate::Index::to_sharded_bytes) splits an index so a browser
//! fetches only what a query needs: a **base** before the first query, then the **postings
//! shards** of the query's terms, then the **document fragments** of the hits it shows.
//!
//! ```text
//! base      1 config, 3 lengths, 6 tombstones, 9 terms (as above), then
//!           10 fragments: count varint (>= 1), per fragment: slots varint (they sum to the slots)
//!           11 filters: filterable fields (u8 1 = every field, 0 = listed: count varint + names),
//!              tags (count varint; per tag: string, bitmap), fields (count varint; per field:
//!              name, values count varint; per value: key string, bitmap)
//!           14 sparse docs: bitmap of the live slots that have a sparse vector
//!           15 tokens: documents counted, and no tokens (they are in the shards)
//!           7 sharding: shard count varint (1..=65536), hash u8 (1 = FNV-1a 64), index id u32
//!             (= CRC-32 of the payload before this section)
//! shard     8 shard: index id u32, shard number varint, shard count varint; then 4 lexicon,
//!           5 sparse and 15 tokens (documents counted: 0), holding exactly the terms and token
//!           ids that hash to this shard (a token id hashes as a sparse id)
//! fragment  12 fragment: index id u32, fragment number varint, fragment count varint, first
//!           slot varint; then 2 documents (as above) for exactly the fragment's slots
//! ```
//!
//! A lexical term goes to shard `fnv1a64(b"L" ++ utf8(term)) % N`, a sparse id to
//! `fnv1a64(b"S" ++ le_u32(id)) % N` ([`lexical_shard`](crate::lexical_shard),
//! [`sparse_shard`](crate::sparse_shard)). Statistics that span terms (N, document lengths,
//! average length) are in the base; a term's df is its posting count, so it is exact in its
//! shard. A shard or fragment naming another index id, count or number than the loaded base
//! expects is [`FormatError::ShardMismatch`](crate::FormatError::ShardMismatch). Golden fixtures:
//! `tests/fixtures/format/v2/sharded/`.
//!
//! # Vocabulary
//!
//! ```text
//! vocabulary  13 vocabulary: flags u8 (1 cleanText, 2 handleChineseChars, 4 lowercase,
//!             8 stripAccents given, 16 stripAccents), unknown token string, continuing prefix
//!             string, maxInputCharsPerWord varint; tokens varint; per token (sorted by bytes):
//!             bytes shared with the previous token varint, the rest (string); added tokens
//!             varint; per added token: rank varint
//! ```
//!
//! # Vocabulary parts
//!
//! ```text
//! vocabulary  13 vocabulary: flags u8 (as above, plus 32 part), unknown token string,
//!   part      continuing prefix string, maxInputCharsPerWord varint; then the whole
//!             vocabulary's: tokens varint, CRC-32 u32 (its identity), added tokens varint; then
//!             this part's: first rank varint, first bytes covered (first u8, last u8), tokens
//!             varint; per token (sorted, each starting with a covered byte): front-coded as
//!             above; added tokens varint; per added token: rank varint (in the whole file)
//! ```
//!
//! [`WordPiece::to_vocab_parts`](crate::WordPiece::to_vocab_parts) splits a vocabulary by the
//! tokens' first byte (a static site's page then fetches only the parts its queries' words start
//! with, [`VocabParts`](crate::VocabParts)); ranks are the whole file's. A part and a whole file
//! share the magic and the section: each reader refuses the other by the part flag. Whole
//! vocabulary files are unchanged by parts (no version change: no existing byte means anything
//! new, and a reader that predates parts refuses a part by its unknown flag).
//!
//! A vocabulary file's ids are the tokens' ranks; an index built for it declares
//! [`TermSpace::VocabRanks`](crate::TermSpace) with the same CRC. Sorted and front-coded, the
//! 30,522 tokens of BERT's vocabulary take about half the bytes of the same list in id order.
//!
//! Postings columns (tfs, weights) are aligned with their bitmap's ascending doc order. Nothing is
//! written in hash-map order, so the same sequence of mutations always gives the same bytes.
//!
//! # Encoded batches
//!
//! ```text
//! encoded     16 encoded documents: count varint; per document: flags u8 (1 vector, 2 tokens);
//!             with a vector: terms varint, the first id then gaps (varints), weights f32 each;
//!             with tokens: count varint, the first id then gaps (varints)
//! ```
//!
//! Not stored anywhere: the message an encoder worker sends the index's worker
//! ([`write_encoded`]), versioned and checked like the files so two
//! builds of the package that disagree fail loudly instead of indexing garbage.
//!
//! # Validation
//!
//! Reading checks the header, then every length against the bytes that remain (before allocating),
//! every count, every doc id against the number of slots, roaring's own validation, UTF-8, JSON,
//! the config ranges, and the consistency of tombstones with the document slots. Any failure is a
//! [`FormatError`](crate::FormatError); no input makes the reader panic (it is fuzzed:
//! `fuzz/README.md`).

mod encoded;
mod manifest;
pub(crate) mod read;
pub(crate) mod shard;
pub(crate) mod vocab;
pub(crate) mod write;

pub use encoded::{read_encoded, write_encoded, EncodedDoc};
pub use manifest::{
    ManifestCounts, ManifestFile, ManifestModel, ManifestVocabPart, SiteManifest, SiteMode,
    MANIFEST_VERSION,
};

/// The 8 bytes every Sparrow index starts with.
pub const MAGIC: [u8; 8] = *b"SPRWIDX\0";
/// The format version this build writes (and reads; a whole index of version 1 is read too).
pub const FORMAT_VERSION: u16 = 2;
/// Size of the fixed header (magic, version, flags, payload length, CRC-32).
pub const HEADER_LEN: usize = 24;

pub(crate) const SECTION_CONFIG: u8 = 1;
pub(crate) const SECTION_DOCS: u8 = 2;
pub(crate) const SECTION_LENGTHS: u8 = 3;
pub(crate) const SECTION_LEXICON: u8 = 4;
pub(crate) const SECTION_SPARSE: u8 = 5;
pub(crate) const SECTION_TOMBSTONES: u8 = 6;
pub(crate) const SECTION_SHARDING: u8 = 7;
pub(crate) const SECTION_SHARD: u8 = 8;
pub(crate) const SECTION_TERMS: u8 = 9;
pub(crate) const SECTION_FRAGMENTS: u8 = 10;
pub(crate) const SECTION_FILTERS: u8 = 11;
pub(crate) const SECTION_FRAGMENT: u8 = 12;
pub(crate) const SECTION_VOCAB: u8 = 13;
pub(crate) const SECTION_SPARSE_DOCS: u8 = 14;
pub(crate) const SECTION_TOKENS: u8 = 15;
pub(crate) const SECTION_ENCODED: u8 = 16;

/// The 8 bytes a sharded index's base starts with (see [Sharded indexes](self#sharded-indexes)).
pub const BASE_MAGIC: [u8; 8] = *b"SPRWBAS\0";
/// The 8 bytes a sharded index's postings shard starts with.
pub const SHARD_MAGIC: [u8; 8] = *b"SPRWSHD\0";
/// The 8 bytes a sharded index's document fragment starts with.
pub const FRAGMENT_MAGIC: [u8; 8] = *b"SPRWFRG\0";
/// The 8 bytes a vocabulary file starts with.
pub const VOCAB_MAGIC: [u8; 8] = *b"SPRWVOC\0";
/// Magic of an encoded batch (encoder worker → index worker; see "Encoded batches").
pub const ENCODED_MAGIC: [u8; 8] = *b"SPRWVEC\0";
/// Largest shard count [`Index::to_sharded_bytes`](crate::Index::to_sharded_bytes) accepts.
pub const MAX_SHARDS: u32 = 1 << 16;
/// The term → shard hash of this format version: FNV-1a 64 (see [`lexical_shard`](crate::lexical_shard)).
pub(crate) const SHARD_HASH_FNV1A: u8 = 1;

/// The kind of Sparrow file a magic names, for [`FormatError::WrongKind`](crate::FormatError::WrongKind).
pub(crate) fn kind_of(magic: &[u8]) -> Option<&'static str> {
    if magic == MAGIC {
        Some("index")
    } else if magic == BASE_MAGIC {
        Some("sharded-index base")
    } else if magic == SHARD_MAGIC {
        Some("shard")
    } else if magic == FRAGMENT_MAGIC {
        Some("document fragment")
    } else if magic == VOCAB_MAGIC {
        Some("vocabulary")
    } else if magic == ENCODED_MAGIC {
        Some("encoded batch")
    } else {
        None
    }
}

pub(crate) const CONFIG_STEMMING: u8 = 1;
pub(crate) const CONFIG_STOPWORDS: u8 = 2;
pub(crate) const CONFIG_STORE_TEXT: u8 = 4;

pub(crate) const DOC_LIVE: u8 = 1;
pub(crate) const DOC_TITLE: u8 = 2;
pub(crate) const DOC_TEXT: u8 = 4;
pub(crate) const DOC_URL: u8 = 8;
pub(crate) const DOC_SPARSE: u8 = 16;

pub(crate) const TERMS_UNDECLARED: u8 = 0;
pub(crate) const TERMS_MODEL_IDS: u8 = 1;
pub(crate) const TERMS_VOCAB_RANKS: u8 = 2;

#[cfg(test)]
mod tests {
    use roaring::RoaringBitmap;

    use super::write::varint;
    use super::*;
    use crate::{Error, FormatError, Index};

    /// Builds an index file from raw section bodies (with a correct header and CRC).
    fn file(sections: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let mut payload = Vec::new();
        for (tag, body) in sections {
            payload.push(*tag);
            varint(&mut payload, body.len() as u64);
            payload.extend_from_slice(body);
        }
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    fn config() -> Vec<u8> {
        let mut b = vec![CONFIG_STEMMING | CONFIG_STOPWORDS | CONFIG_STORE_TEXT];
        b.extend_from_slice(&1.2f32.to_le_bytes());
        b.extend_from_slice(&0.75f32.to_le_bytes());
        varint(&mut b, 1 << 20);
        b
    }

    fn str_(b: &mut Vec<u8>, s: &[u8]) {
        varint(b, s.len() as u64);
        b.extend_from_slice(s);
    }

    /// One live doc "a" (no title, text "x", no tags, no fields).
    fn one_doc() -> Vec<u8> {
        let mut b = Vec::new();
        varint(&mut b, 1);
        b.push(DOC_LIVE | DOC_TEXT);
        str_(&mut b, b"a");
        str_(&mut b, b"x");
        varint(&mut b, 0);
        str_(&mut b, b"");
        b
    }

    fn lengths(lens: &[u64]) -> Vec<u8> {
        let mut b = Vec::new();
        varint(&mut b, lens.len() as u64);
        for &l in lens {
            varint(&mut b, l);
        }
        b
    }

    fn bitmap(b: &mut Vec<u8>, docs: &[u32]) {
        let bm: RoaringBitmap = docs.iter().copied().collect();
        varint(b, bm.serialized_size() as u64);
        bm.serialize_into(&mut *b).unwrap();
    }

    /// Doc ids as version 2 writes them: count, first id, gaps (given as written).
    fn ids(b: &mut Vec<u8>, docs: &[u32]) {
        varint(b, docs.len() as u64);
        let mut prev = 0;
        for (i, &d) in docs.iter().enumerate() {
            varint(b, u64::from(if i == 0 { d } else { d.wrapping_sub(prev) }));
            prev = d;
        }
    }

    fn lexicon(term: &[u8], docs: &[u32], tfs: &[u64]) -> Vec<u8> {
        let mut b = Vec::new();
        varint(&mut b, 1);
        str_(&mut b, term);
        ids(&mut b, docs);
        for &tf in tfs {
            varint(&mut b, tf);
        }
        b
    }

    fn empty_count() -> Vec<u8> {
        vec![0]
    }

    fn tombstones(docs: &[u32]) -> Vec<u8> {
        let mut b = Vec::new();
        bitmap(&mut b, docs);
        b
    }

    fn valid_sections() -> Vec<(u8, Vec<u8>)> {
        vec![
            (SECTION_CONFIG, config()),
            (SECTION_DOCS, one_doc()),
            (SECTION_LENGTHS, lengths(&[1])),
            (SECTION_LEXICON, lexicon(b"x", &[0], &[1])),
            (SECTION_SPARSE, empty_count()),
            (SECTION_TOMBSTONES, tombstones(&[])),
            (SECTION_TERMS, vec![TERMS_UNDECLARED, 0, 0, 0, 0]),
            (SECTION_TOKENS, vec![0, 0]),
        ]
    }

    fn corrupt(sections: Vec<(u8, Vec<u8>)>) -> String {
        match Index::from_bytes(&file(&sections)) {
            Err(Error::Format(FormatError::Corrupt { what })) => what,
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    fn replace(i: usize, body: Vec<u8>) -> Vec<(u8, Vec<u8>)> {
        let mut s = valid_sections();
        s[i].1 = body;
        s
    }

    #[test]
    fn hand_built_file_loads() {
        let index = Index::from_bytes(&file(&valid_sections())).unwrap();
        assert_eq!(index.len(), 1);
        assert_eq!(index.get("a").unwrap().text, Some("x"));
        assert_eq!(index.to_bytes(), file(&valid_sections()));
    }

    #[test]
    fn huge_counts_are_rejected_before_allocating() {
        let mut docs = Vec::new();
        varint(&mut docs, u64::MAX >> 1);
        assert!(corrupt(replace(1, docs)).contains("cannot fit"));
        let mut lex = Vec::new();
        varint(&mut lex, 1 << 40);
        assert!(corrupt(replace(3, lex)).contains("cannot fit"));
        let mut s = Vec::new();
        varint(&mut s, 1 << 40);
        assert!(corrupt(replace(4, s)).contains("cannot fit"));
        // A string claiming 2^60 bytes.
        let mut docs = Vec::new();
        varint(&mut docs, 1);
        docs.push(DOC_LIVE);
        varint(&mut docs, 1 << 60);
        assert!(corrupt(replace(1, docs)).contains("needs"));
    }

    #[test]
    fn bad_token_counts() {
        // 2 documents counted; tokens 5 (df 2) and 7 (df 1): fine.
        assert!(Index::from_bytes(&file(&replace(7, vec![2, 2, 5, 2, 2, 1]))).is_ok());
        assert!(corrupt(replace(7, vec![2, 2, 5, 2, 0, 1])).contains("not ascending"));
        assert!(corrupt(replace(7, vec![2, 1, 5, 0])).contains("df 0"));
        assert!(corrupt(replace(7, vec![2, 1, 5, 3])).contains("df 3 with 2 documents"));
        assert!(corrupt(replace(7, vec![2, 3, 5, 1])).contains("token count 3 cannot fit"));
    }

    #[test]
    fn varint_overflow() {
        let docs = vec![0xff; 11];
        assert!(corrupt(replace(1, docs)).contains("varint"));
        let mut docs = vec![0xff; 9];
        docs.push(0x02);
        assert!(corrupt(replace(1, docs)).contains("overflows"));
    }

    #[test]
    fn ids_out_of_range() {
        assert!(corrupt(replace(3, lexicon(b"x", &[1], &[1]))).contains("doc id 1 >= 1"));
        assert!(corrupt(replace(5, tombstones(&[7]))).contains("doc id 7"));
    }

    #[test]
    fn inconsistent_structures() {
        assert!(corrupt(replace(2, lengths(&[1, 2]))).contains("2 lengths for 1"));
        assert!(corrupt(replace(2, lengths(&[1 << 33]))).contains("u32::MAX"));
        assert!(corrupt(replace(3, lexicon(b"x", &[0], &[0]))).contains("term frequency 0"));
        assert!(corrupt(replace(3, lexicon(b"", &[0], &[1]))).contains("empty term"));
        let e = corrupt(replace(3, lexicon(b"x", &[], &[])));
        assert!(e.contains("no documents") || e.contains("cannot fit"), "{e}");
        let mut lex = lexicon(b"x", &[], &[]);
        lex.push(0); // room enough for the count check: then the empty list is named
        assert!(corrupt(replace(3, lex)).contains("no documents"));
        assert!(corrupt(replace(3, lexicon(b"x", &[0, 0], &[1, 1]))).contains("not increasing"));
        assert!(corrupt(replace(3, lexicon(b"\xff", &[0], &[1]))).contains("UTF-8"));
        assert!(corrupt(replace(5, tombstones(&[0]))).contains("tombstones"));
        // Two terms with the same string.
        let mut lex = Vec::new();
        varint(&mut lex, 2);
        for _ in 0..2 {
            str_(&mut lex, b"x");
            ids(&mut lex, &[0]);
            varint(&mut lex, 1);
        }
        assert!(corrupt(replace(3, lex)).contains("twice"));
        // Trailing bytes in a section.
        let mut c = config();
        c.push(0);
        assert!(corrupt(replace(0, c)).contains("trailing"));
        // Wrong section order.
        let mut s = valid_sections();
        s.swap(2, 3);
        assert!(corrupt(s).contains("expected section 3"));
        // Missing section.
        let mut s = valid_sections();
        s.pop();
        assert!(corrupt(s).contains("needs"));
    }

    #[test]
    fn bad_config_and_documents() {
        let mut c = config();
        c[0] |= 0x80;
        assert!(corrupt(replace(0, c)).contains("config flags"));
        let mut c = config();
        c[5..9].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(corrupt(replace(0, c)).contains("bm25.b"));
        let mut d = one_doc();
        d[1] |= 0x80;
        assert!(corrupt(replace(1, d)).contains("document flags"));
        let mut d = Vec::new();
        varint(&mut d, 1);
        d.push(DOC_TITLE);
        assert!(corrupt(replace(1, d)).contains("removed slot"));
        let mut d = one_doc();
        let n = d.len();
        d[n - 1] = 2; // fields string of 2 bytes...
        d.extend_from_slice(b"[]"); // ...that is JSON but not an object
        assert!(corrupt(replace(1, d)).contains("not a JSON object"));
        let mut d = Vec::new();
        varint(&mut d, 1);
        d.push(DOC_LIVE);
        str_(&mut d, b"");
        assert!(corrupt(replace(1, d)).contains("id is empty"));
        // The same id live twice.
        let mut d = Vec::new();
        varint(&mut d, 2);
        for _ in 0..2 {
            d.push(DOC_LIVE | DOC_TEXT);
            str_(&mut d, b"a");
            str_(&mut d, b"x");
            varint(&mut d, 0);
            str_(&mut d, b"");
        }
        let mut s = valid_sections();
        s[1].1 = d;
        s[2].1 = lengths(&[1, 1]);
        assert!(corrupt(s).contains("live twice"));
    }

    #[test]
    fn bad_sparse_terms() {
        let sparse = |id: u32, scale: f32, docs: &[u32], weights: &[u8], count: u64| {
            let mut b = Vec::new();
            varint(&mut b, count);
            for i in 0..count as u32 {
                varint(&mut b, u64::from(if i == 0 { id } else { 0 })); // a second term: gap 0
                b.extend_from_slice(&scale.to_le_bytes());
                ids(&mut b, docs);
                b.extend_from_slice(weights);
            }
            b
        };
        assert!(Index::from_bytes(&file(&replace(4, sparse(5, 0.1, &[0], &[3], 1)))).is_ok());
        assert!(corrupt(replace(4, sparse(5, f32::NAN, &[0], &[3], 1))).contains("scale"));
        assert!(corrupt(replace(4, sparse(5, -1.0, &[0], &[3], 1))).contains("scale"));
        assert!(corrupt(replace(4, sparse(5, 1e30, &[0], &[3], 1))).contains("scale"));
        assert!(corrupt(replace(4, sparse(5, 0.1, &[0], &[], 1))).contains("cannot fit"));
        assert!(corrupt(replace(4, sparse(5, 0.1, &[0], &[3], 2))).contains("strictly increasing"));
        let e = corrupt(replace(4, sparse(5, 0.1, &[], &[], 1)));
        assert!(e.contains("no documents") || e.contains("cannot fit"), "{e}");
        // A sparse id past u32::MAX.
        let mut b = Vec::new();
        varint(&mut b, 2);
        for gap in [u64::from(u32::MAX), 1] {
            varint(&mut b, gap);
            b.extend_from_slice(&0.1f32.to_le_bytes());
            ids(&mut b, &[0]);
            b.push(3);
        }
        assert!(corrupt(replace(4, b)).contains("overflows"));
        // A roaring bitmap with a broken body (tombstones are still bitmaps).
        let mut b = Vec::new();
        str_(&mut b, &[0x3a, 0x30, 0, 0, 9, 0, 0, 0]);
        assert!(corrupt(replace(5, b)).contains("roaring"));
    }
}
