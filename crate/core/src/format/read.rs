//! Validating deserialization of an [`Index`] (see the layout in [`crate::format`]).

use std::collections::{BTreeMap, BTreeSet};

use roaring::RoaringBitmap;
use serde_json::{Map, Value};

use super::*;
use crate::config::{AnalyzerConfig, Bm25Params, IndexConfig};
use crate::document::{validate_id, DocRecord, Slot};
use crate::error::FormatError;
use crate::filter::FilterIndex;
use crate::hash::FxHashMap;
use crate::index::{
    Index, IndexParts, LexPostings, Lexicon, SparsePostings, TermSpace, TokenStats,
};
use crate::sparse::{quantization_scale, MAX_WEIGHT};

type Result<T> = std::result::Result<T, FormatError>;

/// Capacity to reserve for `n` items a file says are coming. Counts are already bounded by the
/// bytes left (each item takes at least a byte or more, `Reader::count`), but an item in memory
/// can be many times its smallest encoding; reserving at most this many up front means memory
/// grows only with items actually read, so a crafted count cannot reserve more than a few MB.
fn prealloc(n: usize) -> usize {
    n.min(1 << 16)
}

/// A cursor over one section's bytes; every read is bounds-checked.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    section: &'static str,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8], section: &'static str) -> Self {
        Reader { buf, pos: 0, section }
    }

    /// Bytes read so far.
    pub(super) fn position(&self) -> usize {
        self.pos
    }

    pub(super) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(super) fn corrupt(&self, what: impl std::fmt::Display) -> FormatError {
        FormatError::corrupt(format!("{} section, offset {}: {what}", self.section, self.pos))
    }

    pub(super) fn bytes(&mut self, n: u64) -> Result<&'a [u8]> {
        if n > self.remaining() as u64 {
            return Err(self.corrupt(format_args!("needs {n} bytes, {} left", self.remaining())));
        }
        let n = n as usize;
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let b = self.bytes(N as u64)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    pub(super) fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(super) fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(self.array()?))
    }

    pub(super) fn varint(&mut self) -> Result<u64> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if i == 9 && bits > 1 {
                return Err(self.corrupt("varint overflows 64 bits"));
            }
            v |= bits << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.corrupt("varint longer than 10 bytes"))
    }

    /// A count of items that each take at least `min_bytes`, checked against what is left so a
    /// corrupt count cannot trigger a huge allocation.
    pub(super) fn count(&mut self, min_bytes: u64, what: &str) -> Result<usize> {
        let n = self.varint()?;
        if n.saturating_mul(min_bytes) > self.remaining() as u64 {
            return Err(self.corrupt(format_args!(
                "{what} count {n} cannot fit in the {} bytes left",
                self.remaining()
            )));
        }
        Ok(n as usize)
    }

    pub(super) fn string(&mut self, what: &str) -> Result<&'a str> {
        let n = self.varint()?;
        let b = self.bytes(n)?;
        std::str::from_utf8(b).map_err(|e| self.corrupt(format_args!("{what} is not UTF-8: {e}")))
    }

    pub(super) fn bitmap(&mut self, what: &str, slots: usize) -> Result<RoaringBitmap> {
        let n = self.varint()?;
        let mut b = self.bytes(n)?;
        let bitmap = RoaringBitmap::deserialize_from(&mut b)
            .map_err(|e| self.corrupt(format_args!("{what}: bad roaring bitmap: {e}")))?;
        if !b.is_empty() {
            return Err(
                self.corrupt(format_args!("{what}: {} trailing bytes after the bitmap", b.len()))
            );
        }
        if let Some(max) = bitmap.max() {
            if max as usize >= slots {
                return Err(
                    self.corrupt(format_args!("{what}: doc id {max} >= {slots} document slots"))
                );
            }
        }
        Ok(bitmap)
    }

    /// A posting list written by `write::doc_ids`: at least one id, strictly increasing, each
    /// below `slots`.
    pub(super) fn doc_ids(&mut self, what: &str, slots: usize) -> Result<RoaringBitmap> {
        // Each id takes at least one byte, so the count is bounded by what is left.
        let n = self.count(1, what)?;
        if n == 0 {
            return Err(self.corrupt(format_args!("{what}: no documents")));
        }
        let mut ids = Vec::with_capacity(prealloc(n));
        let mut next = 0u64;
        for i in 0..n {
            let v = self.varint()?;
            if i > 0 && v == 0 {
                return Err(self.corrupt(format_args!("{what}: document ids not increasing")));
            }
            next = next.saturating_add(v);
            if next >= slots as u64 {
                return Err(
                    self.corrupt(format_args!("{what}: doc id {next} >= {slots} document slots"))
                );
            }
            ids.push(next as u32);
        }
        RoaringBitmap::from_sorted_iter(ids).map_err(|e| self.corrupt(format_args!("{what}: {e}")))
    }

    pub(super) fn finish(&self) -> Result<()> {
        if self.remaining() != 0 {
            return Err(
                self.corrupt(format_args!("{} unexpected trailing bytes", self.remaining()))
            );
        }
        Ok(())
    }
}

