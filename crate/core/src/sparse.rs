//! Learned-sparse vectors and their 8-bit quantization.
//!
//! A [`SparseVector`] is what a SPLADE-style encoder produces: a few hundred (vocabulary id,
//! weight) pairs out of a ~30k vocabulary. Documents' vectors are stored quantized, one `u8` per
//! posting with one `f32` scale per vocabulary id ([`quantization_scale`]): 4x smaller than `f32`
//! weights, and the rounding error (at most half a step, i.e. `max/510`) is far below the noise of
//! the model. Query vectors are never quantized.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Largest accepted weight in a [`SparseVector`] (`1e9`). Learned-sparse weights are small
/// (SPLADE's are below ~10); the bound keeps every dot product, and so every score, finite.
pub const MAX_WEIGHT: f32 = 1e9;

/// A sparse vector: sorted, unique term (vocabulary) ids with finite weights in `(0, MAX_WEIGHT]`.
///
/// Built with [`SparseVector::from_pairs`], which enforces the invariants, so every
/// `SparseVector` in the program is valid.
///
/// Serialises (serde) as `{"ids": [..], "weights": [..]}`; deserialising validates the same way
/// as `from_pairs`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SparseVectorRepr", into = "SparseVectorRepr")]
pub struct SparseVector {
    ids: Vec<u32>,
    weights: Vec<f32>,
}

#[derive(Serialize, Deserialize)]
struct SparseVectorRepr {
    ids: Vec<u32>,
    weights: Vec<f32>,
}

impl TryFrom<SparseVectorRepr> for SparseVector {
    type Error = Error;
    fn try_from(r: SparseVectorRepr) -> Result<Self> {
        if r.ids.len() != r.weights.len() {
            return Err(Error::InvalidVector {
                reason: format!("{} ids but {} weights", r.ids.len(), r.weights.len()),
            });
        }
        SparseVector::from_pairs(r.ids.into_iter().zip(r.weights))
    }
}

impl From<SparseVector> for SparseVectorRepr {
    fn from(v: SparseVector) -> Self {
        SparseVectorRepr { ids: v.ids, weights: v.weights }
    }
}

impl SparseVector {
    /// An empty vector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a vector from `(term id, weight)` pairs in any order.
    ///
    /// Pairs are sorted by id; when an id occurs more than once the largest weight is kept (the
    /// max-pooling SPLADE itself uses); weights `<= 0` are dropped (they can never contribute to a
    /// dot product with non-negative weights).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidVector`] if any weight is NaN, infinite or larger than [`MAX_WEIGHT`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sparrow_core::SparseVector;
    /// let v = SparseVector::from_pairs([(7, 0.5), (3, 1.0), (7, 0.9), (9, 0.0)]).unwrap();
    /// assert_eq!(v.ids(), &[3, 7]);
    /// assert_eq!(v.weights(), &[1.0, 0.9]);
    /// assert!(SparseVector::from_pairs([(1, f32::NAN)]).is_err());
    /// ```
    pub fn from_pairs(pairs: impl IntoIterator<Item = (u32, f32)>) -> Result<Self> {
        let mut v: Vec<(u32, f32)> = Vec::new();
        for (id, w) in pairs {
            if !w.is_finite() {
                return Err(Error::InvalidVector {
                    reason: format!("weight of term {id} is {w}, not a finite number"),
                });
            }
            if w > MAX_WEIGHT {
                return Err(Error::InvalidVector {
                    reason: format!(
                        "weight of term {id} is {w}, more than the maximum {MAX_WEIGHT:e}"
                    ),
                });
            }
            if w > 0.0 {
                v.push((id, w));
            }
        }
        v.sort_by_key(|p| p.0);
        let mut ids = Vec::with_capacity(v.len());
        let mut weights: Vec<f32> = Vec::with_capacity(v.len());
        for (id, w) in v {
            if ids.last() == Some(&id) {
                let last = weights.last_mut().expect("ids and weights have equal length");
                *last = last.max(w);
            } else {
                ids.push(id);
                weights.push(w);
            }
        }
        Ok(SparseVector { ids, weights })
    }

