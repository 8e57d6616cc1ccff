//! `--exact-sparse` (what-if, issue 13): the sparse arm scored with the documents' **float**
//! vectors, exhaustively, instead of the index's 8-bit impacts; hybrid runs fuse it with the
//! index's own BM25 list with the core's own fusion (`fuse_ranked`: min-max weighted sum or RRF
//! over each arm's top `candidates`, ties by insertion order). Comparing it with the normal run isolates what the
//! `u8` quantization costs.

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
}

impl<'a> ExactSparse<'a> {
    pub fn new(data: &'a Dataset, vectors: &[Option<SparseVector>]) -> Self {
        let mut postings: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
        for (doc, v) in vectors.iter().enumerate() {
            for (id, w) in v.iter().flat_map(SparseVector::iter) {
                postings.entry(id).or_default().push((doc as u32, w));
            }
        }
        let positions =
            data.corpus.iter().enumerate().map(|(i, d)| (d.id.as_str(), i as u32)).collect();
        ExactSparse { postings, positions, data }
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
        let vector = index.query_vector(&query, None).unwrap_or_default();
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
