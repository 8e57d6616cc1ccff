//! Fusion of the lexical and sparse arms: the [`Fusion`] setting (its JSON shape and defaults)
//! and [`fuse`], a pure function over the two ranked candidate lists.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::document::DocId;
use crate::score::Scored;

/// How hybrid mode combines the two arms' candidate lists.
///
/// JSON: `{"kind": "weighted", "alpha": 0.35}` (the default) or `{"kind": "rrf", "k": 3}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Fusion {
    /// Reciprocal rank fusion: `score = Σ 1 / (k + rank)` over the arms where the document
    /// appears (rank 1-based). Robust to the arms' different score scales; `k >= 0` (default 3)
    /// flattens the advantage of top ranks.
    Rrf {
        /// Rank offset (default 3).
        #[serde(default = "default_rrf_k")]
        #[cfg_attr(feature = "ts", ts(as = "Option<f32>", optional))]
        k: f32,
    },
    /// Min-max normalise each arm's candidate scores to `[0, 1]` (a single candidate, or all
    /// equal, normalise to 1.0), then `score = alpha * sparse + (1 - alpha) * lexical`; a missing
    /// arm contributes 0.
    Weighted {
        /// Weight of the sparse arm, in `[0, 1]` (default 0.35).
        #[serde(default = "default_alpha")]
        #[cfg_attr(feature = "ts", ts(as = "Option<f32>", optional))]
        alpha: f32,
    },
}

/// Default RRF `k`: 3, the best `k` on SciFact's train queries with the default BM25 settings
/// (`sparrow eval --tune`, docs/BENCHMARKS.md); the literature's usual 60 scored 0.006 nDCG@10
/// lower there.
pub const DEFAULT_RRF_K: f32 = 3.0;

/// Default weighted-fusion `alpha` (the sparse arm's weight): 0.35, tuned with the BM25 defaults
/// on SciFact's train queries (docs/BENCHMARKS.md).
pub const DEFAULT_ALPHA: f32 = 0.35;

fn default_rrf_k() -> f32 {
    DEFAULT_RRF_K
}
fn default_alpha() -> f32 {
    DEFAULT_ALPHA
}

/// The default fusion is min-max weighted with [`DEFAULT_ALPHA`]: on SciFact's train queries, at
/// the default BM25 settings, it beat RRF with the best `k` by 0.02 nDCG@10 (docs/BENCHMARKS.md).
impl Default for Fusion {
    fn default() -> Self {
        Fusion::Weighted { alpha: DEFAULT_ALPHA }
    }
}

/// The fusion `search` applies, for callers outside the index (evaluation what-ifs that score an
/// arm another way): two candidate lists, each best first, fused into one, best first (ties:
/// lower doc id first).
///
/// ```
/// use sparrow_core::{fuse_ranked, score::Scored, Fusion};
/// let lexical = [Scored { doc: 1, score: 9.0 }, Scored { doc: 2, score: 1.0 }];
/// let sparse = [Scored { doc: 2, score: 3.0 }];
/// let fused = fuse_ranked(&lexical, &sparse, Fusion::Weighted { alpha: 0.5 });
/// assert_eq!(fused.iter().map(|s| (s.doc, s.score)).collect::<Vec<_>>(), [(1, 0.5), (2, 0.5)]);
/// ```
pub fn fuse_ranked(lexical: &[Scored], sparse: &[Scored], fusion: Fusion) -> Vec<Scored> {
    fuse(lexical, sparse, fusion)
        .into_iter()
        .map(|f| Scored { doc: f.doc, score: f.score })
        .collect()
}

/// A fused candidate: its fused score and, per arm, `(1-based rank, arm score)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Fused {
    pub(crate) doc: DocId,
    pub(crate) score: f32,
    pub(crate) lexical: Option<(u32, f32)>,
    pub(crate) sparse: Option<(u32, f32)>,
}

/// Min-max normaliser over one arm's candidate scores.
fn normaliser(list: &[Scored]) -> impl Fn(f32) -> f32 {
    let min = list.iter().map(|s| s.score).fold(f32::INFINITY, f32::min);
    let max = list.iter().map(|s| s.score).fold(f32::NEG_INFINITY, f32::max);
    move |s| if max > min { (s - min) / (max - min) } else { 1.0 }
}

