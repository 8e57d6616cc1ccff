//! Sharded indexes: writing a base + postings shards + document fragments, reading them back
//! (layout in [`crate::format`], "Sharded indexes").

use roaring::RoaringBitmap;

use super::read::{
    header, next_section, read_config, read_docs, read_filters, read_lengths, read_lexicon,
    read_sparse, read_terms, read_tokens, Reader,
};
use super::write::{
    add_section, bitmap, config_section, doc_record, docs_section, filters_section, framed,
    lengths_section, lexicon_section, sparse_section, terms_section, tokens_section,
    tombstones_section, varint,
};
use super::*;
use crate::document::Slot;
use crate::error::FormatError;
use crate::index::{
    lexical_shard, sparse_shard, Index, IndexParts, IndexView, LexPostings, ShardState,
    ShardedBytes, ShardingOptions, SparsePostings,
};

type Result<T> = std::result::Result<T, FormatError>;

/// Writes the base, the shards and the fragments (`options` already validated).
pub(crate) fn write(index: &IndexView<'_>, options: &ShardingOptions) -> ShardedBytes {
    let count = options.shards;
    let fragments = cut_fragments(index.docs, options.fragment_bytes);

    let mut payload = Vec::new();
    add_section(&mut payload, SECTION_CONFIG, |b| config_section(b, index));
    add_section(&mut payload, SECTION_LENGTHS, |b| lengths_section(b, index));
    add_section(&mut payload, SECTION_TOMBSTONES, |b| tombstones_section(b, index));
    add_section(&mut payload, SECTION_TERMS, |b| terms_section(b, index.term_space));
    add_section(&mut payload, SECTION_FRAGMENTS, |b| {
        varint(b, fragments.len() as u64 - 1);
        for w in fragments.windows(2) {
            varint(b, u64::from(w[1] - w[0]));
        }
    });
    let filters = index.filters.restricted(options.filter_fields.as_deref());
    add_section(&mut payload, SECTION_FILTERS, |b| filters_section(b, &filters));
    add_section(&mut payload, SECTION_SPARSE_DOCS, |b| bitmap(b, index.sparse_docs));
    let stats = index.token_stats;
    add_section(&mut payload, SECTION_TOKENS, |b| {
        tokens_section(b, stats.documents, stats, |_| false)
    });
    let index_id = crc32fast::hash(&payload);
    add_section(&mut payload, SECTION_SHARDING, |b| {
        varint(b, u64::from(count));
        b.push(SHARD_HASH_FNV1A);
        b.extend_from_slice(&index_id.to_le_bytes());
    });
    let base = framed(&BASE_MAGIC, &payload);

    let shards = (0..count)
        .map(|shard| {
            let mut payload = Vec::new();
            add_section(&mut payload, SECTION_SHARD, |b| {
                b.extend_from_slice(&index_id.to_le_bytes());
                varint(b, u64::from(shard));
                varint(b, u64::from(count));
            });
            add_section(&mut payload, SECTION_LEXICON, |b| {
                lexicon_section(b, index, |t| lexical_shard(t, count) == shard);
            });
            add_section(&mut payload, SECTION_SPARSE, |b| {
                sparse_section(b, index, |id| sparse_shard(id, count) == shard);
            });
            add_section(&mut payload, SECTION_TOKENS, |b| {
                tokens_section(b, 0, stats, |id| sparse_shard(id, count) == shard);
            });
            framed(&SHARD_MAGIC, &payload)
        })
        .collect();

    let n = fragments.len() - 1;
    let fragments = fragments
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let mut payload = Vec::new();
            add_section(&mut payload, SECTION_FRAGMENT, |b| {
                b.extend_from_slice(&index_id.to_le_bytes());
                varint(b, i as u64);
                varint(b, n as u64);
                varint(b, u64::from(w[0]));
            });
            add_section(&mut payload, SECTION_DOCS, |b| {
                docs_section(b, &index.docs[w[0] as usize..w[1] as usize]);
            });
            framed(&FRAGMENT_MAGIC, &payload)
        })
        .collect();
    ShardedBytes { base, shards, fragments }
}

/// Fragment boundaries over the slots: first slot of each fragment, then the slot count. A
/// fragment takes consecutive slots until its documents' bytes reach `target`; there is always
/// at least one fragment (an empty index has one empty fragment).
fn cut_fragments(docs: &[Slot], target: usize) -> Vec<u32> {
    let mut starts = vec![0u32];
    let mut size = 0usize;
    let mut scratch = Vec::new();
    for (slot, d) in docs.iter().enumerate() {
        if size >= target {
            starts.push(slot as u32);
            size = 0;
        }
        scratch.clear();
        doc_record(&mut scratch, d.as_deref());
        size += scratch.len();
    }
    starts.push(docs.len() as u32);
    starts
}