    /// `(term id, weight)` pairs in ascending id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.ids.iter().copied().zip(self.weights.iter().copied())
    }

    /// Number of non-zero entries.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// `true` if the vector has no entries.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The term ids, sorted ascending, unique.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// The weights, aligned with [`ids`](Self::ids); all in `(0, MAX_WEIGHT]`.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Weight of `id`, if present.
    pub fn get(&self, id: u32) -> Option<f32> {
        self.ids.binary_search(&id).ok().map(|i| self.weights[i])
    }

    /// Dot product with another vector (merge of the two sorted id lists), accumulated in
    /// ascending id order.
    pub fn dot(&self, other: &SparseVector) -> f32 {
        let (mut i, mut j, mut acc) = (0, 0, 0.0f32);
        while i < self.ids.len() && j < other.ids.len() {
            match self.ids[i].cmp(&other.ids[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    acc += self.weights[i] * other.weights[j];
                    i += 1;
                    j += 1;
                }
            }
        }
        acc
    }

    /// Builds a vector from parts that are already valid (sorted unique ids, finite weights > 0).
    pub(crate) fn from_sorted_unchecked(ids: Vec<u32>, weights: Vec<f32>) -> Self {
        debug_assert!(ids.windows(2).all(|w| w[0] < w[1]));
        debug_assert!(weights.iter().all(|w| w.is_finite() && *w > 0.0));
        SparseVector { ids, weights }
    }
}

/// The scale used to quantize a term's weights whose maximum is `max_weight`: `max_weight / 255`,
/// so the largest weight maps to 255.
///
/// ```
/// use sparrow_core::{quantization_scale, quantize, dequantize};
/// let scale = quantization_scale(2.55);
/// assert_eq!(quantize(2.55, scale), 255);
/// assert_eq!(quantize(1.0, scale), 100);
/// assert!((dequantize(100, scale) - 1.0).abs() < 1e-6);
/// ```
pub fn quantization_scale(max_weight: f32) -> f32 {
    max_weight / 255.0
}

/// Quantizes `weight` to a `u8` step of `scale`, rounding to nearest and clamping to `0..=255`.
pub fn quantize(weight: f32, scale: f32) -> u8 {
    if scale.is_nan() || scale <= 0.0 || !weight.is_finite() {
        return 0;
    }
    (weight / scale).round().clamp(0.0, 255.0) as u8
}

/// The weight a stored `u8` stands for: `q * scale`. Scoring uses exactly this value.
#[inline]
pub fn dequantize(q: u8, scale: f32) -> f32 {
    f32::from(q) * scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn from_pairs_sorts_dedups_and_drops() {
        let v =
            SparseVector::from_pairs([(5, 1.0), (1, -1.0), (5, 3.0), (2, 2.0), (5, 0.5)]).unwrap();
        assert_eq!(v.ids(), &[2, 5]);
        assert_eq!(v.weights(), &[2.0, 3.0]);
        assert_eq!(v.get(5), Some(3.0));
        assert_eq!(v.get(1), None);
    }

    #[test]
    fn non_finite_is_an_error() {
        for w in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 2e9, f32::MAX] {
            let e = SparseVector::from_pairs([(1, w)]).unwrap_err();
            assert_eq!(e.code(), "INVALID_VECTOR");
        }
    }

    #[test]
    fn serde_roundtrip_and_validation() {
        let v = SparseVector::from_pairs([(3, 0.25), (1, 2.0)]).unwrap();
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, r#"{"ids":[1,3],"weights":[2.0,0.25]}"#);
        let back: SparseVector = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
        assert!(serde_json::from_str::<SparseVector>(r#"{"ids":[1],"weights":[]}"#).is_err());
    }

    #[test]
    fn quantize_edges() {
        assert_eq!(quantize(1.0, 0.0), 0);
        assert_eq!(quantize(f32::NAN, 1.0), 0);
        assert_eq!(quantize(1000.0, 1.0), 255);
        assert_eq!(quantize(-1.0, 1.0), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn quantization_error_is_at_most_half_a_step(ws in prop::collection::vec(0.001f32..10.0, 1..50)) {
            let max = ws.iter().copied().fold(0.0f32, f32::max);
            let scale = quantization_scale(max);
            for w in ws {
                let q = quantize(w, scale);
                prop_assert!((dequantize(q, scale) - w).abs() <= scale * 0.5 + max * 1e-6);
            }
            prop_assert_eq!(quantize(max, scale), 255);
        }

        #[test]
        fn dot_matches_naive(a in prop::collection::vec((0u32..50, 0.01f32..5.0), 0..30),
                             b in prop::collection::vec((0u32..50, 0.01f32..5.0), 0..30)) {
            let a = SparseVector::from_pairs(a).unwrap();
            let b = SparseVector::from_pairs(b).unwrap();
            let mut naive = 0.0f32;
            for (id, w) in a.iter() {
                if let Some(x) = b.get(id) { naive += w * x; }
            }
            prop_assert_eq!(a.dot(&b), naive);
        }
    }
}
