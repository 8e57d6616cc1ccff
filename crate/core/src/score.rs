//! Scoring primitives: BM25 and a bounded top-k heap.
//!
//! These are public so that tests (and anyone checking a ranking by hand) can compute exactly the
//! values the index computes: the same `f32` expressions in the same order give bit-identical
//! scores, which is what lets the property tests compare search results with a brute-force scan
//! using `==` rather than a tolerance.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::config::Bm25Params;
use crate::document::DocId;

/// BM25 inverse document frequency, the non-negative variant used by Lucene:
/// `ln(1 + (n - df + 0.5) / (df + 0.5))`, where `n` is the number of live documents and `df` the
/// number of live documents containing the term. Computed in `f64`, returned as `f32`.
///
/// ```
/// let idf = sparrow_core::score::bm25_idf(10, 1);
/// assert!((idf - (1.0f64 + 9.5 / 1.5).ln() as f32).abs() < 1e-6);
/// assert!(sparrow_core::score::bm25_idf(10, 10) > 0.0);
/// ```
pub fn bm25_idf(n: u64, df: u64) -> f32 {
    let (n, df) = (n as f64, df as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln() as f32
}

/// Average document length of live documents: `total / n` in `f64`, as `f32` (0 when `n == 0`).
pub fn average_length(total: u64, n: u64) -> f32 {
    if n == 0 {
        0.0
    } else {
        (total as f64 / n as f64) as f32
    }
}

/// BM25 score of one term in one document:
/// `idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))`.
///
/// `tf >= 1` is the term's frequency in the document, `dl` the document's length in terms and
/// `avgdl` the average length ([`average_length`]). The `(k1 + 1)` factor (dropped by Lucene 8+)
/// does not change rankings; it keeps a single-occurrence term in an average document at exactly
/// `idf`.
#[inline]
pub fn bm25_term_score(params: &Bm25Params, idf: f32, tf: u32, dl: u32, avgdl: f32) -> f32 {
    let tf = tf as f32;
    let rel_len = if avgdl > 0.0 { dl as f32 / avgdl } else { 1.0 };
    let norm = params.k1 * (1.0 - params.b + params.b * rel_len);
    idf * (tf * (params.k1 + 1.0)) / (tf + norm)
}

/// A scored document, ordered "better first": higher score, then lower [`DocId`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scored {
    /// Internal document id.
    pub doc: DocId,
    /// Score (finite).
    pub score: f32,
}

impl Scored {
    /// Ranking order: `Less` means `self` ranks before `other`.
    pub fn rank_cmp(&self, other: &Scored) -> Ordering {
        other.score.total_cmp(&self.score).then(self.doc.cmp(&other.doc))
    }
}

/// Heap entry whose `Ord` puts the *worst* hit on top of the max-heap.
#[derive(PartialEq)]
struct Worst(Scored);
impl Eq for Worst {}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.rank_cmp(&other.0)
    }
}

/// Keeps the best `k` of a stream of scored documents in `O(n log k)`.
///
/// ```
/// use sparrow_core::score::TopK;
/// let mut top = TopK::new(2);
/// for (doc, score) in [(0, 1.0), (1, 3.0), (2, 2.0), (3, 3.0)] {
///     top.push(doc, score);
/// }
/// let best: Vec<u32> = top.into_sorted().iter().map(|s| s.doc).collect();
/// assert_eq!(best, [1, 3]); // ties broken by lower doc id
/// ```
#[derive(Debug)]
pub struct TopK {
    k: usize,
    heap: BinaryHeap<Worst>,
}

impl std::fmt::Debug for Worst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl TopK {
    /// A collector for the best `k` documents (`k` may be 0).
    pub fn new(k: usize) -> Self {
        TopK { k, heap: BinaryHeap::with_capacity(k.min(1024) + 1) }
    }

    /// Offers a document.
    #[inline]
    pub fn push(&mut self, doc: DocId, score: f32) {
        let s = Scored { doc, score };
        if self.heap.len() < self.k {
            self.heap.push(Worst(s));
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if s.rank_cmp(&worst.0) == Ordering::Less {
                *worst = Worst(s);
            }
        }
    }

    /// The kept documents, best first.
    pub fn into_sorted(self) -> Vec<Scored> {
        self.heap.into_sorted_vec().into_iter().map(|w| w.0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn idf_closed_form() {
        assert_eq!(bm25_idf(1, 1), (1.0f64 + 0.5 / 1.5).ln() as f32);
        assert!(bm25_idf(1000, 1) > bm25_idf(1000, 10));
    }

    #[test]
    fn term_score_properties() {
        let p = Bm25Params::default();
        // average length, tf 1 -> exactly idf
        assert!((bm25_term_score(&p, 2.0, 1, 10, 10.0) - 2.0).abs() < 1e-6);
        // k1 = 0: binary
        let p0 = Bm25Params { k1: 0.0, b: 0.75 };
        assert_eq!(bm25_term_score(&p0, 2.0, 7, 3, 10.0), 2.0);
        // longer docs score lower when b > 0
        assert!(bm25_term_score(&p, 1.0, 2, 100, 10.0) < bm25_term_score(&p, 1.0, 2, 5, 10.0));
        assert_eq!(average_length(0, 0), 0.0);
        assert_eq!(average_length(10, 4), 2.5);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn topk_equals_sort_take(scores in prop::collection::vec(0u8..20, 0..200), k in 0usize..30) {
            let mut top = TopK::new(k);
            for (d, s) in scores.iter().enumerate() {
                top.push(d as u32, f32::from(*s));
            }
            let mut all: Vec<Scored> = scores.iter().enumerate()
                .map(|(d, s)| Scored { doc: d as u32, score: f32::from(*s) }).collect();
            all.sort_by(Scored::rank_cmp);
            all.truncate(k);
            prop_assert_eq!(top.into_sorted(), all);
        }

        #[test]
        fn bm25_monotonic_in_tf(tf in 1u32..1000, dl in 1u32..1000, avg in 1.0f32..500.0) {
            let p = Bm25Params::default();
            prop_assert!(bm25_term_score(&p, 1.0, tf + 1, dl, avg) >= bm25_term_score(&p, 1.0, tf, dl, avg));
        }
    }
}
