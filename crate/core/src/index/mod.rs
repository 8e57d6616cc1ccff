//! The in-memory index: document store, BM25 and sparse postings, filter bitmaps, mutations.

mod postings;
mod search;
mod shards;

use std::collections::{HashMap, HashSet};
use std::fmt;

use roaring::RoaringBitmap;
use serde::Serialize;

use crate::analysis::Analyzer;
use crate::config::IndexConfig;
use crate::document::DocId;
use crate::document::{DocRecord, Document, Slot, StoredDoc};
use crate::error::{Error, Result};
use crate::filter::FilterIndex;
use crate::sparse::{dequantize, SparseVector};

pub(crate) use postings::{LexPostings, Lexicon, SparsePostings};
pub(crate) use shards::ShardState;
pub use shards::{lexical_shard, sparse_shard, ShardedBytes, ShardingOptions, TermSpace};

use crate::hash::FxHashMap;

/// Word (as it appears in the text) -> term id, or `None` for a stop word: a bulk build sees the
/// same words again and again, and lowercasing + stemming is most of the indexing time.
type WordCache = FxHashMap<Box<str>, Option<u32>>;
/// Entries after which the word cache starts over (bounds its memory, ~50 MB at most).
const WORD_CACHE_LIMIT: usize = 1 << 20;

/// A hybrid (BM25 + learned-sparse) search index held in memory.
///
/// Documents get dense internal [`DocId`]s in insertion order. Removing a document tombstones it
/// (it never appears in results again, and BM25 statistics exclude it at once);
/// [`vacuum`](Index::vacuum) reclaims the space. [`to_bytes`](Index::to_bytes) /
/// [`from_bytes`](Index::from_bytes) move the whole index in one versioned, checksummed buffer.
///
/// # Examples
///
/// ```
/// use sparrow_core::{Document, Index, IndexConfig, Mode, Query, SearchOptions, SparseVector};
///
/// let mut index = Index::new(IndexConfig::default())?;
/// index.add(Document::new("a", "Rust compiles to WebAssembly")
///     .with_sparse(SparseVector::from_pairs([(10, 1.5), (20, 0.3)])?))?;
/// index.add(Document::new("b", "Gardening in small spaces").with_tag("home"))?;
///
/// let hits = index.search(&Query::new("webassembly"), &SearchOptions::default())?;
/// assert_eq!(hits[0].id, "a");
///
/// let q = Query::new("").with_sparse(SparseVector::from_pairs([(10, 1.0)])?);
/// let opts = SearchOptions { mode: Mode::Sparse, ..Default::default() };
/// assert_eq!(index.search(&q, &opts)?[0].id, "a");
///
/// let copy = Index::from_bytes(&index.to_bytes())?;
/// assert_eq!(copy.len(), 2);
/// # Ok::<(), sparrow_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Index {
    config: IndexConfig,
    analyzer: Analyzer,
    /// One slot per [`DocId`]; `None` once removed.
    docs: Vec<Slot>,
    /// BM25 length (number of analysed terms) per slot.
    doc_lens: Vec<u32>,
    /// Removed slots (tombstones) still referenced by postings.
    deleted: RoaringBitmap,
    lexicon: Lexicon,
    /// Sparse postings by vocabulary id.
    sparse: FxHashMap<u32, SparsePostings>,
    // Derived from the above (rebuilt on load):
    id_map: HashMap<String, DocId>,
    /// Sum of live documents' lengths.
    live_len: u64,
    filters: FilterIndex,
    /// Live documents that have a sparse vector.
    sparse_docs: RoaringBitmap,
    /// `Some` for a sharded index ([`Index::from_base_bytes`]): which postings shards and
    /// document fragments are loaded. Its filters and `sparse_docs` come from the base, and a
    /// slot's record is `None` until its fragment is loaded (removed slots are in `deleted`).
    shards: Option<ShardState>,
    /// What the sparse term ids are (model ids or a vocabulary file's ranks).
    term_space: TermSpace,
    /// How many documents' texts contain each WordPiece token: the weights of lookup queries.
    token_stats: TokenStats,
}