/// Reads a base: an index with statistics, lengths and filters but no postings and no documents,
/// expecting its shards and fragments.
pub(crate) fn read_base(bytes: &[u8]) -> Result<Index> {
    let payload = header(bytes, &BASE_MAGIC)?;
    let mut outer = Reader::new(payload, "payload");
    let config = read_config(&mut next_section(&mut outer, SECTION_CONFIG, "config")?)?;
    let doc_lens = read_lengths(&mut next_section(&mut outer, SECTION_LENGTHS, "lengths")?, None)?;
    let slots = doc_lens.len();
    let mut r = next_section(&mut outer, SECTION_TOMBSTONES, "tombstones")?;
    let deleted = r.bitmap("tombstones", slots)?;
    r.finish()?;
    let term_space = read_terms(&mut next_section(&mut outer, SECTION_TERMS, "terms")?)?;
    let mut r = next_section(&mut outer, SECTION_FRAGMENTS, "fragments")?;
    let n = r.count(1, "fragment")?;
    if n == 0 {
        return Err(r.corrupt("no fragments"));
    }
    let mut fragment_starts = Vec::with_capacity(n + 1);
    let mut start = 0u64;
    fragment_starts.push(0u32);
    for _ in 0..n {
        start += r.varint()?;
        if start > slots as u64 {
            return Err(r.corrupt(format_args!("fragments cover more than the {slots} slots")));
        }
        fragment_starts.push(start as u32);
    }
    if start != slots as u64 {
        return Err(r.corrupt(format_args!("fragments cover {start} of {slots} slots")));
    }
    r.finish()?;
    let filters = read_filters(&mut next_section(&mut outer, SECTION_FILTERS, "filters")?, slots)?;
    let mut r = next_section(&mut outer, SECTION_SPARSE_DOCS, "sparse docs")?;
    let sparse_docs = r.bitmap("sparse docs", slots)?;
    r.finish()?;
    let token_stats = read_tokens(&mut next_section(&mut outer, SECTION_TOKENS, "tokens")?)?;
    if !token_stats.df.is_empty() {
        return Err(FormatError::corrupt("a base holds token counts (they belong in shards)"));
    }
    let identity = &payload[..outer.position()];
    let mut r = next_section(&mut outer, SECTION_SHARDING, "sharding")?;
    let count = r.varint()?;
    if count == 0 || count > u64::from(MAX_SHARDS) {
        return Err(r.corrupt(format_args!("shard count {count} is not in 1..={MAX_SHARDS}")));
    }
    let hash = r.u8()?;
    if hash != SHARD_HASH_FNV1A {
        return Err(r.corrupt(format_args!("unknown shard hash {hash}")));
    }
    let index_id = r.u32()?;
    r.finish()?;
    outer.finish()?;
    if index_id != crc32fast::hash(identity) {
        return Err(FormatError::corrupt(format!(
            "index id {index_id:#010x} is not the CRC-32 of the base's sections"
        )));
    }
    if !sparse_docs.is_disjoint(&deleted) {
        return Err(FormatError::corrupt("a removed slot has a sparse vector"));
    }
    let state = ShardState {
        count: count as u32,
        index_id,
        loaded: vec![false; count as usize],
        fragments_loaded: vec![false; n],
        fragment_starts,
    };
    let parts = IndexParts {
        config,
        docs: vec![None; slots],
        doc_lens,
        deleted,
        lexicon: Default::default(),
        sparse: Default::default(),
        term_space,
        token_stats,
        base: Some((state, filters, sparse_docs)),
    };
    Index::from_parts(parts).map_err(FormatError::corrupt)
}

/// A shard's postings, validated against the base it is loaded into.
pub(crate) struct ShardData {
    pub(crate) shard: u32,
    /// `None` when the shard is already loaded (nothing to add).
    pub(crate) postings: Option<ShardPostings>,
}

/// A shard's lexical terms, sparse terms and token counts.
pub(crate) type ShardPostings =
    (Vec<(Box<str>, LexPostings)>, Vec<(u32, SparsePostings)>, Vec<(u32, u32)>);

/// The header section of a shard or fragment: index id, number, count.
fn part_header(r: &mut Reader<'_>) -> Result<(u32, u64, u64)> {
    Ok((r.u32()?, r.varint()?, r.varint()?))
}

