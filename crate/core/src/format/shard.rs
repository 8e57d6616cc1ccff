//! Sharded indexes: writing a base + postings shards, reading them back (layout in
//! [`crate::format`], "Sharded indexes").

use super::read::{
    assemble, header, next_section, read_config, read_docs, read_lengths, read_lexicon,
    read_sparse, Reader,
};
use super::write::{
    document_sections, framed, lexicon_section, section, sparse_section, tombstones_section, varint,
};
use super::*;
use crate::error::FormatError;
use crate::index::{lexical_shard, sparse_shard, Index, LexPostings, ShardState, SparsePostings};

type Result<T> = std::result::Result<T, FormatError>;

/// Writes the base and the `count` shards (`count` already validated).
pub(crate) fn write(index: &Index, count: u32) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut payload = Vec::new();
    let mut body = Vec::new();
    document_sections(&mut payload, &mut body, index);
    tombstones_section(&mut body, index);
    section(&mut payload, SECTION_TOMBSTONES, &body);
    body.clear();
    varint(&mut body, u64::from(count));
    body.push(SHARD_HASH_FNV1A);
    section(&mut payload, SECTION_SHARDING, &body);
    let base_crc = crc32fast::hash(&payload);
    let base = framed(&BASE_MAGIC, &payload);

    let shards = (0..count)
        .map(|shard| {
            let mut payload = Vec::new();
            let mut body = Vec::new();
            body.extend_from_slice(&base_crc.to_le_bytes());
            varint(&mut body, u64::from(shard));
            varint(&mut body, u64::from(count));
            section(&mut payload, SECTION_SHARD, &body);
            body.clear();
            lexicon_section(&mut body, index, |t| lexical_shard(t, count) == shard);
            section(&mut payload, SECTION_LEXICON, &body);
            body.clear();
            sparse_section(&mut body, index, |id| sparse_shard(id, count) == shard);
            section(&mut payload, SECTION_SPARSE, &body);
            framed(&SHARD_MAGIC, &payload)
        })
        .collect();
    (base, shards)
}

/// Reads a base: an index with documents and statistics but no postings, expecting its shards.
pub(crate) fn read_base(bytes: &[u8]) -> Result<Index> {
    let payload = header(bytes, &BASE_MAGIC)?;
    let base_crc = crc32fast::hash(payload);
    let mut outer = Reader::new(payload, "payload");
    let config = read_config(&mut next_section(&mut outer, SECTION_CONFIG, "config")?)?;
    let docs = read_docs(&mut next_section(&mut outer, SECTION_DOCS, "documents")?)?;
    let slots = docs.len();
    let doc_lens = read_lengths(&mut next_section(&mut outer, SECTION_LENGTHS, "lengths")?, slots)?;
    let mut r = next_section(&mut outer, SECTION_TOMBSTONES, "tombstones")?;
    let deleted = r.bitmap("tombstones", slots)?;
    r.finish()?;
    let mut r = next_section(&mut outer, SECTION_SHARDING, "sharding")?;
    let count = r.varint()?;
    if count == 0 || count > u64::from(MAX_SHARDS) {
        return Err(r.corrupt(format_args!("shard count {count} is not in 1..={MAX_SHARDS}")));
    }
    let hash = r.u8()?;
    if hash != SHARD_HASH_FNV1A {
        return Err(r.corrupt(format_args!("unknown shard hash {hash}")));
    }
    r.finish()?;
    outer.finish()?;
    let shards = ShardState { count: count as u32, base_crc, loaded: vec![false; count as usize] };
    assemble(config, docs, doc_lens, deleted, Default::default(), Default::default(), Some(shards))
}

/// A shard's postings, validated against the base it is loaded into.
pub(crate) struct ShardData {
    pub(crate) shard: u32,
    /// `None` when the shard is already loaded (nothing to add).
    pub(crate) postings: Option<ShardPostings>,
}

pub(crate) type ShardPostings = (Vec<(Box<str>, LexPostings)>, Vec<(u32, SparsePostings)>);

/// Reads a shard for `state`'s base over `slots` document slots.
pub(crate) fn read_shard(bytes: &[u8], state: &ShardState, slots: usize) -> Result<ShardData> {
    let payload = header(bytes, &SHARD_MAGIC)?;
    let mut outer = Reader::new(payload, "payload");
    let mut r = next_section(&mut outer, SECTION_SHARD, "shard")?;
    let base_crc = r.u32()?;
    let shard = r.varint()?;
    let count = r.varint()?;
    r.finish()?;
    if base_crc != state.base_crc || count != u64::from(state.count) {
        return Err(FormatError::ShardMismatch {
            what: format!(
                "shard for base CRC {base_crc:#010x} with {count} shards, but the loaded base has CRC {:#010x} and {} shards",
                state.base_crc, state.count
            ),
        });
    }
    if shard >= count {
        return Err(FormatError::corrupt(format!("shard number {shard} >= shard count {count}")));
    }
    let shard = shard as u32;
    if state.loaded[shard as usize] {
        return Ok(ShardData { shard, postings: None });
    }
    let lexicon = read_lexicon(&mut next_section(&mut outer, SECTION_LEXICON, "lexicon")?, slots)?;
    let sparse = read_sparse(&mut next_section(&mut outer, SECTION_SPARSE, "sparse")?, slots)?;
    outer.finish()?;
    for (term, _) in &lexicon.terms {
        if lexical_shard(term, state.count) != shard {
            return Err(FormatError::corrupt(format!(
                "term {term:?} does not belong to shard {shard}"
            )));
        }
    }
    let mut sparse: Vec<(u32, SparsePostings)> = sparse.into_iter().collect();
    sparse.sort_unstable_by_key(|t| t.0);
    if let Some((id, _)) = sparse.iter().find(|(id, _)| sparse_shard(*id, state.count) != shard) {
        return Err(FormatError::corrupt(format!(
            "sparse term {id} does not belong to shard {shard}"
        )));
    }
    Ok(ShardData { shard, postings: Some((lexicon.terms, sparse)) })
}
