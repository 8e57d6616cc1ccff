//! Query evaluation: per-arm term-at-a-time scoring into a dense accumulator, top-k, fusion,
//! hits and explanations.
//!
//! Why term-at-a-time with a dense `Vec<f32>` accumulator: the index lives in one wasm memory and
//! its doc ids are dense, so one `4 * docs` byte array per arm is cheap (400 KB for 100k docs),
//! needs no hashing, and adds each term's contribution in query-term order, which is what makes
//! the scores bit-identical to a brute-force scan (see the property tests).

use std::collections::HashSet;

use roaring::RoaringBitmap;

use crate::document::DocId;
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::fusion::{fuse, Fused};
use crate::index::Index;
use crate::score::{average_length, bm25_idf, bm25_term_score, Scored, TopK};
use crate::search::{
    Explanation, Hit, LexicalTermContribution, Mode, Query, SearchOptions, SparseTermContribution,
    MAX_QUERY_TERMS,
};
use crate::sparse::{dequantize, SparseVector};

/// Dense bitset of documents allowed by the filter and not removed.
struct Mask(Vec<u64>);

impl Mask {
    fn from_bitmap(b: &RoaringBitmap, slots: usize) -> Self {
        let mut words = vec![0u64; slots.div_ceil(64)];
        for d in b {
            words[(d / 64) as usize] |= 1 << (d % 64);
        }
        Mask(words)
    }

    #[inline]
    fn contains(&self, d: DocId) -> bool {
        self.0.get((d / 64) as usize).is_some_and(|w| w & (1 << (d % 64)) != 0)
    }
}

/// An analysed query term found in the lexicon.
struct QueryTerm {
    term: String,
    id: u32,
    idf: f32,
}

