//! Retrieval metrics, implemented once: nDCG@k, Recall@k and MRR@k with `trec_eval` conventions.
//!
//! * A run's documents for a query are ranked by score, highest first; equal scores are ordered
//!   by document id **descending** (what `trec_eval` and `pytrec_eval` do), so a metric depends
//!   only on the (document, score) pairs, not on the order a run file lists them in.
//! * Gain is the relevance grade from the qrels (grades `<= 0` and unjudged documents gain 0);
//!   the discount is `log2(rank + 1)`; the ideal DCG is computed from the qrels' grades.
//! * A document is relevant when its grade is `>= 1` (Recall, MRR).
//! * Queries with no relevant document in the qrels are skipped; queries in the run but not in the
//!   qrels are ignored; a judged query missing from the run scores 0 (`trec_eval -c`).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

/// Relevance judgments: query id → document id → grade.
pub type Qrels = BTreeMap<String, BTreeMap<String, i32>>;

/// A ranked list for one query: (document id, score), in any order.
pub type Ranking = Vec<(String, f64)>;

/// A run: query id → its ranking.
pub type Run = BTreeMap<String, Ranking>;

/// The metrics of one query.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct QueryMetrics {
    pub ndcg10: f64,
    pub recall100: f64,
    pub mrr10: f64,
}

/// Mean metrics over the evaluated queries.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    /// Judged queries with at least one relevant document (the denominator).
    pub queries: usize,
    /// Of those, how many the run has no result for (they count as 0).
    pub missing: usize,
    pub ndcg10: f64,
    pub recall100: f64,
    pub mrr10: f64,
}

/// nDCG@k of a ranking already in rank order.
pub fn ndcg_at(judged: &BTreeMap<String, i32>, ranked: &[&str], k: usize) -> f64 {
    let gain = |g: i32| f64::from(g.max(0));
    let discount = |i: usize| (i as f64 + 2.0).log2(); // rank i+1 → log2(rank + 1)
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, d)| gain(judged.get(*d).copied().unwrap_or(0)) / discount(i))
        .sum();
    let mut ideal: Vec<i32> = judged.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal.iter().take(k).enumerate().map(|(i, &g)| gain(g) / discount(i)).sum();
    if idcg > 0.0 {
        dcg / idcg
    } else {
        0.0
    }
}

/// Recall@k: the share of the relevant documents found in the top `k`.
pub fn recall_at(judged: &BTreeMap<String, i32>, ranked: &[&str], k: usize) -> f64 {
    let relevant = judged.values().filter(|&&g| g >= 1).count();
    if relevant == 0 {
        return 0.0;
    }
    let found = ranked.iter().take(k).filter(|d| judged.get(**d).is_some_and(|&g| g >= 1)).count();
    found as f64 / relevant as f64
}

/// MRR@k: 1 / rank of the first relevant document within the top `k`, else 0.
pub fn mrr_at(judged: &BTreeMap<String, i32>, ranked: &[&str], k: usize) -> f64 {
    ranked
        .iter()
        .take(k)
        .position(|d| judged.get(*d).is_some_and(|&g| g >= 1))
        .map_or(0.0, |i| 1.0 / (i as f64 + 1.0))
}

/// All metrics of one query; `None` when the qrels have no relevant document for it (skipped).
pub fn score_query(
    judged: &BTreeMap<String, i32>,
    ranking: Option<&Ranking>,
) -> Option<QueryMetrics> {
    if !judged.values().any(|&g| g >= 1) {
        return None;
    }
    let Some(ranking) = ranking else { return Some(QueryMetrics::default()) };
    let mut refs: Vec<(&str, f64)> = ranking.iter().map(|(d, s)| (d.as_str(), *s)).collect();
    score_refs(judged, &mut refs)
}