/// Validates the header of a file of the kind that starts with `magic` and returns the payload.
/// Another Sparrow kind's magic is [`FormatError::WrongKind`], anything else
/// [`FormatError::BadMagic`]; only [`FORMAT_VERSION`] is accepted.
pub(super) fn header<'a>(bytes: &'a [u8], magic: &[u8; 8]) -> Result<&'a [u8]> {
    header_versions(bytes, magic, FORMAT_VERSION).map(|(_, payload)| payload)
}

/// [`header`], accepting versions `oldest..=FORMAT_VERSION`; returns the version too.
pub(super) fn header_versions<'a>(
    bytes: &'a [u8],
    magic: &[u8; 8],
    oldest: u16,
) -> Result<(u16, &'a [u8])> {
    let available = bytes.len() as u64;
    let truncated = |needed: u64| FormatError::Truncated { needed, available };
    if bytes.len() < MAGIC.len() {
        return if magic.starts_with(bytes) {
            Err(truncated(HEADER_LEN as u64))
        } else {
            Err(FormatError::BadMagic)
        };
    }
    if bytes[..MAGIC.len()] != magic[..] {
        return Err(match (kind_of(&bytes[..MAGIC.len()]), kind_of(magic)) {
            (Some(found), Some(expected)) => FormatError::WrongKind { expected, found },
            _ => FormatError::BadMagic,
        });
    }
    // The version comes before the rest of the header, whose layout it may change.
    if bytes.len() < MAGIC.len() + 2 {
        return Err(truncated(HEADER_LEN as u64));
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if !(oldest..=FORMAT_VERSION).contains(&version) {
        return Err(FormatError::UnsupportedVersion { found: version, supported: FORMAT_VERSION });
    }
    if bytes.len() < HEADER_LEN {
        return Err(truncated(HEADER_LEN as u64));
    }
    let flags = u16::from_le_bytes([bytes[10], bytes[11]]);
    if flags != 0 {
        return Err(FormatError::corrupt(format!("unknown header flags {flags:#06x}")));
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[12..20]);
    let payload_len = u64::from_le_bytes(len);
    let mut crc = [0u8; 4];
    crc.copy_from_slice(&bytes[20..24]);
    let expected = u32::from_le_bytes(crc);
    let payload = &bytes[HEADER_LEN..];
    let needed = (HEADER_LEN as u64).saturating_add(payload_len);
    if (payload.len() as u64) < payload_len {
        return Err(truncated(needed));
    }
    if (payload.len() as u64) > payload_len {
        return Err(FormatError::corrupt(format!(
            "{} trailing bytes after the {payload_len}-byte payload",
            payload.len() as u64 - payload_len
        )));
    }
    let found = crc32fast::hash(payload);
    if found != expected {
        return Err(FormatError::ChecksumMismatch { expected, found });
    }
    Ok((version, payload))
}

/// The next `tag: u8, len: varint, body` section of `outer`, which must be `tag`.
pub(super) fn next_section<'a>(
    outer: &mut Reader<'a>,
    tag: u8,
    name: &'static str,
) -> Result<Reader<'a>> {
    let found = outer.u8()?;
    if found != tag {
        return Err(
            outer.corrupt(format_args!("expected section {tag} ({name}), found tag {found}"))
        );
    }
    let len = outer.varint()?;
    Ok(Reader::new(outer.bytes(len)?, name))
}

