//! `--exact-sparse` (what-if, issue 13): the sparse arm scored with the documents' **float**
//! vectors, exhaustively, instead of the index's 8-bit impacts; hybrid runs fuse it with the
//! index's own BM25 list with the core's own fusion (`fuse_ranked`: min-max weighted sum or RRF
//! over each arm's top `candidates`, ties by insertion order). Comparing it with the normal run
//! isolates what the `u8` quantization costs.
//!
//! `--prf-docs K` (what-if, issue 13): pseudo-relevance feedback on the sparse vectors (Rocchio):
//! the query's vector `q` first ranks the documents, then `q + b * |q| / |c| * c` is scored, `c`
//! the mean of the top `K` documents' vectors cut to its `M` heaviest terms. It needs each
//! document's vector at query time, which the index does not keep (only postings): a what-if of
//! the float path.

use std::collections::HashMap;

use crate::error::Result;
use sparrow_core::score::Scored;
use sparrow_core::{fuse_ranked, Index, Mode, Query, SearchOptions, SparseVector};

use crate::beir::Dataset;
use crate::lookup::QueryEncoder;

/// The float vectors inverted: term -> (corpus position, weight).
#[derive(Debug)]
pub struct ExactSparse<'a> {
    postings: HashMap<u32, Vec<(u32, f32)>>,
    /// Document id -> corpus position (the index's insertion order).
    positions: HashMap<&'a str, u32>,
    data: &'a Dataset,
    vectors: &'a [Option<SparseVector>],
    prf: Option<Prf>,
}

/// Pseudo-relevance feedback settings (`--prf-docs`, `--prf-weight`, `--prf-terms`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prf {
    /// Feedback documents (the first pass's top K).
    pub docs: usize,
    /// Weight of the feedback vector relative to the query's norm.
    pub weight: f32,
    /// Terms kept from the feedback vector (its heaviest).
    pub terms: usize,
}

impl<'a> ExactSparse<'a> {
    pub fn new(data: &'a Dataset, vectors: &'a [Option<SparseVector>], prf: Option<Prf>) -> Self {
        let mut postings: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
        for (doc, v) in vectors.iter().enumerate() {
            for (id, w) in v.iter().flat_map(SparseVector::iter) {
                postings.entry(id).or_default().push((doc as u32, w));
            }
        }
        let positions =
            data.corpus.iter().enumerate().map(|(i, d)| (d.id.as_str(), i as u32)).collect();
        ExactSparse { postings, positions, data, vectors, prf }
    }

    /// The top `k` documents by exact dot product with `q` (best first; ties: corpus order).
    fn sparse_top(&self, q: &SparseVector, k: usize) -> Vec<(u32, f32)> {
        let mut acc = vec![0f32; self.data.corpus.len()];
        let mut hit = vec![false; acc.len()];
        for (id, qw) in q.iter() {
            for &(doc, w) in self.postings.get(&id).map_or(&[][..], Vec::as_slice) {
                acc[doc as usize] += qw * w;
                hit[doc as usize] = true;
            }
        }
        let mut scored: Vec<(u32, f32)> =
            (0..acc.len()).filter(|&d| hit[d]).map(|d| (d as u32, acc[d])).collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        scored
    }

    /// Rocchio: `q + b * |q| / |c| * c`, `c` the mean of the top documents' vectors (its `M`
    /// heaviest terms).
    fn feedback(&self, q: &SparseVector, prf: Prf) -> Result<SparseVector> {
        let top = self.sparse_top(q, prf.docs);
        let mut centroid: HashMap<u32, f32> = HashMap::new();
        for (doc, _) in &top {
            for (id, w) in self.vectors[*doc as usize].iter().flat_map(SparseVector::iter) {
                *centroid.entry(id).or_default() += w / top.len() as f32;
            }
        }
        let mut c: Vec<(u32, f32)> = centroid.into_iter().collect();
        c.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        c.truncate(prf.terms);
        let norm = |v: &mut dyn Iterator<Item = f32>| v.map(|x| x * x).sum::<f32>().sqrt();
        let (qn, cn) = (norm(&mut q.iter().map(|p| p.1)), norm(&mut c.iter().map(|p| p.1)));
        let scale = if cn > 0.0 { prf.weight * qn / cn } else { 0.0 };
        let mut sum: HashMap<u32, f32> = q.iter().collect();
        for (id, w) in c {
            *sum.entry(id).or_default() += scale * w;
        }
        Ok(SparseVector::from_pairs(sum)?)
    }

    /// One query's ranking under `options` (its `mode`, `fusion`, `candidates` and `limit`).
    pub fn rank(
        &self,
        index: &Index,
        encoder: &QueryEncoder<'_>,
        text: &str,
        options: &SearchOptions,
    ) -> Result<Vec<(String, f64)>> {
        let (mode, fusion, candidates, limit) =
            (options.mode, options.fusion, options.candidates, options.limit);
        let query = encoder.query(text)?;
        let mut vector = index.query_vector(&query, None).unwrap_or_default();
        if let Some(prf) = self.prf {
            vector = self.feedback(&vector, prf)?;
        }
        let id = |d: u32| self.data.corpus[d as usize].id.clone();
        if mode == Mode::Sparse {
            return Ok(self
                .sparse_top(&vector, limit)
                .into_iter()
                .map(|(d, s)| (id(d), f64::from(s)))
                .collect());
        }
        let depth = candidates.max(limit);
        let sparse = self.sparse_top(&vector, depth);
        let options =
            SearchOptions { mode: Mode::Lexical, limit: depth, ..SearchOptions::default() };
        let lexical: Vec<(u32, f32)> = index
            .search(&Query::new(text), &options)?
            .into_iter()
            .filter_map(|h| Some((*self.positions.get(h.id.as_str())?, h.score)))
            .collect();
        let scored = |l: &[(u32, f32)]| -> Vec<Scored> {
            l.iter().map(|&(doc, score)| Scored { doc, score }).collect()
        };
        let mut fused = fuse_ranked(&scored(&lexical), &scored(&sparse), fusion);
        fused.truncate(limit);
        Ok(fused.into_iter().map(|s| (id(s.doc), f64::from(s.score))).collect())
    }
}
