//! Posting lists: a roaring bitmap of doc ids plus a column of per-posting values (BM25 term
//! frequencies or quantized sparse weights) aligned with the bitmap's ascending order.
//!
//! Doc ids are assigned in insertion order, so a new document's id is larger than every id in
//! every list and adding a posting is an append to both the bitmap and the column. Removal never
//! touches postings (see [`Index::remove`](crate::Index::remove)); [`Index::vacuum`](crate::Index::vacuum)
//! rewrites them.

use roaring::RoaringBitmap;

use crate::document::DocId;
use crate::hash::FxHashMap;
use crate::sparse::{dequantize, quantization_scale, quantize};

/// Postings of one BM25 term.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LexPostings {
    pub(crate) docs: RoaringBitmap,
    /// Term frequency per posting, saturated at `u16::MAX` (BM25 saturates long before).
    pub(crate) tfs: Vec<u16>,
}

impl LexPostings {
    pub(crate) fn new() -> Self {
        LexPostings { docs: RoaringBitmap::new(), tfs: Vec::new() }
    }

    pub(crate) fn push(&mut self, doc: DocId, tf: u32) {
        // Doc ids only grow, so this appends; the column stays aligned even if it did not.
        if self.docs.try_push(doc).is_ok() {
            self.tfs.push(u16::try_from(tf).unwrap_or(u16::MAX));
        }
    }

    /// Term frequency of `doc`, if it has a posting here.
    pub(crate) fn tf(&self, doc: DocId) -> Option<u32> {
        if !self.docs.contains(doc) {
            return None;
        }
        let i = usize::try_from(self.docs.rank(doc) - 1).ok()?;
        self.tfs.get(i).copied().map(u32::from)
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.docs.serialized_size() + self.tfs.capacity() * 2
    }
}

/// The BM25 vocabulary: term string ↔ dense term id (first-seen order), with postings.
///
/// The `HashMap` is only for lookup; everything written to bytes follows term-id order, so the
/// serialized index does not depend on hash iteration order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lexicon {
    pub(crate) terms: Vec<(Box<str>, LexPostings)>,
    pub(crate) lookup: FxHashMap<Box<str>, u32>,
}

impl Lexicon {
    pub(crate) fn get(&self, term: &str) -> Option<u32> {
        self.lookup.get(term).copied()
    }

    pub(crate) fn get_or_insert(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.lookup.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.terms.push((term.into(), LexPostings::new()));
        self.lookup.insert(term.into(), id);
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.terms.len()
    }

    /// Rebuilds the lookup table from `terms`; `false` if a term occurs twice.
    pub(crate) fn rebuild_lookup(&mut self) -> bool {
        self.lookup = FxHashMap::with_capacity_and_hasher(self.terms.len(), Default::default());
        for (i, (t, _)) in self.terms.iter().enumerate() {
            if self.lookup.insert(t.clone(), i as u32).is_some() {
                return false;
            }
        }
        true
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.terms.iter().map(|(t, p)| 2 * t.len() + 48 + p.heap_bytes()).sum::<usize>()
            + self.terms.capacity() * 56
            + self.lookup.capacity() * 24
    }
}

/// Postings of one sparse vocabulary id: `u8` weights with one scale (`max weight / 255`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SparsePostings {
    pub(crate) scale: f32,
    pub(crate) docs: RoaringBitmap,
    pub(crate) weights: Vec<u8>,
}

impl SparsePostings {
    pub(crate) fn new(max_weight: f32) -> Self {
        SparsePostings {
            scale: quantization_scale(max_weight),
            docs: RoaringBitmap::new(),
            weights: Vec::new(),
        }
    }

    /// Makes room for a weight up to `max_weight`: if it needs a larger scale, every stored
    /// weight is re-quantized to the new scale (`quantize(dequantize(q, old), new)`).
    pub(crate) fn ensure_max(&mut self, max_weight: f32) {
        let wanted = quantization_scale(max_weight);
        if wanted > self.scale {
            let old = self.scale;
            for q in &mut self.weights {
                *q = quantize(dequantize(*q, old), wanted);
            }
            self.scale = wanted;
        }
    }

    /// Appends `doc` with `weight` (after [`ensure_max`](Self::ensure_max)); a weight that
    /// quantizes to 0 is not stored, as it can never contribute.
    pub(crate) fn push(&mut self, doc: DocId, weight: f32) {
        let q = quantize(weight, self.scale);
        if q > 0 && self.docs.try_push(doc).is_ok() {
            self.weights.push(q);
        }
    }

    /// Stored (quantized) weight of `doc`, if any.
    pub(crate) fn weight(&self, doc: DocId) -> Option<u8> {
        if !self.docs.contains(doc) {
            return None;
        }
        let i = usize::try_from(self.docs.rank(doc) - 1).ok()?;
        self.weights.get(i).copied()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.docs.serialized_size() + self.weights.capacity() + 48
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lex_postings_tf_lookup() {
        let mut p = LexPostings::new();
        p.push(1, 3);
        p.push(5, 100_000);
        p.push(70_000, 1);
        assert_eq!(p.tf(1), Some(3));
        assert_eq!(p.tf(5), Some(u32::from(u16::MAX)));
        assert_eq!(p.tf(70_000), Some(1));
        assert_eq!(p.tf(2), None);
    }

    #[test]
    fn sparse_rescale() {
        let mut p = SparsePostings::new(1.0);
        p.push(0, 1.0);
        p.push(1, 0.5);
        p.push(2, 0.001); // quantizes to 0: not stored
        let s1 = quantization_scale(1.0);
        assert_eq!(p.weights, vec![255, quantize(0.5, s1)]);
        assert_eq!(p.docs.len(), 2);
        p.ensure_max(2.0);
        let s2 = quantization_scale(2.0);
        assert_eq!(p.scale, s2);
        let expected = vec![
            quantize(dequantize(255, s1), s2),
            quantize(dequantize(quantize(0.5, s1), s1), s2),
        ];
        assert_eq!(p.weights, expected);
        assert!((dequantize(p.weights[0], s2) - 1.0).abs() <= s2);
        p.ensure_max(1.5); // smaller: no change
        assert_eq!(p.weights, expected);
        p.push(3, 2.0);
        assert_eq!(p.weight(3), Some(255));
        assert_eq!(p.weight(2), None);
    }

    #[test]
    fn lexicon_ids_are_first_seen() {
        let mut l = Lexicon::default();
        assert_eq!(l.get_or_insert("b"), 0);
        assert_eq!(l.get_or_insert("a"), 1);
        assert_eq!(l.get_or_insert("b"), 0);
        assert_eq!(l.get("a"), Some(1));
        assert_eq!(l.len(), 2);
        assert!(l.rebuild_lookup());
        l.terms.push(("a".into(), LexPostings::new()));
        assert!(!l.rebuild_lookup());
    }
}