pub(crate) fn read(bytes: &[u8]) -> Result<Index> {
    // Version 1 is version 2 without the terms section (its sparse ids were always model ids).
    let (version, payload) = header_versions(bytes, &MAGIC, 1)?;
    let mut outer = Reader::new(payload, "payload");
    let mut next_section = |tag: u8, name: &'static str| next_section(&mut outer, tag, name);

    let config = read_config(&mut next_section(SECTION_CONFIG, "config")?)?;
    let docs = read_docs(&mut next_section(SECTION_DOCS, "documents")?, None)?;
    let slots = docs.len();
    let doc_lens = read_lengths(&mut next_section(SECTION_LENGTHS, "lengths")?, Some(slots))?;
    let lexicon = read_lexicon(&mut next_section(SECTION_LEXICON, "lexicon")?, slots, version)?;
    let sparse = read_sparse(&mut next_section(SECTION_SPARSE, "sparse")?, slots, version)?;
    let mut r = next_section(SECTION_TOMBSTONES, "tombstones")?;
    let deleted = r.bitmap("tombstones", slots)?;
    r.finish()?;
    let (term_space, token_stats) = if version >= 2 {
        let terms = read_terms(&mut next_section(SECTION_TERMS, "terms")?)?;
        (terms, read_tokens(&mut next_section(SECTION_TOKENS, "tokens")?)?)
    } else {
        (TermSpace::Unknown, TokenStats::default())
    };
    outer.finish()?;
    let parts = IndexParts {
        config,
        docs,
        doc_lens,
        deleted,
        lexicon,
        sparse,
        term_space,
        token_stats,
        base: None,
    };
    Index::from_parts(parts).map_err(FormatError::corrupt)
}

/// Section 15: token document frequencies (ids ascending, each count at least 1).
pub(super) fn read_tokens(r: &mut Reader<'_>) -> Result<TokenStats> {
    let documents = r.varint()?;
    let documents =
        u32::try_from(documents).map_err(|_| r.corrupt(format_args!("{documents} documents")))?;
    let n = r.count(2, "token")?;
    let mut df = FxHashMap::default();
    df.reserve(prealloc(n));
    let mut id = 0u64;
    for i in 0..n {
        let gap = r.varint()?;
        if i > 0 && gap == 0 {
            return Err(r.corrupt("token ids are not ascending"));
        }
        // Checked: a crafted gap near u64::MAX must not wrap around to a small id.
        id = match id.checked_add(gap) {
            Some(next) if next <= u64::from(u32::MAX) => next,
            _ => return Err(r.corrupt(format_args!("token id {id} + {gap} is out of range"))),
        };
        let count = r.varint()?;
        // A shard's section counts no documents (the base does): its counts are checked
        // against the base's total when the shard is loaded.
        if count == 0 || (documents > 0 && count > u64::from(documents)) {
            return Err(
                r.corrupt(format_args!("token {id}: df {count} with {documents} documents"))
            );
        }
        df.insert(id as u32, count as u32);
    }
    r.finish()?;
    Ok(TokenStats { documents, df })
}

pub(super) fn read_terms(r: &mut Reader<'_>) -> Result<TermSpace> {
    let kind = r.u8()?;
    let vocab_crc = r.u32()?;
    r.finish()?;
    match kind {
        TERMS_UNDECLARED if vocab_crc == 0 => Ok(TermSpace::Unknown),
        TERMS_MODEL_IDS => Ok(TermSpace::ModelIds { vocab_crc }),
        TERMS_VOCAB_RANKS => Ok(TermSpace::VocabRanks { vocab_crc }),
        _ => Err(r.corrupt(format_args!("unknown term space {kind} (crc {vocab_crc:#010x})"))),
    }
}