/// Document frequencies of WordPiece tokens over the indexed texts ([`Document::tokens`]), the
/// table lookup queries are weighted from ([`Index::lookup_vector`]).
///
/// Counted when a document with tokens is added and never subtracted (a removed or replaced
/// document still counts, as in Lucene's `docFreq` until a merge): these are statistics of the
/// language of the collection, not of its live documents, and keeping them needs no per-document
/// token list. A sharded index has `documents` in its base and each token's count in the shard
/// its id hashes to ([`sparse_shard`]), the shard a lookup query fetches for that token anyway.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TokenStats {
    /// Documents counted (those added with tokens).
    pub(crate) documents: u32,
    /// Token id (in the index's term space) -> documents whose text has it.
    pub(crate) df: FxHashMap<u32, u32>,
}

impl TokenStats {
    /// Counts one document's tokens (each distinct id once).
    pub(crate) fn count(&mut self, tokens: &[u32]) {
        let mut ids = tokens.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let c = self.df.entry(id).or_insert(0);
            *c = c.saturating_add(1);
        }
        self.documents = self.documents.saturating_add(1);
    }

    /// Token ids in ascending order with their counts.
    pub(crate) fn sorted(&self) -> Vec<(u32, u32)> {
        let mut pairs: Vec<(u32, u32)> = self.df.iter().map(|(&id, &n)| (id, n)).collect();
        pairs.sort_unstable();
        pairs
    }
}

/// Everything the byte format reads into an index: the one seam between `index/` and
/// `format/` (the reader fills it, [`Index::from_parts`] checks and completes it).
pub(crate) struct IndexParts {
    pub(crate) config: IndexConfig,
    pub(crate) docs: Vec<Slot>,
    pub(crate) doc_lens: Vec<u32>,
    pub(crate) deleted: RoaringBitmap,
    pub(crate) lexicon: Lexicon,
    pub(crate) sparse: FxHashMap<u32, SparsePostings>,
    pub(crate) term_space: TermSpace,
    pub(crate) token_stats: TokenStats,
    /// A sharded base: its shard state, stored filters and documents with a sparse vector.
    pub(crate) base: Option<(ShardState, FilterIndex, RoaringBitmap)>,
}

/// What the writers (`format/`) read of an index, borrowed: the other direction of the seam
/// [`IndexParts`] is (the reader fills that one). `Index`'s own fields stay private to `index/`,
/// so the format module sees an index only through these two.
pub(crate) struct IndexView<'a> {
    pub(crate) config: &'a IndexConfig,
    pub(crate) docs: &'a [Slot],
    pub(crate) doc_lens: &'a [u32],
    pub(crate) deleted: &'a RoaringBitmap,
    pub(crate) lexicon: &'a Lexicon,
    /// Sparse postings, ascending by term id (terms whose postings are all gone included).
    pub(crate) sparse: Vec<(u32, &'a SparsePostings)>,
    pub(crate) term_space: TermSpace,
    pub(crate) token_stats: &'a TokenStats,
    pub(crate) filters: &'a FilterIndex,
    pub(crate) sparse_docs: &'a RoaringBitmap,
}

/// Summary figures of an index ([`Index::stats`]). JSON: camelCase.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Live documents.
    pub documents: usize,
    /// Removed documents not yet vacuumed (tombstones).
    pub deleted: usize,
    /// BM25 terms in the lexicon (including terms only in removed documents, until vacuum).
    pub lexical_terms: usize,
    /// Sparse vocabulary ids with postings.
    pub sparse_terms: usize,
    /// Live documents with a sparse vector.
    pub sparse_documents: usize,
    /// Average BM25 length (analysed terms) of live documents.
    pub avg_doc_length: f32,
    /// Approximate heap size of the index, in bytes (main structures counted, not allocator
    /// overhead).
    pub heap_bytes: usize,
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index").field("config", &self.config).field("stats", &self.stats()).finish()
    }
}

impl Index {
    /// Creates an empty index.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] if a BM25 parameter is out of range.
    ///
    /// ```
    /// use sparrow_core::{Index, IndexConfig, Bm25Params};
    /// let bad = IndexConfig { bm25: Bm25Params { k1: 1.2, b: 2.0 }, ..Default::default() };
    /// assert_eq!(Index::new(bad).unwrap_err().code(), "INVALID_CONFIG");
    /// ```
    pub fn new(config: IndexConfig) -> Result<Self> {
        config.validate()?;
        Ok(Index {
            analyzer: Analyzer::new(&config.analyzer),
            config,
            docs: Vec::new(),
            doc_lens: Vec::new(),
            deleted: RoaringBitmap::new(),
            lexicon: Lexicon::default(),
            sparse: FxHashMap::default(),
            id_map: HashMap::new(),
            live_len: 0,
            filters: FilterIndex::default(),
            sparse_docs: RoaringBitmap::new(),
            shards: None,
            term_space: TermSpace::Unknown,
            token_stats: TokenStats::default(),
        })
    }

