//! Serialization of an [`Index`] (see the layout in [`crate::format`]).

use roaring::RoaringBitmap;

use super::*;
use crate::document::{DocRecord, Slot};
use crate::filter::FilterIndex;
use crate::index::{IndexView, TermSpace, TokenStats};

/// Appends unsigned LEB128.
pub(crate) fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub(super) fn string(out: &mut Vec<u8>, s: &str) {
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

pub(super) fn bitmap(out: &mut Vec<u8>, b: &RoaringBitmap) {
    varint(out, b.serialized_size() as u64);
    b.serialize_into(&mut *out).expect("writing to a Vec cannot fail");
}

/// A posting list's documents: count, then the first id and the gaps to each next one, as
/// varints. Small gaps are one byte and repeat, so shards compress to a fraction of roaring's
/// portable form (fetched over the network, that is what counts); the reader builds the bitmap.
pub(super) fn doc_ids(out: &mut Vec<u8>, b: &RoaringBitmap) {
    varint(out, b.len());
    let mut prev: Option<u32> = None;
    for d in b {
        varint(out, u64::from(prev.map_or(d, |p| d - p)));
        prev = Some(d);
    }
}

pub(super) fn section(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
    out.push(tag);
    varint(out, body.len() as u64);
    out.extend_from_slice(body);
}

/// Appends section `tag` whose body `fill` writes.
pub(super) fn add_section(payload: &mut Vec<u8>, tag: u8, fill: impl FnOnce(&mut Vec<u8>)) {
    let mut body = Vec::new();
    fill(&mut body);
    section(payload, tag, &body);
}

pub(crate) fn write(index: &IndexView<'_>) -> Vec<u8> {
    let mut payload = Vec::new();
    add_section(&mut payload, SECTION_CONFIG, |b| config_section(b, index));
    add_section(&mut payload, SECTION_DOCS, |b| docs_section(b, index.docs));
    add_section(&mut payload, SECTION_LENGTHS, |b| lengths_section(b, index));
    add_section(&mut payload, SECTION_LEXICON, |b| lexicon_section(b, index, |_| true));
    add_section(&mut payload, SECTION_SPARSE, |b| sparse_section(b, index, |_| true));
    add_section(&mut payload, SECTION_TOMBSTONES, |b| tombstones_section(b, index));
    add_section(&mut payload, SECTION_TERMS, |b| terms_section(b, index.term_space));
    add_section(&mut payload, SECTION_TOKENS, |b| {
        tokens_section(b, index.token_stats.documents, index.token_stats, |_| true);
    });
    framed(&MAGIC, &payload)
}

/// Section 15: `documents`, then the token counts `keep` selects, ascending by id.
pub(super) fn tokens_section(
    body: &mut Vec<u8>,
    documents: u32,
    stats: &TokenStats,
    keep: impl Fn(u32) -> bool,
) {
    varint(body, u64::from(documents));
    let pairs: Vec<(u32, u32)> = stats.sorted().into_iter().filter(|(id, _)| keep(*id)).collect();
    varint(body, pairs.len() as u64);
    let mut prev = 0u32;
    for (i, (id, df)) in pairs.into_iter().enumerate() {
        varint(body, u64::from(if i == 0 { id } else { id - prev }));
        varint(body, u64::from(df));
        prev = id;
    }
}

/// Bytes of the lexicon and sparse sections: what a sharded index's shards hold in all.
pub(crate) fn postings_len(index: &IndexView<'_>) -> usize {
    let mut body = Vec::new();
    lexicon_section(&mut body, index, |_| true);
    let lexicon = body.len();
    body.clear();
    sparse_section(&mut body, index, |_| true);
    lexicon + body.len()
}

pub(super) fn terms_section(body: &mut Vec<u8>, space: TermSpace) {
    let (kind, crc) = match space {
        TermSpace::Unknown => (TERMS_UNDECLARED, 0),
        TermSpace::ModelIds { vocab_crc } => (TERMS_MODEL_IDS, vocab_crc),
        TermSpace::VocabRanks { vocab_crc } => (TERMS_VOCAB_RANKS, vocab_crc),
    };
    body.push(kind);
    body.extend_from_slice(&crc.to_le_bytes());
}

/// The filter bitmaps a sharded base stores.
pub(super) fn filters_section(body: &mut Vec<u8>, filters: &FilterIndex) {
    match &filters.filterable {
        None => body.push(1),
        Some(names) => {
            body.push(0);
            varint(body, names.len() as u64);
            for n in names {
                string(body, n);
            }
        }
    }
    varint(body, filters.tags.len() as u64);
    for (tag, docs) in &filters.tags {
        string(body, tag);
        bitmap(body, docs);
    }
    varint(body, filters.fields.len() as u64);
    for (name, values) in &filters.fields {
        string(body, name);
        varint(body, values.len() as u64);
        for (key, docs) in values {
            string(body, key);
            bitmap(body, docs);
        }
    }
}

/// Header (`magic`, [`FORMAT_VERSION`], flags 0, length, CRC-32) + payload.
pub(super) fn framed(magic: &[u8; 8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

pub(super) fn config_section(body: &mut Vec<u8>, index: &IndexView<'_>) {
    let c = index.config;
    let mut flags = 0u8;
    if c.analyzer.stemming {
        flags |= CONFIG_STEMMING;
    }
    if c.analyzer.stopwords {
        flags |= CONFIG_STOPWORDS;
    }
    if c.store_text {
        flags |= CONFIG_STORE_TEXT;
    }
    body.push(flags);
    body.extend_from_slice(&c.bm25.k1.to_le_bytes());
    body.extend_from_slice(&c.bm25.b.to_le_bytes());
    varint(body, c.max_text_bytes as u64);
}

/// The documents of `slots` (all of an index's, or a fragment's).
pub(super) fn docs_section(body: &mut Vec<u8>, slots: &[Slot]) {
    varint(body, slots.len() as u64);
    for slot in slots {
        doc_record(body, slot.as_deref());
    }
}

/// One slot of a documents section (a removed slot is one zero byte).
pub(super) fn doc_record(body: &mut Vec<u8>, slot: Option<&DocRecord>) {
    {
        let Some(d) = slot else {
            body.push(0);
            return;
        };
        let mut flags = DOC_LIVE;
        if d.title.is_some() {
            flags |= DOC_TITLE;
        }
        if d.text.is_some() {
            flags |= DOC_TEXT;
        }
        if d.url.is_some() {
            flags |= DOC_URL;
        }
        if d.has_sparse {
            flags |= DOC_SPARSE;
        }
        body.push(flags);
        string(body, &d.id);
        for s in [&d.title, &d.text, &d.url].into_iter().flatten() {
            string(body, s);
        }
        varint(body, d.tags.len() as u64);
        for t in &d.tags {
            string(body, t);
        }
        if d.fields.is_empty() {
            string(body, "");
        } else {
            let json = serde_json::to_string(&d.fields).unwrap_or_else(|_| "{}".to_owned());
            string(body, &json);
        }
    }
}

pub(super) fn lengths_section(body: &mut Vec<u8>, index: &IndexView<'_>) {
    varint(body, index.doc_lens.len() as u64);
    for &len in index.doc_lens {
        varint(body, u64::from(len));
    }
}

/// Lexicon terms (term-id order) for which `keep(term)` holds.
pub(super) fn lexicon_section(
    body: &mut Vec<u8>,
    index: &IndexView<'_>,
    keep: impl Fn(&str) -> bool,
) {
    let terms: Vec<_> = index.lexicon.terms.iter().filter(|(t, _)| keep(t)).collect();
    varint(body, terms.len() as u64);
    for (term, p) in terms {
        string(body, term);
        doc_ids(body, &p.docs);
        for &tf in &p.tfs {
            varint(body, u64::from(tf));
        }
    }
}

/// Sparse terms (ascending id) for which `keep(id)` holds; terms without postings carry no
/// information and are skipped.
pub(super) fn sparse_section(
    body: &mut Vec<u8>,
    index: &IndexView<'_>,
    keep: impl Fn(u32) -> bool,
) {
    let terms: Vec<_> =
        index.sparse.iter().filter(|(id, p)| !p.docs.is_empty() && keep(*id)).collect();
    varint(body, terms.len() as u64);
    let mut prev: Option<u32> = None;
    for &(id, p) in terms {
        varint(body, u64::from(prev.map_or(id, |p| id - p)));
        prev = Some(id);
        body.extend_from_slice(&p.scale.to_le_bytes());
        doc_ids(body, &p.docs);
        body.extend_from_slice(&p.weights);
    }
}

pub(super) fn tombstones_section(body: &mut Vec<u8>, index: &IndexView<'_>) {
    bitmap(body, index.deleted);
}
