//! Static pruning of learned-sparse postings: each term keeps its `max` strongest documents.
//!
//! Why: a sharded site index fetches a term's whole postings list when a query uses it. A
//! learned-sparse model expands many sections with the same broad terms (on the Rust `core`
//! docs, "numbers" is in ~60% of 139k sections), so one such term's list (200 kB raw, 89 kB
//! brotli) can cost a query more than everything else it loads. Keeping only the highest-weighted
//! postings of such a term bounds every list, at a measured cost in quality (docs/BENCHMARKS.md,
//! "Static pruning"): a document weakly expanded with a term everyone has loses that term's small
//! contribution, which rarely decides a ranking. This is term-centric static pruning (Carmel et
//! al., SIGIR 2001) on the learned-sparse arm only; BM25 postings are never pruned, and lookup
//! weights come from the texts' token counts, which pruning does not touch.

use crate::document::Document;
use crate::sparse::SparseVector;
use std::collections::HashMap;

/// What [`cap_sparse_postings`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Terms whose postings were cut to the cap.
    pub terms_capped: usize,
    /// Postings removed, over all terms.
    pub postings_removed: usize,
    /// Postings kept, over all terms.
    pub postings_kept: usize,
}

/// Keeps, for every learned-sparse term, only the `max` documents with the highest weight for it
/// (ties: the earlier document in `docs`), removing the term from the other documents' vectors.
/// Documents without a vector are untouched; a vector may become empty (the document stays
/// semantic-capable, it just matches nothing in the sparse arm). `max == 0` removes nothing.
///
/// Deterministic for the same input, so a site build stays byte-reproducible.
///
/// ```
/// use sparrow_core::{cap_sparse_postings, Document, SparseVector};
/// let v = |w: f32| SparseVector::from_pairs([(1, w), (2, 1.0)]).unwrap();
/// let mut docs = vec![
///     Document::new("a", "x").with_sparse(v(0.2)),
///     Document::new("b", "x").with_sparse(v(0.9)),
///     Document::new("c", "x").with_sparse(v(0.5)),
/// ];
/// let report = cap_sparse_postings(&mut docs, 2);
/// // Term 1 keeps b (0.9) and c (0.5); term 2 ties everywhere and keeps the first two (a, b).
/// assert_eq!(docs[0].sparse.as_ref().unwrap().ids(), &[2]);
/// assert_eq!(docs[1].sparse.as_ref().unwrap().ids(), &[1, 2]);
/// assert_eq!(docs[2].sparse.as_ref().unwrap().ids(), &[1]);
/// assert_eq!((report.terms_capped, report.postings_removed, report.postings_kept), (2, 2, 4));
/// ```
pub fn cap_sparse_postings(docs: &mut [Document], max: usize) -> PruneReport {
    // Each term's postings as (weight, document position).
    let mut lists: HashMap<u32, Vec<(f32, u32)>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        if let Some(v) = &d.sparse {
            for (id, w) in v.iter() {
                lists.entry(id).or_default().push((w, i as u32));
            }
        }
    }
    let mut report = PruneReport::default();
    // Per document, the terms it loses.
    let mut drop: HashMap<u32, Vec<u32>> = HashMap::new();
    for (&term, list) in &mut lists {
        if max == 0 || list.len() <= max {
            report.postings_kept += list.len();
            continue;
        }
        report.terms_capped += 1;
        report.postings_kept += max;
        report.postings_removed += list.len() - max;
        // Strongest first, then earlier documents first: weights are finite, so total_cmp is the
        // numeric order.
        list.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, doc) in &list[max..] {
            drop.entry(doc).or_default().push(term);
        }
    }
    for (doc, mut terms) in drop {
        terms.sort_unstable();
        let d = &mut docs[doc as usize];
        if let Some(v) = d.sparse.take() {
            let (ids, weights): (Vec<u32>, Vec<f32>) =
                v.iter().filter(|(id, _)| terms.binary_search(id).is_err()).unzip();
            d.sparse = Some(SparseVector::from_sorted_unchecked(ids, weights));
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rule, written the slow way: a posting survives if fewer than `max` postings of its
    /// term beat it (higher weight, or equal weight in an earlier document).
    fn oracle(docs: &[Document], max: usize) -> Vec<Vec<(u32, f32)>> {
        let vec = |d: &Document| d.sparse.as_ref().map(|v| v.iter().collect()).unwrap_or_default();
        let all: Vec<Vec<(u32, f32)>> = docs.iter().map(vec).collect();
        all.iter()
            .enumerate()
            .map(|(i, v)| {
                v.iter()
                    .copied()
                    .filter(|&(id, w)| {
                        max == 0
                            || all
                                .iter()
                                .enumerate()
                                .filter(|(j, u)| {
                                    u.iter().any(|&(t, x)| t == id && (x > w || (x == w && *j < i)))
                                })
                                .count()
                                < max
                    })
                    .collect()
            })
            .collect()
    }

    proptest! {
        #[test]
        fn keeps_exactly_the_strongest(
            vectors in prop::collection::vec(
                prop::option::of(prop::collection::vec((0u32..12, 1u8..6), 0..8)), 0..30),
            max in 0usize..6,
        ) {
            let mut docs: Vec<Document> = vectors
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let d = Document::new(format!("d{i}"), "t");
                    match v {
                        // Few distinct weights, so ties are common.
                        Some(pairs) => d.with_sparse(
                            SparseVector::from_pairs(pairs.iter().map(|&(t, w)| (t, f32::from(w) / 4.0)))
                                .unwrap(),
                        ),
                        None => d,
                    }
                })
                .collect();
            let expected = oracle(&docs, max);
            let before: usize = docs.iter().filter_map(|d| d.sparse.as_ref()).map(SparseVector::len).sum();
            let report = cap_sparse_postings(&mut docs, max);
            for (d, want) in docs.iter().zip(&expected) {
                let got: Vec<(u32, f32)> = d.sparse.as_ref().map(|v| v.iter().collect()).unwrap_or_default();
                prop_assert_eq!(&got, want);
            }
            prop_assert_eq!(report.postings_kept + report.postings_removed, before);
            for (d, v) in docs.iter().zip(&vectors) {
                prop_assert_eq!(d.sparse.is_some(), v.is_some(), "a vector is never added or taken away");
            }
        }
    }

    #[test]
    fn zero_means_no_cap() {
        let mut docs = vec![
            Document::new("a", "x").with_sparse(SparseVector::from_pairs([(1, 1.0)]).unwrap()),
            Document::new("b", "x").with_sparse(SparseVector::from_pairs([(1, 2.0)]).unwrap()),
        ];
        let report = cap_sparse_postings(&mut docs, 0);
        assert_eq!(report, PruneReport { terms_capped: 0, postings_removed: 0, postings_kept: 2 });
        assert_eq!(docs[0].sparse.as_ref().unwrap().len(), 1);
    }
}
