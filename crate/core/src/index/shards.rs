//! Sharded indexes, for static sites: a small **base** (statistics, lengths, filters) plus
//! **postings shards** keyed by a stable hash of the lexical term / sparse vocabulary id, plus
//! **document fragments** (the stored documents, in runs of consecutive slots), so a browser
//! fetches only the postings a query needs and only the documents of the hits it shows.
//!
//! A base with any set of loaded shards answers every query whose terms' shards are loaded
//! exactly like the whole index (same hits, same scores, same order): BM25's N and lengths come
//! from the base, each term's df from its own postings, and the arms add term contributions in
//! query order, not term-id order. A search whose top hits lie in fragments not loaded yet fails
//! with [`Error::FragmentsNotLoaded`] naming them; load them and search again.
//! Bytes: [`crate::format`], "Sharded indexes".

use crate::document::DocId;
use crate::error::{Error, Result};
use crate::format::{shard, MAX_SHARDS};
use crate::index::Index;
use crate::search::{Mode, Query, SearchOptions};

/// Which shards and fragments of a sharded index are in memory.
#[derive(Clone, Debug)]
pub(crate) struct ShardState {
    pub(crate) count: u32,
    /// The index's identity: CRC-32 of the base's payload before its sharding section. Every
    /// shard and fragment names it, so parts of two builds are never mixed.
    pub(crate) index_id: u32,
    pub(crate) loaded: Vec<bool>,
    /// First slot of each fragment, then the number of slots (`fragments + 1` entries).
    pub(crate) fragment_starts: Vec<u32>,
    pub(crate) fragments_loaded: Vec<bool>,
}

impl ShardState {
    /// The fragment holding `slot`.
    pub(crate) fn fragment_of(&self, slot: DocId) -> u32 {
        (self.fragment_starts.partition_point(|&start| start <= slot) - 1) as u32
    }
}

/// What a sparse term id means: a model's vocabulary id, or the rank of a token in a sorted
/// vocabulary file ([`WordPiece::from_vocab_bytes`](crate::WordPiece::from_vocab_bytes); static
/// sites use ranks because a sorted vocabulary compresses to half the bytes). `vocab_crc`
/// identifies the vocabulary ([`WordPiece::term_space`](crate::WordPiece::term_space)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TermSpace {
    /// Not declared: no vectors yet, or written before format version 2 (which only ever held
    /// model ids).
    #[default]
    Unknown,
    /// Ids of the model's vocabulary.
    ModelIds {
        /// CRC-32 of the vocabulary's sorted tokens.
        vocab_crc: u32,
    },
    /// Ranks in the sorted vocabulary.
    VocabRanks {
        /// CRC-32 of the vocabulary's sorted tokens.
        vocab_crc: u32,
    },
}

impl std::fmt::Display for TermSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TermSpace::Unknown => f.write_str("undeclared term ids"),
            TermSpace::ModelIds { vocab_crc } => {
                write!(f, "model ids of vocabulary {vocab_crc:08x}")
            }
            TermSpace::VocabRanks { vocab_crc } => {
                write!(f, "ranks in sorted vocabulary {vocab_crc:08x}")
            }
        }
    }
}

/// How [`Index::to_sharded_bytes`] splits an index. JSON: camelCase, every field optional.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ShardingOptions {
    /// Number of postings shards, `1..=65536`.
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>", optional))]
    pub shards: u32,
    /// Target size of a document fragment, in bytes of stored documents: consecutive documents
    /// are grouped until a fragment reaches it (a larger document is a fragment of its own).
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub fragment_bytes: usize,
    /// The fields the base keeps filter bitmaps for (tags are always kept); unset (JSON `null`)
    /// keeps every field. A site's base is fetched before the first query, so it keeps only what its pages
    /// filter on.
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub filter_fields: Option<Vec<String>>,
}

impl Default for ShardingOptions {
    /// One shard, fragments of 16 KiB, every field filterable.
    fn default() -> Self {
        ShardingOptions { shards: 1, fragment_bytes: 16 << 10, filter_fields: None }
    }
}