/// Fuses two ranked lists (each best first) and returns candidates best first (ties: lower doc
/// id first). Contributions are added lexical first, then sparse.
pub(crate) fn fuse(lexical: &[Scored], sparse: &[Scored], fusion: Fusion) -> Vec<Fused> {
    let mut by_doc: BTreeMap<DocId, Fused> = BTreeMap::new();
    for (i, s) in lexical.iter().enumerate() {
        let e = by_doc.entry(s.doc).or_insert(Fused {
            doc: s.doc,
            score: 0.0,
            lexical: None,
            sparse: None,
        });
        e.lexical = Some((i as u32 + 1, s.score));
    }
    for (i, s) in sparse.iter().enumerate() {
        let e = by_doc.entry(s.doc).or_insert(Fused {
            doc: s.doc,
            score: 0.0,
            lexical: None,
            sparse: None,
        });
        e.sparse = Some((i as u32 + 1, s.score));
    }
    let mut out: Vec<Fused> = by_doc.into_values().collect();
    match fusion {
        Fusion::Rrf { k } => {
            for f in &mut out {
                let mut score = 0.0f32;
                if let Some((rank, _)) = f.lexical {
                    score += 1.0 / (k + rank as f32);
                }
                if let Some((rank, _)) = f.sparse {
                    score += 1.0 / (k + rank as f32);
                }
                f.score = score;
            }
        }
        Fusion::Weighted { alpha } => {
            let (nl, ns) = (normaliser(lexical), normaliser(sparse));
            for f in &mut out {
                let l = f.lexical.map_or(0.0, |(_, s)| nl(s));
                let s = f.sparse.map_or(0.0, |(_, s)| ns(s));
                f.score = alpha * s + (1.0 - alpha) * l;
            }
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn list(v: &[(u32, f32)]) -> Vec<Scored> {
        v.iter().map(|&(doc, score)| Scored { doc, score }).collect()
    }

    #[test]
    fn rrf_by_hand() {
        let l = list(&[(1, 9.0), (2, 5.0)]);
        let s = list(&[(2, 0.9), (3, 0.1)]);
        let f = fuse(&l, &s, Fusion::Rrf { k: 60.0 });
        assert_eq!(f.iter().map(|f| f.doc).collect::<Vec<_>>(), [2, 1, 3]);
        assert_eq!(f[0].score, 1.0 / 62.0 + 1.0 / 61.0);
        assert_eq!(f[0].lexical, Some((2, 5.0)));
        assert_eq!(f[0].sparse, Some((1, 0.9)));
        assert_eq!((f[1].score, f[2].score), (1.0 / 61.0, 1.0 / 62.0));
    }

    #[test]
    fn weighted_by_hand() {
        let l = list(&[(1, 10.0), (2, 5.0), (4, 0.0)]);
        let s = list(&[(3, 2.0)]);
        let f = fuse(&l, &s, Fusion::Weighted { alpha: 0.25 });
        let score = |d: u32| f.iter().find(|x| x.doc == d).unwrap().score;
        assert_eq!(score(1), 0.75);
        assert_eq!(score(2), 0.75 * 0.5);
        assert_eq!(score(3), 0.25); // single candidate normalises to 1.0
        assert_eq!(score(4), 0.0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// RRF only looks at ranks: scaling an arm's scores changes nothing.
        #[test]
        fn rrf_ignores_score_scale(docs in prop::collection::btree_set(0u32..100, 0..20), factor in 0.1f32..10.0) {
            let l: Vec<Scored> = docs.iter().enumerate().map(|(i, &d)| Scored { doc: d, score: 100.0 - i as f32 }).collect();
            let scaled: Vec<Scored> = l.iter().map(|s| Scored { doc: s.doc, score: s.score * factor }).collect();
            let a: Vec<(u32, f32)> = fuse(&l, &[], Fusion::Rrf { k: 60.0 }).iter().map(|f| (f.doc, f.score)).collect();
            let b: Vec<(u32, f32)> = fuse(&scaled, &[], Fusion::Rrf { k: 60.0 }).iter().map(|f| (f.doc, f.score)).collect();
            prop_assert_eq!(a, b);
        }
    }
}