impl Index {
    /// Searches the index.
    ///
    /// * [`Mode::Lexical`]: BM25 over analysed title + text; `query.sparse` is ignored.
    /// * [`Mode::Sparse`]: dot product of `query.sparse` with each document's stored (dequantized)
    ///   vector. A query without a vector is [`Error::NoQueryVector`].
    /// * [`Mode::Hybrid`]: each arm's top `max(candidates, limit)` documents are fused with
    ///   [`SearchOptions::fusion`]. Without a query vector, hybrid falls back to the lexical
    ///   ranking (scores are BM25 and `sparse_score` is `None`).
    ///
    /// Only documents with a score `> 0` in at least one arm are returned, best first; equal
    /// scores are ordered by [`DocId`] (insertion order). The filter is applied before scoring.
    /// An empty (or all-stop-word) query text with no vector returns `Ok(vec![])`: a search box
    /// being cleared is not an error.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] for out-of-range options, [`Error::NoQueryVector`] as above,
    /// [`Error::ShardsNotLoaded`] on a sharded index missing a shard the query needs.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparrow_core::*;
    /// let mut index = Index::new(IndexConfig::default())?;
    /// index.add(Document::new("en", "the quick brown fox").with_field("lang", "en"))?;
    /// index.add(Document::new("fr", "le renard brun rapide fox").with_field("lang", "fr"))?;
    /// let opts = SearchOptions {
    ///     mode: Mode::Lexical,
    ///     filter: Some(Filter::field("lang", "fr")),
    ///     explain: true,
    ///     ..Default::default()
    /// };
    /// let hits = index.search(&Query::new("fox"), &opts)?;
    /// assert_eq!(hits.len(), 1);
    /// assert_eq!(hits[0].id, "fr");
    /// assert_eq!(hits[0].explanation.as_ref().unwrap().lexical[0].term, "fox");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn search(&self, query: &Query, options: &SearchOptions) -> Result<Vec<Hit>> {
        options.validate()?;
        query.check()?;
        if let Some(f) = &options.filter {
            self.filters.check(f)?;
        }
        if options.mode == Mode::Sparse && !query.has_sparse_side() {
            return Err(Error::NoQueryVector);
        }
        if self.shards.is_some() {
            let shards = self.missing_shards(query, options);
            if !shards.is_empty() {
                return Err(Error::ShardsNotLoaded { shards });
            }
        }
        let live = self.len();
        if live == 0 {
            return Ok(Vec::new());
        }
        let limit = options.limit.min(live);
        let mask = match self.mask(options.filter.as_ref()) {
            Ok(mask) => mask,
            Err(()) => return Ok(Vec::new()),
        };
        let mask = mask.as_ref();
        let terms = match options.mode {
            Mode::Sparse => Vec::new(),
            Mode::Lexical | Mode::Hybrid => self.query_terms(&query.text)?,
        };
        let derived;
        let vector = match (options.mode, query.sparse_side(options.query_encoder)) {
            (Mode::Lexical, _) | (_, None) => None,
            (_, Some(Ok(v))) if query.idf_weighted => {
                derived = self.idf_weighted(v);
                Some(&derived)
            }
            (_, Some(Ok(v))) => Some(v),
            (_, Some(Err(tokens))) => {
                derived = self.lookup_vector(tokens);
                Some(&derived)
            }
        };
        let fused: Vec<Fused> = match (options.mode, vector) {
            (Mode::Sparse, Some(v)) => {
                single_arm(self.top(&self.sparse_scores(v, mask), limit), false)
            }
            (Mode::Hybrid, Some(v)) => {
                let depth = options.candidates.max(limit).min(live);
                let lex = if terms.is_empty() {
                    Vec::new()
                } else {
                    self.top(&self.lexical_scores(&terms, mask), depth)
                };
                let sp = self.top(&self.sparse_scores(v, mask), depth);
                let mut fused = fuse(&lex, &sp, options.fusion);
                fused.truncate(limit);
                fused
            }
            _ => {
                if terms.is_empty() {
                    return Ok(Vec::new());
                }
                single_arm(self.top(&self.lexical_scores(&terms, mask), limit), true)
            }
        };
        let fragments = self.missing_fragments(fused.iter().map(|f| f.doc));
        if !fragments.is_empty() {
            return Err(Error::FragmentsNotLoaded { fragments });
        }
        Ok(fused
            .into_iter()
            .map(|f| self.hit(f, options.explain.then_some((&terms, vector))))
            .collect())
    }

    /// The sparse vector of a lookup query: each distinct token id that has live postings, weighted
    /// by its inverse document frequency `ln(1 + N / (1 + df))`.
    ///
    /// `N` and `df` come from the texts when the index counted tokens ([`Document::tokens`]: the
    /// CLI and the wasm module with a model set them): `N` documents counted, `df` those whose text
    /// has the token. An index without token counts (built from vectors alone, or a format-1 file)
    /// uses its learned-sparse postings instead: `N` live documents, `df` live documents whose
    /// vector has the token. Tokens without live postings are left out (they could not
    /// contribute), so are ids the index has never seen.
    ///
    /// Why IDF, and why over the texts: it needs no model at query time and no table beyond counts
    /// the index keeps anyway, and it follows the collection as documents are added. The texts'
    /// frequencies know that "my" or "some" are common; the postings' do not, because the model
    /// seldom keeps such words in a document's expansion, so their postings are short and their
    /// postings IDF high. On SciFact train the text IDF ranks best of the tables measured
    /// (docs/BENCHMARKS.md, "Lookup queries").
    ///
    /// ```
    /// use sparrow_core::*;
    /// let mut index = Index::new(IndexConfig::default())?;
    /// index.add(Document::new("a", "x").with_sparse(SparseVector::from_pairs([(1, 1.0), (2, 1.0)])?))?;
    /// index.add(Document::new("b", "y").with_sparse(SparseVector::from_pairs([(1, 1.0)])?))?;
    /// // No token counts: IDF over the postings (2 documents; token 1 in both, token 2 in one).
    /// let v = index.lookup_vector(&[1, 2, 2, 99]);
    /// assert_eq!(v.ids(), &[1, 2]);
    /// assert_eq!(v.weights(), &[(1.0f32 + 2.0 / 3.0).ln(), (1.0f32 + 2.0 / 2.0).ln()]);
    ///
    /// // With token counts: IDF over the texts (3 documents counted; token 1 in one of them).
    /// let vector = SparseVector::from_pairs([(1, 1.0)])?;
    /// index.add(Document::new("c", "z").with_sparse(vector.clone()).with_tokens(vec![1, 2, 2]))?;
    /// index.add(Document::new("d", "z").with_tokens(vec![2]))?;
    /// index.add(Document::new("e", "z").with_tokens(vec![2, 3]))?;
    /// let v = index.lookup_vector(&[1, 2]);
    /// assert_eq!(v.weights(), &[(1.0f32 + 3.0 / 2.0).ln(), (1.0f32 + 3.0 / 4.0).ln()]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn lookup_vector(&self, tokens: &[u32]) -> SparseVector {
        let by_text = self.token_stats.documents > 0;
        let n = if by_text { self.token_stats.documents as f32 } else { self.len() as f32 };
        let mut ids: Vec<u32> = tokens.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut weights = Vec::with_capacity(ids.len());
        ids.retain(|id| {
            let Some(p) = self.sparse.get(id) else { return false };
            let live = p.docs.len()
                - if self.deleted.is_empty() { 0 } else { p.docs.intersection_len(&self.deleted) };
            if live == 0 {
                return false;
            }
            let df = if by_text {
                self.token_stats.df.get(id).copied().unwrap_or(0) as f32
            } else {
                live as f32
            };
            weights.push((1.0 + n / (1.0 + df)).ln());
            true
        });
        SparseVector::from_sorted_unchecked(ids, weights)
    }

    /// `v` with each weight multiplied by the term's lookup weight (its IDF, [`lookup_vector`]);
    /// terms without live postings are left out (they could not score). How a model's expansion
    /// is scored ([`Query::idf_weighted`]).
    ///
    /// [`lookup_vector`]: Self::lookup_vector
    ///
    /// ```
    /// use sparrow_core::*;
    /// let mut index = Index::new(IndexConfig::default())?;
    /// index.add(Document::new("a", "x").with_sparse(SparseVector::from_pairs([(1, 1.0), (2, 1.0)])?))?;
    /// index.add(Document::new("b", "y").with_sparse(SparseVector::from_pairs([(1, 1.0)])?))?;
    /// let v = index.idf_weighted(&SparseVector::from_pairs([(1, 2.0), (2, 0.5), (9, 3.0)])?);
    /// let idf = index.lookup_vector(&[1, 2]);
    /// assert_eq!(v.ids(), &[1, 2]);
    /// assert_eq!(v.weights(), &[2.0 * idf.weights()[0], 0.5 * idf.weights()[1]]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn idf_weighted(&self, v: &SparseVector) -> SparseVector {
        let idf = self.lookup_vector(v.ids());
        let (mut ids, mut weights) = (Vec::with_capacity(idf.len()), Vec::with_capacity(idf.len()));
        for (id, f) in idf.iter() {
            if let Some(w) = v.get(id) {
                ids.push(id);
                weights.push(w * f);
            }
        }
        SparseVector::from_sorted_unchecked(ids, weights)
    }

    /// `Ok(None)`: everything live is allowed and nothing is removed; `Err(())`: nothing is allowed.
    fn mask(&self, filter: Option<&Filter>) -> std::result::Result<Option<Mask>, ()> {
        let slots = self.docs.len();
        match filter {
            Some(f) => {
                let allowed = self.filters.evaluate(f, &self.live_bitmap());
                if allowed.is_empty() {
                    return Err(());
                }
                Ok(Some(Mask::from_bitmap(&allowed, slots)))
            }
            None if self.deleted.is_empty() => Ok(None),
            None => Ok(Some(Mask::from_bitmap(&self.live_bitmap(), slots))),
        }
    }

    /// Analyses the query text: unique terms in first-occurrence order, those in the lexicon with
    /// at least one live document, with their idf. More than [`MAX_QUERY_TERMS`] distinct terms
    /// is [`Error::QueryTooLarge`].
    fn query_terms(&self, text: &str) -> Result<Vec<QueryTerm>> {
        let n = self.len() as u64;
        let mut out: Vec<QueryTerm> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        self.analyzer.analyze_with(text, |t| {
            if seen.len() > MAX_QUERY_TERMS || seen.contains(t) {
                return;
            }
            seen.insert(t.to_owned());
            let Some(id) = self.lexicon.get(t) else { return };
            let docs = &self.lexicon.terms[id as usize].1.docs;
            let df = docs.len()
                - if self.deleted.is_empty() { 0 } else { docs.intersection_len(&self.deleted) };
            if df > 0 {
                out.push(QueryTerm { term: t.to_owned(), id, idf: bm25_idf(n, df) });
            }
        });
        if seen.len() > MAX_QUERY_TERMS {
            return Err(Error::QueryTooLarge {
                reason: format!("more than {MAX_QUERY_TERMS} distinct terms"),
            });
        }
        Ok(out)
    }

    fn lexical_scores(&self, terms: &[QueryTerm], mask: Option<&Mask>) -> Vec<f32> {
        let params = self.config.bm25;
        let avgdl = average_length(self.live_len, self.len() as u64);
        let mut acc = vec![0f32; self.docs.len()];
        for t in terms {
            let p = &self.lexicon.terms[t.id as usize].1;
            let postings = p.docs.iter().zip(p.tfs.iter());
            match mask {
                None => {
                    for (doc, &tf) in postings {
                        let dl = self.doc_lens[doc as usize];
                        acc[doc as usize] +=
                            bm25_term_score(&params, t.idf, u32::from(tf), dl, avgdl);
                    }
                }
                Some(m) => {
                    for (doc, &tf) in postings.filter(|(d, _)| m.contains(*d)) {
                        let dl = self.doc_lens[doc as usize];
                        acc[doc as usize] +=
                            bm25_term_score(&params, t.idf, u32::from(tf), dl, avgdl);
                    }
                }
            }
        }
        acc
    }

    fn sparse_scores(&self, v: &SparseVector, mask: Option<&Mask>) -> Vec<f32> {
        let mut acc = vec![0f32; self.docs.len()];
        for (term, qw) in v.iter() {
            let Some(p) = self.sparse.get(&term) else { continue };
            // One multiplication table per term: lut[q] == qw * dequantize(q, scale), exactly.
            let mut lut = [0f32; 256];
            for (q, slot) in lut.iter_mut().enumerate() {
                *slot = qw * dequantize(q as u8, p.scale);
            }
            let postings = p.docs.iter().zip(p.weights.iter());
            match mask {
                None => {
                    for (doc, &q) in postings {
                        acc[doc as usize] += lut[q as usize];
                    }
                }
                Some(m) => {
                    for (doc, &q) in postings.filter(|(d, _)| m.contains(*d)) {
                        acc[doc as usize] += lut[q as usize];
                    }
                }
            }
        }
        acc
    }

    /// The best `k` documents with a score `> 0`.
    fn top(&self, acc: &[f32], k: usize) -> Vec<Scored> {
        let mut top = TopK::new(k);
        for (doc, &s) in acc.iter().enumerate() {
            if s > 0.0 {
                top.push(doc as DocId, s);
            }
        }
        top.into_sorted()
    }

    fn hit(&self, f: Fused, explain: Option<(&Vec<QueryTerm>, Option<&SparseVector>)>) -> Hit {
        let record = self.docs[f.doc as usize].as_ref().expect("ranked documents are live");
        Hit {
            id: record.id.clone(),
            score: f.score,
            lexical_score: f.lexical.map(|(_, s)| s),
            sparse_score: f.sparse.map(|(_, s)| s),
            lexical_rank: f.lexical.map(|(r, _)| r),
            sparse_rank: f.sparse.map(|(r, _)| r),
            title: record.title.clone(),
            url: record.url.clone(),
            tags: record.tags.clone(),
            fields: record.fields.clone(),
            explanation: explain.map(|(terms, v)| self.explain(f.doc, terms, v)),
        }
    }

    fn explain(&self, doc: DocId, terms: &[QueryTerm], v: Option<&SparseVector>) -> Explanation {
        let params = self.config.bm25;
        let avgdl = average_length(self.live_len, self.len() as u64);
        let dl = self.doc_lens[doc as usize];
        let mut lexical: Vec<LexicalTermContribution> = terms
            .iter()
            .filter_map(|t| {
                let tf = self.lexicon.terms[t.id as usize].1.tf(doc)?;
                let score = bm25_term_score(&params, t.idf, tf, dl, avgdl);
                Some(LexicalTermContribution { term: t.term.clone(), tf, idf: t.idf, score })
            })
            .collect();
        lexical.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.term.cmp(&b.term)));
        let mut sparse: Vec<SparseTermContribution> = v
            .into_iter()
            .flat_map(SparseVector::iter)
            .filter_map(|(term_id, query_weight)| {
                let p = self.sparse.get(&term_id)?;
                let q = p.weight(doc).filter(|&q| q > 0)?;
                let doc_weight = dequantize(q, p.scale);
                Some(SparseTermContribution {
                    term_id,
                    term: None,
                    query_weight,
                    doc_weight,
                    product: query_weight * doc_weight,
                })
            })
            .collect();
        sparse.sort_by(|a, b| b.product.total_cmp(&a.product).then(a.term_id.cmp(&b.term_id)));
        Explanation { lexical, sparse }
    }
}

/// One arm's ranking as final results.
fn single_arm(list: Vec<Scored>, lexical: bool) -> Vec<Fused> {
    list.into_iter()
        .enumerate()
        .map(|(i, s)| {
            let arm = Some((i as u32 + 1, s.score));
            Fused {
                doc: s.doc,
                score: s.score,
                lexical: if lexical { arm } else { None },
                sparse: if lexical { None } else { arm },
            }
        })
        .collect()
}