/// FNV-1a 64 of `tag` followed by `bytes`: tiny, stable across platforms and versions (it is
/// part of the format), and well spread for short keys.
fn fnv1a(tag: u8, bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in std::iter::once(&tag).chain(bytes) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The shard (of `count`) that holds the postings of the analysed lexical term `term`.
///
/// ```
/// assert_eq!(sparrow_core::lexical_shard("timer", 1), 0);
/// assert!(sparrow_core::lexical_shard("timer", 8) < 8);
/// ```
pub fn lexical_shard(term: &str, count: u32) -> u32 {
    (fnv1a(b'L', term.as_bytes()) % u64::from(count.max(1))) as u32
}

/// The shard (of `count`) that holds the postings of the sparse vocabulary id `id`.
pub fn sparse_shard(id: u32, count: u32) -> u32 {
    (fnv1a(b'S', &id.to_le_bytes()) % u64::from(count.max(1))) as u32
}

/// A sharded index's files ([`Index::to_sharded_bytes`]): the base, shard `i` at `shards[i]`,
/// fragment `i` at `fragments[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardedBytes {
    /// Config, lengths, tombstones, filters, the fragment table and the shard count (load it
    /// with [`Index::from_base_bytes`]).
    pub base: Vec<u8>,
    /// Postings shards (load any of them with [`Index::load_shard`]).
    pub shards: Vec<Vec<u8>>,
    /// Document fragments (load any of them with [`Index::load_fragment`]).
    pub fragments: Vec<Vec<u8>>,
}