/// [`score_query`] over borrowed ids (sorts `ranking` in place, `trec_eval` order); for callers
/// that score many rankings without allocating.
pub fn score_refs(
    judged: &BTreeMap<String, i32>,
    ranking: &mut [(&str, f64)],
) -> Option<QueryMetrics> {
    if !judged.values().any(|&g| g >= 1) {
        return None;
    }
    ranking.sort_by(|a, b| {
        b.1.partial_cmp(&a.1).unwrap_or(Ordering::Equal).then_with(|| b.0.cmp(a.0))
    });
    let ranked: Vec<&str> = ranking.iter().map(|(d, _)| *d).collect();
    Some(QueryMetrics {
        ndcg10: ndcg_at(judged, &ranked, 10),
        recall100: recall_at(judged, &ranked, 100),
        mrr10: mrr_at(judged, &ranked, 10),
    })
}

/// Per-query metrics of a run, by query id (skipped queries absent).
pub fn per_query(qrels: &Qrels, run: &Run) -> BTreeMap<String, QueryMetrics> {
    qrels
        .iter()
        .filter_map(|(q, judged)| score_query(judged, run.get(q)).map(|m| (q.clone(), m)))
        .collect()
}

/// Mean metrics of a run over the judged queries.
pub fn evaluate(qrels: &Qrels, run: &Run) -> Summary {
    let per = per_query(qrels, run);
    let n = per.len();
    let mean = |f: fn(&QueryMetrics) -> f64| {
        if n == 0 {
            0.0
        } else {
            per.values().map(f).sum::<f64>() / n as f64
        }
    };
    Summary {
        queries: n,
        missing: per.keys().filter(|q| !run.contains_key(*q)).count(),
        ndcg10: mean(|m| m.ndcg10),
        recall100: mean(|m| m.recall100),
        mrr10: mean(|m| m.mrr10),
    }
}