/// A sharded base's stored filter bitmaps over `slots` document slots.
pub(super) fn read_filters(r: &mut Reader<'_>, slots: usize) -> Result<FilterIndex> {
    let filterable = match r.u8()? {
        1 => None,
        0 => {
            let n = r.count(1, "filterable field")?;
            let mut names = BTreeSet::new();
            for _ in 0..n {
                names.insert(r.string("filterable field")?.to_owned());
            }
            Some(names)
        }
        other => return Err(r.corrupt(format_args!("unknown filterable flag {other}"))),
    };
    let mut tags = BTreeMap::new();
    for _ in 0..r.count(10, "tag")? {
        let tag = r.string("tag")?.to_owned();
        let docs = r.bitmap("tag bitmap", slots)?;
        if tags.insert(tag, docs).is_some() {
            return Err(r.corrupt("a tag occurs twice"));
        }
    }
    let mut fields = BTreeMap::new();
    for _ in 0..r.count(2, "field")? {
        let name = r.string("field")?.to_owned();
        let mut values = BTreeMap::new();
        for _ in 0..r.count(10, "field value")? {
            let key = r.string("field value")?.to_owned();
            let docs = r.bitmap("field value bitmap", slots)?;
            if values.insert(key, docs).is_some() {
                return Err(r.corrupt(format_args!("field {name:?} has a value twice")));
            }
        }
        if filterable.as_ref().is_some_and(|f| !f.contains(&name)) {
            return Err(
                r.corrupt(format_args!("bitmaps for field {name:?}, which is not filterable"))
            );
        }
        if fields.insert(name, values).is_some() {
            return Err(r.corrupt("a field occurs twice"));
        }
    }
    r.finish()?;
    Ok(FilterIndex { tags, fields, filterable })
}

pub(super) fn read_config(r: &mut Reader<'_>) -> Result<IndexConfig> {
    let flags = r.u8()?;
    if flags & !(CONFIG_STEMMING | CONFIG_STOPWORDS | CONFIG_STORE_TEXT) != 0 {
        return Err(r.corrupt(format_args!("unknown config flags {flags:#04x}")));
    }
    let bm25 = Bm25Params { k1: r.f32()?, b: r.f32()? };
    let max_text_bytes = usize::try_from(r.varint()?).unwrap_or(usize::MAX);
    r.finish()?;
    let config = IndexConfig {
        analyzer: AnalyzerConfig {
            stemming: flags & CONFIG_STEMMING != 0,
            stopwords: flags & CONFIG_STOPWORDS != 0,
        },
        bm25,
        store_text: flags & CONFIG_STORE_TEXT != 0,
        max_text_bytes,
    };
    config.validate().map_err(|e| r.corrupt(e))?;
    Ok(config)
}

/// A documents section; `expected`: the number of slots it must have (a fragment's).
pub(super) fn read_docs(r: &mut Reader<'_>, expected: Option<usize>) -> Result<Vec<Slot>> {
    let slots = r.count(1, "document")?;
    if slots > u32::MAX as usize {
        return Err(r.corrupt("more than u32::MAX document slots"));
    }
    if let Some(n) = expected.filter(|&n| n != slots) {
        return Err(r.corrupt(format_args!("{slots} document slots, expected {n}")));
    }
    let mut docs = Vec::with_capacity(prealloc(slots));
    for _ in 0..slots {
        let flags = r.u8()?;
        if flags & DOC_LIVE == 0 {
            if flags != 0 {
                return Err(r.corrupt(format_args!("removed slot with flags {flags:#04x}")));
            }
            docs.push(None);
            continue;
        }
        if flags & !(DOC_LIVE | DOC_TITLE | DOC_TEXT | DOC_URL | DOC_SPARSE) != 0 {
            return Err(r.corrupt(format_args!("unknown document flags {flags:#04x}")));
        }
        let id = r.string("document id")?.to_owned();
        validate_id(&id).map_err(|e| r.corrupt(e))?;
        let mut opt = |bit: u8, what: &str| -> Result<Option<String>> {
            Ok(if flags & bit != 0 { Some(r.string(what)?.to_owned()) } else { None })
        };
        let title = opt(DOC_TITLE, "title")?;
        let text = opt(DOC_TEXT, "text")?;
        let url = opt(DOC_URL, "url")?;
        let n_tags = r.count(1, "tag")?;
        let mut tags = Vec::with_capacity(prealloc(n_tags));
        for _ in 0..n_tags {
            tags.push(r.string("tag")?.to_owned());
        }
        let json = r.string("fields")?;
        let fields = if json.is_empty() {
            Map::new()
        } else {
            match serde_json::from_str::<Value>(json) {
                Ok(Value::Object(m)) => m,
                Ok(_) => return Err(r.corrupt("fields are not a JSON object")),
                Err(e) => return Err(r.corrupt(format_args!("fields are not valid JSON: {e}"))),
            }
        };
        docs.push(Some(Box::new(DocRecord {
            id,
            title,
            text,
            url,
            tags,
            fields,
            has_sparse: flags & DOC_SPARSE != 0,
        })));
    }
    r.finish()?;
    Ok(docs)
}