    /// Builds an index from what the format reader read, checking what spans sections:
    /// tombstones against the slots, unique live ids. `Err` describes the inconsistency.
    pub(crate) fn from_parts(parts: IndexParts) -> std::result::Result<Self, String> {
        let lazy = parts.base.is_some();
        for (slot, d) in parts.docs.iter().enumerate() {
            let removed = parts.deleted.contains(slot as u32);
            // A base's records all come later (fragments); a whole index has every live record.
            if !lazy && d.is_none() != removed {
                return Err(format!(
                    "slot {slot} is {} but the tombstones say otherwise",
                    if d.is_none() { "removed" } else { "live" }
                ));
            }
        }
        let (shards, stored) = match parts.base {
            Some((state, filters, sparse_docs)) => (Some(state), Some((filters, sparse_docs))),
            None => (None, None),
        };
        let mut index = Index {
            analyzer: Analyzer::new(&parts.config.analyzer),
            config: parts.config,
            docs: parts.docs,
            doc_lens: parts.doc_lens,
            deleted: parts.deleted,
            lexicon: parts.lexicon,
            sparse: parts.sparse,
            id_map: HashMap::new(),
            live_len: 0,
            filters: FilterIndex::default(),
            sparse_docs: RoaringBitmap::new(),
            shards,
            term_space: parts.term_space,
            token_stats: parts.token_stats,
        };
        if let Some(id) = index.rebuild_derived() {
            return Err(format!("document id {id:?} is live twice"));
        }
        if let Some((filters, sparse_docs)) = stored {
            index.filters = filters;
            index.sparse_docs = sparse_docs;
        }
        Ok(index)
    }

    /// What the sparse term ids of this index are ([`TermSpace::Unknown`] until a vector is
    /// added with [`set_term_space`](Self::set_term_space) set, and for format-1 files).
    pub fn term_space(&self) -> TermSpace {
        self.term_space
    }

    /// `Ok` if ids of `space` can be used with this index: either side undeclared, or the same.
    ///
    /// # Errors
    ///
    /// [`Error::TermSpaceMismatch`] otherwise.
    pub fn check_term_space(&self, space: TermSpace) -> Result<()> {
        match (self.term_space, space) {
            (TermSpace::Unknown, _) | (_, TermSpace::Unknown) => Ok(()),
            (a, b) if a == b => Ok(()),
            (index, other) => Err(Error::TermSpaceMismatch { index, other }),
        }
    }

    /// Declares what the sparse term ids are. Callers that add documents encoded by a model
    /// declare the model's vocabulary ([`WordPiece::term_space`](crate::WordPiece::term_space)),
    /// so a lookup query with another vocabulary's ids is refused instead of matching the wrong
    /// terms.
    ///
    /// # Errors
    ///
    /// [`Error::TermSpaceMismatch`] if the index already declares another one.
    pub fn set_term_space(&mut self, space: TermSpace) -> Result<()> {
        self.check_term_space(space)?;
        if self.term_space == TermSpace::Unknown {
            self.term_space = space;
        }
        Ok(())
    }

    /// The index's configuration.
    pub fn config(&self) -> &IndexConfig {
        &self.config
    }

    /// The analyzer used for documents and queries.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// Adds a document and returns its internal id.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateId`] if a live document has the same id (use [`upsert`](Self::upsert) to
    /// replace), [`Error::InvalidId`], [`Error::EmptyDocument`], [`Error::TextTooLarge`],
    /// [`Error::CapacityExceeded`]. The index is unchanged on error.
    ///
    /// ```
    /// use sparrow_core::{Document, Index, IndexConfig};
    /// let mut index = Index::new(IndexConfig::default()).unwrap();
    /// assert_eq!(index.add(Document::new("a", "first")).unwrap(), 0);
    /// assert_eq!(index.add(Document::new("b", "second")).unwrap(), 1);
    /// assert_eq!(index.add(Document::new("", "x")).unwrap_err().code(), "INVALID_ID");
    /// ```
    pub fn add(&mut self, doc: Document) -> Result<DocId> {
        doc.validate(&self.config)?;
        if self.id_map.contains_key(&doc.id) {
            return Err(Error::DuplicateId { id: doc.id });
        }
        self.check_capacity(1)?;
        Ok(self.insert(doc, &mut WordCache::default()))
    }