impl Index {
    /// Splits the index into a base, `options.shards` postings shards and document fragments
    /// (see the module docs of [`format`](mod@crate::format)). Deterministic, like
    /// [`to_bytes`](Self::to_bytes).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] (`shards`) unless `1 <= shards <= 65536`, (`fragmentBytes`) if
    /// it is 0; [`Error::PartialIndex`] for a sharded index not completely loaded.
    ///
    /// ```
    /// use sparrow_core::*;
    /// let mut index = Index::new(IndexConfig::default())?;
    /// index.add(Document::new("a", "timers schedule callbacks"))?;
    /// index.add(Document::new("b", "paths join segments"))?;
    /// let parts = index.to_sharded_bytes(&ShardingOptions { shards: 4, ..Default::default() })?;
    /// let mut lazy = Index::from_base_bytes(&parts.base)?;
    /// let (q, opts) = (Query::new("timers"), SearchOptions::default());
    /// assert_eq!(lazy.search(&q, &opts).unwrap_err().code(), "SHARDS_NOT_LOADED");
    /// for s in lazy.missing_shards(&q, &opts) {
    ///     lazy.load_shard(&parts.shards[s as usize])?;
    /// }
    /// // The hits' documents come in fragments.
    /// let Err(Error::FragmentsNotLoaded { fragments }) = lazy.search(&q, &opts) else { panic!() };
    /// for f in fragments {
    ///     lazy.load_fragment(&parts.fragments[f as usize])?;
    /// }
    /// assert_eq!(lazy.search(&q, &opts)?, index.search(&q, &opts)?);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn to_sharded_bytes(&self, options: &ShardingOptions) -> Result<ShardedBytes> {
        if options.shards == 0 || options.shards > MAX_SHARDS {
            return Err(Error::option(
                "shards",
                format!("{} is not in 1..={MAX_SHARDS}", options.shards),
            ));
        }
        if options.fragment_bytes == 0 {
            return Err(Error::option("fragmentBytes", "must be at least 1"));
        }
        self.check_complete()?;
        Ok(shard::write(&self.view(), options))
    }

    /// Loads a sharded index's base: statistics, lengths and filters, no postings and no
    /// documents yet. Queries need their shards ([`missing_shards`](Self::missing_shards),
    /// [`load_shard`](Self::load_shard)) and their hits' fragments
    /// ([`load_fragment`](Self::load_fragment)).
    ///
    /// # Errors
    ///
    /// As [`from_bytes`](Self::from_bytes); a whole index or a shard is
    /// [`FormatError::WrongKind`](crate::FormatError::WrongKind).
    pub fn from_base_bytes(bytes: &[u8]) -> Result<Self> {
        Ok(shard::read_base(bytes)?)
    }

    /// Adds a shard's postings and returns its number. Loading a shard again does nothing.
    ///
    /// # Errors
    ///
    /// [`FormatError::ShardMismatch`](crate::FormatError::ShardMismatch) for a shard of another
    /// base (or an index that is not sharded), other [`FormatError`](crate::FormatError)s for bad
    /// bytes; the index is unchanged on error.
    pub fn load_shard(&mut self, bytes: &[u8]) -> Result<u32> {
        let Some(state) = &self.shards else {
            return Err(crate::FormatError::ShardMismatch {
                what: "this index is not sharded (it was not loaded with from_base_bytes)".into(),
            }
            .into());
        };
        let documents = self.token_stats.documents;
        let data = shard::read_shard(bytes, state, self.docs.len(), documents)?;
        if let Some((terms, sparse, tokens)) = data.postings {
            self.token_stats.df.extend(tokens);
            for (term, postings) in terms {
                let id = self.lexicon.terms.len() as u32;
                self.lexicon.lookup.insert(term.clone(), id);
                self.lexicon.terms.push((term, postings));
            }
            self.sparse.extend(sparse);
        }
        if let Some(state) = &mut self.shards {
            state.loaded[data.shard as usize] = true;
        }
        Ok(data.shard)
    }

    /// Adds a document fragment of the loaded base; returns its number. Loading one again does
    /// nothing.
    ///
    /// # Errors
    ///
    /// [`FormatError::ShardMismatch`](crate::FormatError::ShardMismatch) for a fragment of
    /// another index, other [`FormatError`](crate::FormatError)s for bad bytes (including a
    /// document id already live in another fragment); the index is unchanged on error.
    pub fn load_fragment(&mut self, bytes: &[u8]) -> Result<u32> {
        let Some(state) = &self.shards else {
            return Err(crate::FormatError::ShardMismatch {
                what: "this index is not sharded (it was not loaded with from_base_bytes)".into(),
            }
            .into());
        };
        let (fragment, records) = shard::read_fragment(bytes, state, &self.deleted)?;
        let Some(records) = records else { return Ok(fragment) };
        let first = state.fragment_starts[fragment as usize];
        if let Some(r) = records.iter().flatten().find(|r| self.id_map.contains_key(&r.id)) {
            return Err(crate::FormatError::corrupt(format!(
                "fragment {fragment}: document id {:?} is already live in another fragment",
                r.id
            ))
            .into());
        }
        for (i, record) in records.into_iter().enumerate() {
            let slot = first + i as u32;
            if let Some(r) = &record {
                self.id_map.insert(r.id.clone(), slot);
            }
            self.docs[slot as usize] = record;
        }
        if let Some(state) = &mut self.shards {
            state.fragments_loaded[fragment as usize] = true;
        }
        Ok(fragment)
    }

    /// The number of postings shards, or `None` for an index that was not loaded from a base.
    pub fn shard_count(&self) -> Option<u32> {
        self.shards.as_ref().map(|s| s.count)
    }

    /// The number of document fragments, or `None` for an index that was not loaded from a base.
    pub fn fragment_count(&self) -> Option<u32> {
        self.shards.as_ref().map(|s| s.fragments_loaded.len() as u32)
    }

    /// The fragments (ascending, unique) holding `docs` that are not loaded yet.
    pub fn missing_fragments(&self, docs: impl IntoIterator<Item = DocId>) -> Vec<u32> {
        let Some(state) = &self.shards else { return Vec::new() };
        let mut out: Vec<u32> = docs
            .into_iter()
            .filter(|&d| (d as usize) < self.docs.len())
            .map(|d| state.fragment_of(d))
            .filter(|&f| !state.fragments_loaded[f as usize])
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether every posting and document is in memory: `true` for a whole index, and for a
    /// sharded index once all its shards and fragments are loaded.
    pub fn is_complete(&self) -> bool {
        self.shards
            .as_ref()
            .is_none_or(|s| s.loaded.iter().all(|&l| l) && s.fragments_loaded.iter().all(|&l| l))
    }

    /// The shards (ascending) whose postings a search of `query` with `options` reads: the shards
    /// of its analysed terms (lexical and hybrid modes) and of the ids of the side of the query
    /// `options.query_encoder` picks (sparse and hybrid; see
    /// [`QueryEncoder`](crate::QueryEncoder)). Empty for an index that is not sharded.
    pub fn shards_for(&self, query: &Query, options: &SearchOptions) -> Vec<u32> {
        let (mode, encoder) = (options.mode, options.query_encoder);
        let Some(state) = &self.shards else { return Vec::new() };
        let mut out = Vec::new();
        if mode != Mode::Sparse {
            self.analyzer.analyze_with(&query.text, |t| out.push(lexical_shard(t, state.count)));
        }
        if mode != Mode::Lexical {
            match query.sparse_side(encoder) {
                Some(Ok(v)) => out.extend(v.iter().map(|(id, _)| sparse_shard(id, state.count))),
                Some(Err(t)) => out.extend(t.iter().map(|&id| sparse_shard(id, state.count))),
                None => {}
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The shards of [`shards_for`](Self::shards_for) that are not loaded yet.
    pub fn missing_shards(&self, query: &Query, options: &SearchOptions) -> Vec<u32> {
        let Some(state) = &self.shards else { return Vec::new() };
        let mut out = self.shards_for(query, options);
        out.retain(|&s| !state.loaded[s as usize]);
        out
    }

    /// `Ok` if [`is_complete`](Self::is_complete).
    ///
    /// # Errors
    ///
    /// [`Error::PartialIndex`] otherwise (e.g. before [`to_bytes`](Self::to_bytes), which writes
    /// only what is loaded).
    pub fn check_complete(&self) -> Result<()> {
        match &self.shards {
            Some(s) if !self.is_complete() => Err(Error::PartialIndex {
                missing: s.loaded.iter().chain(&s.fragments_loaded).filter(|&&l| !l).count(),
            }),
            _ => Ok(()),
        }
    }
}