/// A lengths section; `slots`: the number of lengths it must have (the documents section's).
pub(super) fn read_lengths(r: &mut Reader<'_>, slots: Option<usize>) -> Result<Vec<u32>> {
    let n = r.count(1, "length")?;
    if let Some(slots) = slots.filter(|&s| s != n) {
        return Err(r.corrupt(format_args!("{n} lengths for {slots} document slots")));
    }
    if n > u32::MAX as usize {
        return Err(r.corrupt("more than u32::MAX document slots"));
    }
    let mut lens = Vec::with_capacity(prealloc(n));
    for _ in 0..n {
        let len = r.varint()?;
        lens.push(
            u32::try_from(len).map_err(|_| r.corrupt(format_args!("length {len} > u32::MAX")))?,
        );
    }
    r.finish()?;
    Ok(lens)
}

/// Doc ids of one posting list: version 1 wrote a bitmap, version 2 gaps (`doc_ids`).
fn postings_docs(
    r: &mut Reader<'_>,
    version: u16,
    what: &str,
    slots: usize,
) -> Result<RoaringBitmap> {
    if version >= 2 {
        return r.doc_ids(what, slots);
    }
    let docs = r.bitmap(what, slots)?;
    if docs.is_empty() {
        return Err(r.corrupt(format_args!("{what}: no documents")));
    }
    Ok(docs)
}

pub(super) fn read_lexicon(r: &mut Reader<'_>, slots: usize, version: u16) -> Result<Lexicon> {
    // A term takes at least: a string length, a count and an id, a tf.
    let n = r.count(4, "term")?;
    let mut lexicon = Lexicon { terms: Vec::with_capacity(prealloc(n)), ..Default::default() };
    for _ in 0..n {
        let term = r.string("term")?;
        if term.is_empty() {
            return Err(r.corrupt("empty term"));
        }
        let docs = postings_docs(r, version, "term postings", slots)?;
        let card = docs.len();
        if card > r.remaining() as u64 {
            return Err(r.corrupt(format_args!("term {term:?}: {card} tfs cannot fit")));
        }
        let mut tfs = Vec::with_capacity(prealloc(card as usize));
        for _ in 0..card {
            let tf = r.varint()?;
            if tf == 0 || tf > u64::from(u16::MAX) {
                return Err(
                    r.corrupt(format_args!("term {term:?}: term frequency {tf} out of 1..=65535"))
                );
            }
            tfs.push(tf as u16);
        }
        lexicon.terms.push((term.into(), LexPostings { docs, tfs }));
    }
    r.finish()?;
    if !lexicon.rebuild_lookup() {
        return Err(r.corrupt("a term occurs twice in the lexicon"));
    }
    Ok(lexicon)
}

pub(super) fn read_sparse(
    r: &mut Reader<'_>,
    slots: usize,
    version: u16,
) -> Result<FxHashMap<u32, SparsePostings>> {
    // A term takes at least: id gap 1 + scale 4 + a count and an id + a weight.
    let n = r.count(8, "sparse term")?;
    let mut sparse = FxHashMap::with_capacity_and_hasher(prealloc(n), Default::default());
    let mut last: Option<u32> = None;
    for _ in 0..n {
        let id = if version >= 2 {
            let gap = r.varint()?;
            if last.is_some() && gap == 0 {
                return Err(r.corrupt("sparse term ids not strictly increasing"));
            }
            u32::try_from(u64::from(last.unwrap_or(0)).saturating_add(gap))
                .map_err(|_| r.corrupt(format_args!("sparse term id gap {gap} overflows u32")))?
        } else {
            let id = r.u32()?;
            if last.is_some_and(|l| id <= l) {
                return Err(
                    r.corrupt(format_args!("sparse term ids not strictly increasing at {id}"))
                );
            }
            id
        };
        last = Some(id);
        let scale = r.f32()?;
        if !(scale > 0.0 && scale <= quantization_scale(MAX_WEIGHT)) {
            return Err(r.corrupt(format_args!(
                "sparse term {id}: scale {scale} is not in (0, {}]",
                quantization_scale(MAX_WEIGHT)
            )));
        }
        let docs = postings_docs(r, version, "sparse postings", slots)?;
        let weights = r.bytes(docs.len())?.to_vec();
        sparse.insert(id, SparsePostings { scale, docs, weights });
    }
    r.finish()?;
    Ok(sparse)
}
