//! Term-partitioned shards: a base (documents, lengths, statistics) plus postings shards keyed by
//! a stable hash of the lexical term / sparse vocabulary id, so a browser fetches only the
//! postings a query needs. A base with any set of loaded shards answers every query whose terms'
//! shards are loaded exactly like the whole index (same hits, same scores, same order): BM25's
//! N and lengths come from the base, each term's df from its own postings, and the arms add term
//! contributions in query order, not term-id order. Bytes: [`crate::format`], "Sharded indexes".

use crate::error::{Error, Result};
use crate::format::{shard, MAX_SHARDS};
use crate::index::Index;
use crate::search::{Mode, Query};

/// Which shards of a sharded index are in memory.
#[derive(Clone, Debug)]
pub(crate) struct ShardState {
    pub(crate) count: u32,
    /// CRC-32 of the base's payload; every shard names it.
    pub(crate) base_crc: u32,
    pub(crate) loaded: Vec<bool>,
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

/// A sharded index's files ([`Index::to_sharded_bytes`]): the base, then shard `i` at index `i`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardedBytes {
    /// Documents, lengths, tombstones, config and the shard count (load it with
    /// [`Index::from_base_bytes`]).
    pub base: Vec<u8>,
    /// Postings shards (load any of them with [`Index::load_shard`]).
    pub shards: Vec<Vec<u8>>,
}

impl Index {
    /// Splits the index into a base and `count` postings shards (see the module docs of
    /// [`format`](mod@crate::format)). Deterministic, like [`to_bytes`](Self::to_bytes).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] (`shards`) unless `1 <= count <= 65536`; [`Error::PartialIndex`]
    /// for a sharded index whose shards are not all loaded.
    ///
    /// ```
    /// use sparrow_core::*;
    /// let mut index = Index::new(IndexConfig::default())?;
    /// index.add(Document::new("a", "timers schedule callbacks"))?;
    /// index.add(Document::new("b", "paths join segments"))?;
    /// let parts = index.to_sharded_bytes(4)?;
    /// let mut lazy = Index::from_base_bytes(&parts.base)?;
    /// let (q, opts) = (Query::new("timers"), SearchOptions::default());
    /// assert_eq!(lazy.search(&q, &opts).unwrap_err().code(), "SHARDS_NOT_LOADED");
    /// for s in lazy.missing_shards(&q, opts.mode) {
    ///     lazy.load_shard(&parts.shards[s as usize])?;
    /// }
    /// assert_eq!(lazy.search(&q, &opts)?, index.search(&q, &opts)?);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn to_sharded_bytes(&self, count: u32) -> Result<ShardedBytes> {
        if count == 0 || count > MAX_SHARDS {
            return Err(Error::option("shards", format!("{count} is not in 1..={MAX_SHARDS}")));
        }
        self.check_complete()?;
        let (base, shards) = shard::write(self, count);
        Ok(ShardedBytes { base, shards })
    }

    /// Loads a sharded index's base: documents, filters and statistics, no postings yet. Queries
    /// need their shards ([`missing_shards`](Self::missing_shards), [`load_shard`](Self::load_shard)).
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
        let data = shard::read_shard(bytes, state, self.docs.len())?;
        if let Some((terms, sparse)) = data.postings {
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

    /// The number of postings shards, or `None` for an index that was not loaded from a base.
    pub fn shard_count(&self) -> Option<u32> {
        self.shards.as_ref().map(|s| s.count)
    }

    /// Whether every posting is in memory: `true` for a whole index, and for a sharded index
    /// once all its shards are loaded.
    pub fn is_complete(&self) -> bool {
        self.shards.as_ref().is_none_or(|s| s.loaded.iter().all(|&l| l))
    }

    /// The shards (ascending) whose postings a search of `query` in `mode` reads: the shards of
    /// its analysed terms (lexical and hybrid) and of its sparse vector's ids (sparse and
    /// hybrid). Empty for an index that is not sharded.
    pub fn shards_for(&self, query: &Query, mode: Mode) -> Vec<u32> {
        let Some(state) = &self.shards else { return Vec::new() };
        let mut out = Vec::new();
        if mode != Mode::Sparse {
            self.analyzer.analyze_with(&query.text, |t| out.push(lexical_shard(t, state.count)));
        }
        if mode != Mode::Lexical {
            if let Some(v) = &query.sparse {
                out.extend(v.iter().map(|(id, _)| sparse_shard(id, state.count)));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The shards of [`shards_for`](Self::shards_for) that are not loaded yet.
    pub fn missing_shards(&self, query: &Query, mode: Mode) -> Vec<u32> {
        let Some(state) = &self.shards else { return Vec::new() };
        let mut out = self.shards_for(query, mode);
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
            Some(s) if !self.is_complete() => {
                Err(Error::PartialIndex { missing: s.loaded.iter().filter(|&&l| !l).count() })
            }
            _ => Ok(()),
        }
    }
}
