//! Encoded batches: what an encoder worker hands to the index's worker (layout in
//! [`crate::format`], "Encoded batches"). Documents are encoded in parallel, each worker with its
//! own model, but the index has one owner; the vectors cross between them as these bytes, a few
//! bytes per term instead of JSON's dozens.

use super::read::{header, next_section, Reader};
use super::write::{add_section, framed, varint};
use super::*;
use crate::error::{Error, FormatError};
use crate::sparse::{SparseVector, MAX_WEIGHT};

const HAS_SPARSE: u8 = 1;
const HAS_TOKENS: u8 = 2;

/// One document's encoding: its learned-sparse vector and its text's WordPiece tokens (each when
/// the encoder produced it). See [`Document::sparse`](crate::Document::sparse) and
/// [`Document::tokens`](crate::Document::tokens).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EncodedDoc {
    /// The model's expansion of the document.
    pub sparse: Option<SparseVector>,
    /// Which WordPiece tokens the text has (sorted, unique: only which occur matters).
    pub tokens: Option<Vec<u32>>,
}

/// Writes a batch of encoded documents, in order.
pub fn write_encoded(docs: &[EncodedDoc]) -> Vec<u8> {
    let mut payload = Vec::new();
    add_section(&mut payload, SECTION_ENCODED, |b| {
        varint(b, docs.len() as u64);
        for d in docs {
            let flags = if d.sparse.is_some() { HAS_SPARSE } else { 0 }
                | if d.tokens.is_some() { HAS_TOKENS } else { 0 };
            b.push(flags);
            if let Some(v) = &d.sparse {
                varint(b, v.len() as u64);
                gaps(b, v.ids().iter().copied());
                for w in v.weights() {
                    b.extend_from_slice(&w.to_le_bytes());
                }
            }
            if let Some(t) = &d.tokens {
                let mut t = t.clone();
                t.sort_unstable();
                t.dedup();
                varint(b, t.len() as u64);
                gaps(b, t.into_iter());
            }
        }
    });
    framed(&ENCODED_MAGIC, &payload)
}

/// Ascending ids as the first id, then the gap to each next one.
fn gaps(b: &mut Vec<u8>, ids: impl Iterator<Item = u32>) {
    let mut prev: Option<u32> = None;
    for id in ids {
        varint(b, u64::from(prev.map_or(id, |p| id - p)));
        prev = Some(id);
    }
}

/// Reads a batch written by [`write_encoded`], validating everything (ids ascending and within
/// `u32`, weights finite and in `(0, MAX_WEIGHT]`).
///
/// # Errors
///
/// [`Error::Format`] for bytes that are not a valid encoded batch.
pub fn read_encoded(bytes: &[u8]) -> Result<Vec<EncodedDoc>, Error> {
    let payload = header(bytes, &ENCODED_MAGIC)?;
    let mut outer = Reader::new(payload, "payload");
    let mut r = next_section(&mut outer, SECTION_ENCODED, "encoded documents")?;
    let n = r.count(1, "document")?;
    let mut docs = Vec::with_capacity(n);
    for i in 0..n {
        let flags = r.u8()?;
        if flags & !(HAS_SPARSE | HAS_TOKENS) != 0 {
            return Err(r.corrupt(format_args!("document {i}: unknown flags {flags:#04x}")).into());
        }
        let sparse = if flags & HAS_SPARSE != 0 {
            // A term takes at least 5 bytes: a gap and its weight.
            let len = r.count(5, "term")?;
            let ids = read_gaps(&mut r, len, i)?;
            let mut weights = Vec::with_capacity(len);
            for _ in 0..len {
                let w = r.f32()?;
                if !(w.is_finite() && w > 0.0 && w <= MAX_WEIGHT) {
                    return Err(r.corrupt(format_args!("document {i}: weight {w}")).into());
                }
                weights.push(w);
            }
            Some(SparseVector::from_sorted_unchecked(ids, weights))
        } else {
            None
        };
        let tokens = if flags & HAS_TOKENS != 0 {
            let len = r.count(1, "token")?;
            Some(read_gaps(&mut r, len, i)?)
        } else {
            None
        };
        docs.push(EncodedDoc { sparse, tokens });
    }
    r.finish()?;
    outer.finish()?;
    Ok(docs)
}

/// `len` strictly ascending ids written by [`gaps`].
fn read_gaps(r: &mut Reader<'_>, len: usize, doc: usize) -> Result<Vec<u32>, FormatError> {
    let mut ids = Vec::with_capacity(len);
    let mut prev: Option<u32> = None;
    for _ in 0..len {
        let gap = r.varint()?;
        let id = match prev {
            None => u32::try_from(gap).ok(),
            Some(_) if gap == 0 => None,
            Some(p) => u32::try_from(u64::from(p) + gap).ok(),
        }
        .ok_or_else(|| r.corrupt(format_args!("document {doc}: ids not ascending within u32")))?;
        ids.push(id);
        prev = Some(id);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc() -> impl Strategy<Value = EncodedDoc> {
        (
            prop::option::of(prop::collection::vec((any::<u32>(), 0.001f32..100.0), 0..20)),
            prop::option::of(prop::collection::vec(any::<u32>(), 0..20)),
        )
            .prop_map(|(s, t)| EncodedDoc {
                sparse: s.map(|p| SparseVector::from_pairs(p).unwrap()),
                tokens: t.map(|mut t| {
                    t.sort_unstable();
                    t.dedup();
                    t
                }),
            })
    }

    proptest! {
        #[test]
        fn round_trips(docs in prop::collection::vec(doc(), 0..10)) {
            prop_assert_eq!(read_encoded(&write_encoded(&docs)).unwrap(), docs);
        }

        #[test]
        fn any_damage_is_an_error_never_a_panic(
            docs in prop::collection::vec(doc(), 1..5),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
            cut in any::<prop::sample::Index>(),
        ) {
            let bytes = write_encoded(&docs);
            let mut flipped = bytes.clone();
            let i = at.index(flipped.len());
            flipped[i] ^= byte.max(1);
            prop_assert!(read_encoded(&flipped).is_err(), "the checksum or the header catches it");
            prop_assert!(read_encoded(&bytes[..cut.index(bytes.len())]).is_err());
        }
    }

    proptest! {
        /// Random bodies behind a valid header and section frame reach the structural checks
        /// (a flipped byte alone is caught by the CRC): read or refused, never a panic, and what
        /// is read is valid (it writes back to the same bytes).
        #[test]
        fn random_bodies_are_read_or_refused(body in prop::collection::vec(any::<u8>(), 0..120)) {
            let mut payload = Vec::new();
            add_section(&mut payload, SECTION_ENCODED, |b| b.extend_from_slice(&body));
            let bytes = framed(&ENCODED_MAGIC, &payload);
            if let Ok(docs) = read_encoded(&bytes) {
                prop_assert_eq!(read_encoded(&write_encoded(&docs)).unwrap(), docs);
            }
        }
    }

    #[test]
    fn tokens_are_written_as_a_set_and_other_files_are_refused() {
        let d = EncodedDoc { sparse: None, tokens: Some(vec![9, 2, 9, 5]) };
        let back = read_encoded(&write_encoded(&[d])).unwrap();
        assert_eq!(back[0].tokens.as_deref(), Some(&[2, 5, 9][..]));
        let index = crate::Index::new(crate::IndexConfig::default()).unwrap().to_bytes();
        assert_eq!(read_encoded(&index).unwrap_err().code(), "INDEX_WRONG_KIND");
    }
}