    /// Adds many documents, all or nothing.
    ///
    /// Every document is validated (including duplicate ids within the batch) before anything
    /// changes. Sparse weights are quantized once with each term's final scale (the batch's and the
    /// index's maximum), so building an index with one `add_many` is the most precise; single
    /// [`add`](Self::add)s may re-quantize a term's earlier weights when a larger one arrives.
    ///
    /// # Errors
    ///
    /// As [`add`](Self::add), for the first offending document; the index is unchanged on error.
    ///
    /// ```
    /// use sparrow_core::{Document, Index, IndexConfig};
    /// let mut index = Index::new(IndexConfig::default()).unwrap();
    /// let err = index.add_many(vec![Document::new("a", "x"), Document::new("a", "y")]).unwrap_err();
    /// assert_eq!(err.code(), "DUPLICATE_ID");
    /// assert!(index.is_empty());
    /// assert_eq!(index.add_many(vec![Document::new("a", "x"), Document::new("b", "y")]).unwrap(), [0, 1]);
    /// ```
    pub fn add_many(&mut self, docs: Vec<Document>) -> Result<Vec<DocId>> {
        self.check_new(&docs)?;
        // Final scale per sparse term first, so each new weight is quantized exactly once.
        let mut batch_max: FxHashMap<u32, f32> = FxHashMap::default();
        for v in docs.iter().filter_map(|d| d.sparse.as_ref()) {
            for (id, w) in v.iter() {
                let m = batch_max.entry(id).or_insert(w);
                *m = m.max(w);
            }
        }
        for (id, max) in batch_max {
            self.sparse.entry(id).or_insert_with(|| SparsePostings::new(max)).ensure_max(max);
        }
        let mut cache = WordCache::default();
        Ok(docs.into_iter().map(|d| self.insert(d, &mut cache)).collect())
    }