/// Checks a ranking has no document twice (`trec_eval` refuses such runs).
pub fn check_unique(query: &str, ranking: &Ranking) -> Result<(), String> {
    let mut seen = HashSet::new();
    for (d, _) in ranking {
        if !seen.insert(d.as_str()) {
            return Err(format!("query {query}: document {d} appears twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, i32)]) -> BTreeMap<String, i32> {
        pairs.iter().map(|&(d, g)| (d.to_owned(), g)).collect()
    }

    fn ranking(docs: &[&str]) -> Ranking {
        // Strictly decreasing scores: the given order is the rank order.
        docs.iter().enumerate().map(|(i, d)| ((*d).to_owned(), 100.0 - i as f64)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn binary_relevance_by_hand() {
        // One relevant document at rank 3: DCG = 1/log2(4) = 0.5, IDCG = 1.
        let j = judged(&[("d1", 1)]);
        let m = score_query(&j, Some(&ranking(&["x", "y", "d1"]))).unwrap();
        assert!(close(m.ndcg10, 0.5), "{m:?}");
        assert!(close(m.mrr10, 1.0 / 3.0));
        assert!(close(m.recall100, 1.0));
        // Two relevant, one found at rank 1: nDCG = 1 / (1 + 1/log2(3)).
        let j = judged(&[("a", 1), ("b", 1)]);
        let m = score_query(&j, Some(&ranking(&["a", "x"]))).unwrap();
        assert!(close(m.ndcg10, 1.0 / (1.0 + 1.0 / 3f64.log2())), "{m:?}");
        assert!(close(m.recall100, 0.5));
        assert!(close(m.mrr10, 1.0));
    }

    #[test]
    fn graded_relevance_by_hand() {
        // Grades a=2, b=1, c=0 (judged non-relevant); ranking c, a, x, b.
        // DCG  = 0/log2(2) + 2/log2(3) + 0/log2(4) + 1/log2(5) = 1.2618595 + 0.4306766
        // IDCG = 2/log2(2) + 1/log2(3)                          = 2 + 0.6309298
        let j = judged(&[("a", 2), ("b", 1), ("c", 0)]);
        let m = score_query(&j, Some(&ranking(&["c", "a", "x", "b"]))).unwrap();
        let dcg = 2.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 2.0 + 1.0 / 3f64.log2();
        assert!(close(m.ndcg10, dcg / idcg), "{m:?}");
        assert!((m.ndcg10 - 0.643_322_4).abs() < 1e-7, "{m:?}");
        assert!(close(m.mrr10, 0.5)); // c (grade 0) is not relevant
        assert!(close(m.recall100, 1.0));
        // The ideal ranking scores 1; the grade-1 document first scores less than the grade-2 one.
        assert!(close(score_query(&j, Some(&ranking(&["a", "b"]))).unwrap().ndcg10, 1.0));
        let swapped = score_query(&j, Some(&ranking(&["b", "a"]))).unwrap().ndcg10;
        assert!(close(swapped, (1.0 + 2.0 / 3f64.log2()) / idcg));
    }

    #[test]
    fn cutoffs() {
        // Relevant at rank 11: outside nDCG@10 and MRR@10, inside Recall@100.
        let j = judged(&[("r", 1)]);
        let mut docs: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
        docs.push("r".into());
        let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
        let m = score_query(&j, Some(&ranking(&docs))).unwrap();
        assert_eq!((m.ndcg10, m.mrr10, m.recall100), (0.0, 0.0, 1.0));
        // At rank 101: outside Recall@100 too.
        let mut docs: Vec<String> = (0..100).map(|i| format!("x{i}")).collect();
        docs.push("r".into());
        let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
        assert_eq!(score_query(&j, Some(&ranking(&docs))).unwrap().recall100, 0.0);
        // IDCG is cut at 10 too: 12 relevant documents, all retrieved first → 1.
        let many: Vec<String> = (0..12).map(|i| format!("r{i}")).collect();
        let j: BTreeMap<String, i32> = many.iter().map(|d| (d.clone(), 1)).collect();
        let docs: Vec<&str> = many.iter().map(String::as_str).collect();
        let m = score_query(&j, Some(&ranking(&docs))).unwrap();
        assert!(close(m.ndcg10, 1.0));
        assert!(close(m.recall100, 1.0));
    }

    #[test]
    fn ties_follow_trec_eval() {
        // Equal scores: document id descending, whatever the order in the run.
        let j = judged(&[("a", 1)]);
        let run_order = vec![("a".to_owned(), 1.0), ("b".to_owned(), 1.0)];
        let m = score_query(&j, Some(&run_order)).unwrap();
        assert!(close(m.mrr10, 0.5), "b sorts before a on a tie: {m:?}");
        assert!(close(m.ndcg10, 1.0 / 3f64.log2()));
        // Scores decide before ids, and the listed order does not matter.
        let m = score_query(&j, Some(&vec![("b".to_owned(), 0.5), ("a".to_owned(), 2.0)])).unwrap();
        assert!(close(m.mrr10, 1.0));
    }

    #[test]
    fn averaging_skips_unjudged_and_counts_missing_as_zero() {
        let mut qrels = Qrels::new();
        qrels.insert("q1".into(), judged(&[("a", 1)]));
        qrels.insert("q2".into(), judged(&[("b", 1)])); // not in the run → 0
        qrels.insert("q3".into(), judged(&[("c", 0)])); // no relevant document → skipped
        let mut run = Run::new();
        run.insert("q1".into(), ranking(&["a"]));
        run.insert("q3".into(), ranking(&["c"]));
        run.insert("q9".into(), ranking(&["a"])); // not judged → ignored
        let s = evaluate(&qrels, &run);
        assert_eq!((s.queries, s.missing), (2, 1));
        assert!(close(s.ndcg10, 0.5) && close(s.recall100, 0.5) && close(s.mrr10, 0.5), "{s:?}");
    }

    #[test]
    fn an_empty_ranking_scores_zero_and_duplicates_are_refused() {
        let j = judged(&[("a", 3)]);
        assert_eq!(score_query(&j, Some(&Vec::new())).unwrap(), QueryMetrics::default());
        assert!(check_unique("q", &vec![("a".into(), 1.0), ("a".into(), 0.5)]).is_err());
        assert!(check_unique("q", &ranking(&["a", "b"])).is_ok());
    }
}