fn mismatch(kind: &str, id: u32, count: u64, state_id: u32, state_count: usize) -> FormatError {
    FormatError::ShardMismatch {
        what: format!(
            "{kind} of index {id:#010x} with {count} {kind}s, but the loaded base is index {state_id:#010x} with {state_count}"
        ),
    }
}

/// Reads a shard for `state`'s base over `slots` document slots.
pub(crate) fn read_shard(
    bytes: &[u8],
    state: &ShardState,
    slots: usize,
    documents: u32,
) -> Result<ShardData> {
    let payload = header(bytes, &SHARD_MAGIC)?;
    let mut outer = Reader::new(payload, "payload");
    let mut r = next_section(&mut outer, SECTION_SHARD, "shard")?;
    let (index_id, shard, count) = part_header(&mut r)?;
    r.finish()?;
    if index_id != state.index_id || count != u64::from(state.count) {
        return Err(mismatch("shard", index_id, count, state.index_id, state.count as usize));
    }
    if shard >= count {
        return Err(FormatError::corrupt(format!("shard number {shard} >= shard count {count}")));
    }
    let shard = shard as u32;
    if state.loaded[shard as usize] {
        return Ok(ShardData { shard, postings: None });
    }
    let lexicon = read_lexicon(
        &mut next_section(&mut outer, SECTION_LEXICON, "lexicon")?,
        slots,
        FORMAT_VERSION,
    )?;
    let sparse = read_sparse(
        &mut next_section(&mut outer, SECTION_SPARSE, "sparse")?,
        slots,
        FORMAT_VERSION,
    )?;
    let tokens = read_tokens(&mut next_section(&mut outer, SECTION_TOKENS, "tokens")?)?;
    outer.finish()?;
    if tokens.documents != 0 {
        return Err(FormatError::corrupt("a shard counts documents (the base does)"));
    }
    let mut tokens = tokens.sorted();
    if let Some((id, df)) = tokens.iter().find(|(_, df)| *df > documents) {
        return Err(FormatError::corrupt(format!(
            "token {id}: df {df} but the base counted {documents} documents"
        )));
    }
    if let Some((id, _)) = tokens.iter().find(|(id, _)| sparse_shard(*id, state.count) != shard) {
        return Err(FormatError::corrupt(format!("token {id} does not belong to shard {shard}")));
    }
    tokens.shrink_to_fit();
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
    Ok(ShardData { shard, postings: Some((lexicon.terms, sparse, tokens)) })
}

/// Reads a fragment for `state`'s base: its number and, unless it is loaded already, the records
/// of its slots (`None` for removed slots, which must be exactly the tombstones).
pub(crate) fn read_fragment(
    bytes: &[u8],
    state: &ShardState,
    deleted: &RoaringBitmap,
) -> Result<(u32, Option<Vec<Slot>>)> {
    let payload = header(bytes, &FRAGMENT_MAGIC)?;
    let mut outer = Reader::new(payload, "payload");
    let mut r = next_section(&mut outer, SECTION_FRAGMENT, "fragment")?;
    let (index_id, fragment, count) = part_header(&mut r)?;
    let first = r.varint()?;
    r.finish()?;
    let n = state.fragments_loaded.len();
    if index_id != state.index_id || count != n as u64 {
        return Err(mismatch("fragment", index_id, count, state.index_id, n));
    }
    if fragment >= count {
        return Err(FormatError::corrupt(format!(
            "fragment number {fragment} >= fragment count {count}"
        )));
    }
    let f = fragment as usize;
    let (start, end) = (state.fragment_starts[f], state.fragment_starts[f + 1]);
    if first != u64::from(start) {
        return Err(FormatError::corrupt(format!(
            "fragment {fragment} starts at slot {first}, the base says {start}"
        )));
    }
    if state.fragments_loaded[f] {
        return Ok((fragment as u32, None));
    }
    let records = read_docs(
        &mut next_section(&mut outer, SECTION_DOCS, "documents")?,
        Some((end - start) as usize),
    )?;
    outer.finish()?;
    for (i, d) in records.iter().enumerate() {
        let slot = start + i as u32;
        if d.is_none() != deleted.contains(slot) {
            return Err(FormatError::corrupt(format!(
                "fragment {fragment}: slot {slot} is {} but the base's tombstones say otherwise",
                if d.is_none() { "removed" } else { "live" }
            )));
        }
    }
    Ok((fragment as u32, Some(records)))
}