    /// Removes a document by external id; `false` if there is none.
    ///
    /// The document disappears from results, [`get`](Self::get) and BM25 statistics at once; its
    /// postings stay (as a tombstone) until [`vacuum`](Self::vacuum).
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(doc) = self.id_map.remove(id) else { return false };
        let slot = doc as usize;
        if let Some(record) = self.docs[slot].take() {
            self.filters.remove(doc, &record);
        }
        self.deleted.insert(doc);
        self.sparse_docs.remove(doc);
        self.live_len -= u64::from(self.doc_lens[slot]);
        true
    }

    /// Checks that [`add_many`](Self::add_many) would accept `docs` (document rules, duplicate
    /// ids against the index and within the batch, capacity) without changing anything.
    ///
    /// Callers that do expensive work per document before adding it (encoding with a model)
    /// call this first, so a bad batch fails fast.
    ///
    /// # Errors
    ///
    /// As [`add_many`](Self::add_many).
    pub fn check_new(&self, docs: &[Document]) -> Result<()> {
        let mut seen: HashSet<&str> = HashSet::with_capacity(docs.len());
        for doc in docs {
            doc.validate(&self.config)?;
            if self.id_map.contains_key(&doc.id) || !seen.insert(&doc.id) {
                return Err(Error::DuplicateId { id: doc.id.clone() });
            }
        }
        self.check_capacity(docs.len())
    }

    /// Checks that [`update`](Self::update) would accept `doc`, without changing anything.
    ///
    /// # Errors
    ///
    /// As [`update`](Self::update).
    pub fn check_update(&self, doc: &Document) -> Result<()> {
        doc.validate(&self.config)?;
        if !self.id_map.contains_key(&doc.id) {
            return Err(Error::UnknownId { id: doc.id.clone() });
        }
        self.check_capacity(1)
    }

    /// Replaces the document with the same id.
    ///
    /// The new version is indexed like a fresh [`add`](Self::add): it gets a new [`DocId`] (so
    /// among equal scores it now ranks after documents added before the update) and the old one
    /// becomes a tombstone.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] if no document has this id; otherwise as [`add`](Self::add). The index
    /// is unchanged on error.
    pub fn update(&mut self, doc: Document) -> Result<DocId> {
        self.check_update(&doc)?;
        self.remove(&doc.id);
        Ok(self.insert(doc, &mut WordCache::default()))
    }

    /// Adds the document, or replaces it (as [`update`](Self::update)) if its id exists.
    ///
    /// # Errors
    ///
    /// As [`add`](Self::add), except that an existing id is not an error.
    pub fn upsert(&mut self, doc: Document) -> Result<DocId> {
        doc.validate(&self.config)?;
        self.check_capacity(1)?;
        self.remove(&doc.id);
        Ok(self.insert(doc, &mut WordCache::default()))
    }

    /// `true` if a live document has this id.
    pub fn contains(&self, id: &str) -> bool {
        self.id_map.contains_key(id)
    }

    /// The internal id of a live document.
    pub fn doc_id(&self, id: &str) -> Option<DocId> {
        self.id_map.get(id).copied()
    }

    /// A live document's stored data.
    ///
    /// ```
    /// use sparrow_core::{Document, Index, IndexConfig};
    /// let mut index = Index::new(IndexConfig::default()).unwrap();
    /// index.add(Document::new("a", "text").with_field("lang", "en")).unwrap();
    /// let doc = index.get("a").unwrap();
    /// assert_eq!((doc.text, doc.fields["lang"].as_str()), (Some("text"), Some("en")));
    /// assert!(index.get("b").is_none());
    /// ```
    pub fn get(&self, id: &str) -> Option<StoredDoc<'_>> {
        let doc = *self.id_map.get(id)?;
        self.docs.get(doc as usize)?.as_deref().map(DocRecord::as_stored)
    }

    /// A live document's sparse vector as stored and scored: the dequantized `u8` weights
    /// (weights that quantized to 0 are left out). `None` if the document is absent or has no
    /// sparse vector.
    pub fn stored_sparse(&self, id: &str) -> Option<SparseVector> {
        let doc = *self.id_map.get(id)?;
        if !self.sparse_docs.contains(doc) {
            return None;
        }
        let (mut ids, mut weights) = (Vec::new(), Vec::new());
        for (term, p) in self.sparse_sorted() {
            if let Some(q) = p.weight(doc).filter(|&q| q > 0) {
                ids.push(term);
                weights.push(dequantize(q, p.scale));
            }
        }
        Some(SparseVector::from_sorted_unchecked(ids, weights))
    }

    /// Every live document's sparse vector as stored and scored ([`stored_sparse`]), in
    /// insertion order, with its external id; documents without a vector are left out. One pass
    /// over the postings, for exporting a whole index (`stored_sparse` per document would walk
    /// every term once per document).
    ///
    /// [`stored_sparse`]: Self::stored_sparse
    ///
    /// ```
    /// use sparrow_core::*;
    /// let mut index = Index::new(IndexConfig::default())?;
    /// index.add(Document::new("a", "x").with_sparse(SparseVector::from_pairs([(7, 1.0), (3, 0.5)])?))?;
    /// index.add(Document::new("b", "y"))?;
    /// let all = index.stored_vectors();
    /// assert_eq!(all.len(), 1);
    /// assert_eq!((all[0].0, &all[0].1), ("a", &index.stored_sparse("a").unwrap()));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn stored_vectors(&self) -> Vec<(&str, SparseVector)> {
        let mut per_doc: Vec<(Vec<u32>, Vec<f32>)> =
            vec![(Vec::new(), Vec::new()); self.docs.len()];
        for (term, p) in self.sparse_sorted() {
            for (doc, &q) in p.docs.iter().zip(&p.weights) {
                if q > 0 {
                    let slot = &mut per_doc[doc as usize];
                    slot.0.push(term);
                    slot.1.push(dequantize(q, p.scale));
                }
            }
        }
        per_doc
            .into_iter()
            .enumerate()
            .filter(|(doc, _)| self.sparse_docs.contains(*doc as DocId))
            .filter_map(|(doc, (ids, weights))| {
                let record = self.docs[doc].as_deref()?;
                Some((record.id.as_str(), SparseVector::from_sorted_unchecked(ids, weights)))
            })
            .collect()
    }

    /// The sparse vector the sparse arm scores `query` with under `encoder`: the model's vector,
    /// or the lookup vector of its tokens ([`lookup_vector`](Self::lookup_vector)); `None` when
    /// the query has neither. What `search` uses, for handing the same query to another engine.
    pub fn query_vector(
        &self,
        query: &crate::Query,
        encoder: Option<crate::QueryEncoder>,
    ) -> Option<SparseVector> {
        match query.sparse_side(encoder)? {
            Ok(v) if query.idf_weighted => Some(self.idf_weighted(v)),
            Ok(v) => Some(v.clone()),
            Err(tokens) => Some(self.lookup_vector(tokens)),
        }
    }

    /// Number of live documents.
    pub fn len(&self) -> usize {
        self.docs.len() - self.deleted.len() as usize
    }

    /// `true` if there are no live documents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Live external ids in insertion order ([`DocId`] order); for a sharded index, those of the
    /// fragments loaded so far.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.docs.iter().filter_map(|d| d.as_ref().map(|r| r.id.as_str()))
    }

    /// Drops tombstones: rewrites postings without removed documents, renumbers live documents
    /// densely (keeping their relative order) and forgets terms that only removed documents had.
    ///
    /// Results are identical before and after, including the order of ties: BM25 statistics
    /// already exclude removed documents, and sparse scales are kept as they are.
    ///
    /// A sharded index whose shards are not all loaded is left as it is (renumbering documents
    /// would break the shards still to come).
    pub fn vacuum(&mut self) {
        if self.deleted.is_empty() || !self.is_complete() {
            return;
        }
        let slots = self.docs.len();
        let mut remap: Vec<DocId> = vec![DocId::MAX; slots];
        let mut next: DocId = 0;
        for (old, d) in self.docs.iter().enumerate() {
            if d.is_some() {
                remap[old] = next;
                next += 1;
            }
        }
        let keep = |doc: DocId| remap[doc as usize];
        let mut terms = Vec::with_capacity(self.lexicon.terms.len());
        for (term, p) in std::mem::take(&mut self.lexicon.terms) {
            let mut np = LexPostings::new();
            for (doc, &tf) in p.docs.iter().zip(&p.tfs) {
                let new = keep(doc);
                if new != DocId::MAX {
                    np.push(new, u32::from(tf));
                }
            }
            if !np.docs.is_empty() {
                terms.push((term, np));
            }
        }
        self.lexicon.terms = terms;
        self.lexicon.rebuild_lookup();
        let sparse = std::mem::take(&mut self.sparse);
        for (id, p) in sparse {
            let mut np =
                SparsePostings { scale: p.scale, docs: RoaringBitmap::new(), weights: Vec::new() };
            for (doc, &q) in p.docs.iter().zip(&p.weights) {
                let new = keep(doc);
                if new != DocId::MAX && np.docs.try_push(new).is_ok() {
                    np.weights.push(q);
                }
            }
            if !np.docs.is_empty() {
                self.sparse.insert(id, np);
            }
        }
        let docs = std::mem::take(&mut self.docs);
        let lens = std::mem::take(&mut self.doc_lens);
        for (d, len) in docs.into_iter().zip(lens) {
            if d.is_some() {
                self.docs.push(d);
                self.doc_lens.push(len);
            }
        }
        self.docs.shrink_to_fit();
        self.doc_lens.shrink_to_fit();
        self.deleted = RoaringBitmap::new();
        self.rebuild_derived();
    }

    /// Summary figures.
    pub fn stats(&self) -> Stats {
        Stats {
            documents: self.len(),
            deleted: self.deleted.len() as usize,
            lexical_terms: self.lexicon.len(),
            sparse_terms: self.sparse.len(),
            sparse_documents: self.sparse_docs.len() as usize,
            avg_doc_length: crate::score::average_length(self.live_len, self.len() as u64),
            heap_bytes: self.heap_bytes(),
        }
    }

    fn heap_bytes(&self) -> usize {
        let docs: usize = self
            .docs
            .iter()
            .flatten()
            .map(|d| DocRecord::heap_bytes(d) + std::mem::size_of::<DocRecord>())
            .sum::<usize>()
            + self.docs.capacity() * std::mem::size_of::<Slot>();
        let sparse: usize = self.sparse.values().map(SparsePostings::heap_bytes).sum();
        let ids: usize = self.id_map.keys().map(|k| k.capacity() + 40).sum();
        docs + self.doc_lens.capacity() * 4
            + self.deleted.serialized_size()
            + self.lexicon.heap_bytes()
            + sparse
            + ids
            + self.filters.heap_bytes()
            + self.sparse_docs.serialized_size()
            + self.token_stats.df.capacity() * 12
    }

    /// Every adding mutation calls this: it also refuses a partially loaded sharded index.
    fn check_capacity(&self, more: usize) -> Result<()> {
        self.check_complete()?;
        let slots = self.docs.len() as u64;
        if slots + more as u64 > u64::from(DocId::MAX) {
            return Err(Error::CapacityExceeded { slots });
        }
        Ok(())
    }

    /// Indexes a validated document whose id is not live.
    fn insert(&mut self, doc: Document, cache: &mut WordCache) -> DocId {
        let id = self.docs.len() as DocId;
        let mut counts: FxHashMap<u32, u32> = FxHashMap::default();
        let mut len: u32 = 0;
        if cache.len() > WORD_CACHE_LIMIT {
            cache.clear();
        }
        let texts = doc.title.iter().map(String::as_str).chain([doc.text.as_str()]);
        for word in texts.flat_map(Analyzer::words) {
            let term = match cache.get(word) {
                Some(&term) => term,
                None => {
                    let mut term = None;
                    self.analyzer.normalize(word, |t| term = Some(self.lexicon.get_or_insert(t)));
                    cache.insert(word.into(), term);
                    term
                }
            };
            if let Some(term) = term {
                *counts.entry(term).or_insert(0) += 1;
                len = len.saturating_add(1);
            }
        }
        for (term, tf) in counts {
            self.lexicon.terms[term as usize].1.push(id, tf);
        }
        if let Some(tokens) = &doc.tokens {
            self.token_stats.count(tokens);
        }
        if let Some(v) = &doc.sparse {
            for (term, w) in v.iter() {
                let p = self.sparse.entry(term).or_insert_with(|| SparsePostings::new(w));
                p.ensure_max(w);
                p.push(id, w);
            }
            self.sparse_docs.insert(id);
        }
        let record = DocRecord {
            has_sparse: doc.sparse.is_some(),
            title: doc.title,
            text: self.config.store_text.then_some(doc.text),
            url: doc.url,
            tags: doc.tags,
            fields: doc.fields,
            id: doc.id,
        };
        self.filters.insert(id, &record);
        self.id_map.insert(record.id.clone(), id);
        self.docs.push(Some(Box::new(record)));
        self.doc_lens.push(len);
        self.live_len += u64::from(len);
        id
    }

    /// Recomputes the id map, live length, filter bitmaps and sparse-doc set from the stored
    /// slots. Returns the first duplicated live id, if any.
    pub(crate) fn rebuild_derived(&mut self) -> Option<String> {
        self.id_map = HashMap::with_capacity(self.docs.len());
        self.live_len = 0;
        self.filters = FilterIndex::default();
        self.sparse_docs = RoaringBitmap::new();
        let mut duplicate = None;
        for (slot, &len) in self.doc_lens.iter().enumerate() {
            if !self.deleted.contains(slot as u32) {
                self.live_len += u64::from(len);
            }
        }
        for (slot, d) in self.docs.iter().enumerate() {
            let Some(record) = d else { continue };
            let doc = slot as DocId;
            if self.id_map.insert(record.id.clone(), doc).is_some() && duplicate.is_none() {
                duplicate = Some(record.id.clone());
            }
            self.filters.insert(doc, record);
            if record.has_sparse {
                self.sparse_docs.insert(doc);
            }
        }
        duplicate
    }

    /// Sparse postings in ascending vocabulary-id order.
    /// The index as the writers read it ([`IndexView`]).
    pub(crate) fn view(&self) -> IndexView<'_> {
        IndexView {
            config: &self.config,
            docs: &self.docs,
            doc_lens: &self.doc_lens,
            deleted: &self.deleted,
            lexicon: &self.lexicon,
            sparse: self.sparse_sorted(),
            term_space: self.term_space,
            token_stats: &self.token_stats,
            filters: &self.filters,
            sparse_docs: &self.sparse_docs,
        }
    }

    pub(crate) fn sparse_sorted(&self) -> Vec<(u32, &SparsePostings)> {
        let mut terms: Vec<(u32, &SparsePostings)> =
            self.sparse.iter().map(|(&id, p)| (id, p)).collect();
        terms.sort_unstable_by_key(|t| t.0);
        terms
    }

    /// All live documents as a bitmap.
    pub(crate) fn live_bitmap(&self) -> RoaringBitmap {
        let mut live = RoaringBitmap::new();
        live.insert_range(0..self.docs.len() as u32);
        live -= &self.deleted;
        live
    }
}
