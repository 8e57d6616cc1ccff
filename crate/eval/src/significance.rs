//! Is a difference in nDCG@10 between two runs more than the queries' noise?
//!
//! Both runs are scored per query on the same judged queries; the statistic is the mean of the
//! per-query differences. Two tools, both on those paired differences:
//! * a **paired randomization test** (Fisher's, as Smucker, Allan & Carterette, CIKM 2007,
//!   recommend for IR): under "the systems are the same" each query's difference is as likely
//!   negative as positive, so its sign is flipped at random; the two-sided p-value is the share
//!   of flips whose mean is at least as far from 0 as the observed one;
//! * a **paired bootstrap 95% interval** of the mean difference (percentile method): the queries
//!   are resampled with replacement.
//!
//! Both use a fixed-seed generator, so a report is reproducible to the digit.

use serde::{Deserialize, Serialize};

use crate::metrics::{per_query, Qrels, Run};

/// Resamples for the randomization test and the bootstrap.
pub const RESAMPLES: usize = 10_000;

/// A run's nDCG@10 against a baseline run, on the queries both are judged on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VsBaseline {
    /// The baseline's name (its run file's).
    pub baseline: String,
    /// Judged queries compared.
    pub queries: usize,
    /// Mean nDCG@10 of this run minus the baseline's.
    pub delta_ndcg10: f64,
    /// Paired bootstrap 95% interval of `delta_ndcg10`.
    pub ci95: [f64; 2],
    /// Two-sided p-value of the paired randomization test.
    pub p: f64,
}

/// Compares `run` with `baseline` on `qrels`' judged queries (a query either run lacks scores
/// 0 for it, as in [`crate::metrics::evaluate`]).
pub fn compare(qrels: &Qrels, run: &Run, baseline: &Run, baseline_name: &str) -> VsBaseline {
    let a = per_query(qrels, run);
    let b = per_query(qrels, baseline);
    let diffs: Vec<f64> =
        a.iter().map(|(q, m)| m.ndcg10 - b.get(q).map_or(0.0, |x| x.ndcg10)).collect();
    let (ci95, p) = test_paired(&diffs);
    VsBaseline {
        baseline: baseline_name.to_owned(),
        queries: diffs.len(),
        delta_ndcg10: mean(&diffs),
        ci95,
        p,
    }
}

/// The bootstrap interval and randomization p-value of paired differences.
pub fn test_paired(diffs: &[f64]) -> ([f64; 2], f64) {
    if diffs.is_empty() {
        return ([0.0, 0.0], 1.0);
    }
    let n = diffs.len();
    let observed = mean(diffs).abs();
    let mut rng = SplitMix64(0x5eed_5a44_0c0f_fee5);
    // Randomization: flip each difference's sign with probability 1/2. A tiny tolerance keeps
    // the flip that reproduces the observation counted despite float rounding.
    let mut extreme = 0usize;
    for _ in 0..RESAMPLES {
        let mut sum = 0.0;
        for &d in diffs {
            sum += if rng.next() & 1 == 0 { d } else { -d };
        }
        if (sum / n as f64).abs() >= observed - 1e-12 {
            extreme += 1;
        }
    }
    let p = (extreme + 1) as f64 / (RESAMPLES + 1) as f64;
    let mut means: Vec<f64> = (0..RESAMPLES)
        .map(|_| (0..n).map(|_| diffs[rng.below(n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((q * (RESAMPLES - 1) as f64).round() as usize).min(RESAMPLES - 1)];
    ([at(0.025), at(0.975)], p)
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): small, fast and good enough for resampling; no
/// dependency, and the same numbers on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is below 2^-40 for our n).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn equal_runs_differ_by_nothing() {
        let ([lo, hi], p) = test_paired(&[0.0; 50]);
        assert_eq!((lo, hi), (0.0, 0.0));
        assert_eq!(p, 1.0);
    }

    #[test]
    fn a_consistent_gain_is_significant_and_inside_its_interval() {
        // 60 queries, each +0.1 with a little spread: far from noise.
        let diffs: Vec<f64> = (0..60).map(|i| 0.1 + 0.01 * f64::from(i % 5)).collect();
        let ([lo, hi], p) = test_paired(&diffs);
        let m = mean(&diffs);
        assert!(lo <= m && m <= hi && lo > 0.0, "[{lo}, {hi}] around {m}");
        assert!(p < 0.001, "p = {p}");
    }

    #[test]
    fn symmetric_noise_is_not_significant() {
        // Gains and losses of the same sizes: mean 0, p near 1, interval across 0.
        let diffs: Vec<f64> =
            (0..100).map(|i| if i % 2 == 0 { 0.3 } else { -0.3 } * f64::from(i % 7)).collect();
        let ([lo, hi], p) = test_paired(&diffs);
        assert!(lo < 0.0 && hi > 0.0, "[{lo}, {hi}]");
        assert!(p > 0.5, "p = {p}");
    }

    #[test]
    fn a_single_flipped_query_in_few_has_the_exact_randomization_p() {
        // Two queries, differences +1 and +1: of the 4 sign patterns, 2 reach |mean| = 1, so the
        // exact p is 1/2; the resampled one must be close.
        let (_, p) = test_paired(&[1.0, 1.0]);
        assert!((p - 0.5).abs() < 0.02, "p = {p}");
    }

    #[test]
    fn compare_pairs_queries_by_id_and_counts_missing_as_zero() {
        let qrels: Qrels = [("q1", "d1"), ("q2", "d2")]
            .iter()
            .map(|(q, d)| (q.to_string(), BTreeMap::from([(d.to_string(), 1)])))
            .collect();
        let run: Run = BTreeMap::from([
            ("q1".to_string(), vec![("d1".to_string(), 1.0)]),
            ("q2".to_string(), vec![("d2".to_string(), 1.0)]),
        ]);
        let base: Run = BTreeMap::from([("q1".to_string(), vec![("d1".to_string(), 1.0)])]);
        let v = compare(&qrels, &run, &base, "base");
        assert_eq!((v.queries, v.baseline.as_str()), (2, "base"));
        assert!((v.delta_ndcg10 - 0.5).abs() < 1e-12);
    }
}
