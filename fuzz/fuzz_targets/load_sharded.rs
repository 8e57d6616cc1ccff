//! Fuzzes the sharded-index loaders: `Index::from_base_bytes` on any input, and
//! `Index::load_shard` / `Index::load_fragment` of any input into a valid base. All must return
//! `Ok` or a typed error, never panic; an accepted base must answer `missing_shards` and search
//! once its shards and fragments are loaded; a refused shard or fragment must leave the index
//! unchanged (after loading the real ones, it gives exactly the whole index's results).
//!
//! As in `load.rs`, each input is also tried as a payload behind a valid header (magic, version,
//! length, CRC-32), so that mutations reach the structural checks behind the checksum.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sparrow_core::format::{BASE_MAGIC, FORMAT_VERSION, FRAGMENT_MAGIC, SHARD_MAGIC};
use sparrow_core::{
    Document, Error, Index, IndexConfig, Mode, Query, SearchOptions, ShardedBytes,
    ShardingOptions, SparseVector,
};

const SHARDS: u32 = 4;

/// A small index and its sharded files, built once.
fn fixture() -> &'static (Index, ShardedBytes) {
    static FIXTURE: OnceLock<(Index, ShardedBytes)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut index = Index::new(IndexConfig::default()).unwrap();
        let docs = [
            ("timers", "setTimeout schedules a callback after a delay", &[(1001, 1.5), (2002, 0.4)][..]),
            ("path", "path.join joins segments of a file path", &[(3003, 1.1)][..]),
            ("events", "an emitter calls its listeners when an event fires", &[(1001, 0.3), (4004, 2.0)][..]),
            ("draft", "removed before sharding", &[(5005, 1.0)][..]),
        ];
        for (id, text, sparse) in docs {
            let v = SparseVector::from_pairs(sparse.iter().copied()).unwrap();
            index.add(Document::new(id, text).with_tag("api").with_sparse(v)).unwrap();
        }
        index.remove("draft");
        let options = ShardingOptions { shards: SHARDS, fragment_bytes: 40, filter_fields: None };
        let parts = index.to_sharded_bytes(&options).unwrap();
        (index, parts)
    })
}

fn query() -> Query {
    let v = SparseVector::from_pairs([(1001, 1.0), (3003, 0.5), (6006, 2.0)]).unwrap();
    Query::new("callback path delay event").with_sparse(v)
}

fn framed(magic: &[u8; 8], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(24 + data.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(data.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// Loads whatever shards and fragments a query needs from `parts` (ignoring refusals) and
/// searches every mode.
fn exercise(mut index: Index, parts: &ShardedBytes) {
    let q = query().with_tokens(vec![1001, 4004, 7]);
    for mode in [Mode::Lexical, Mode::Sparse, Mode::Hybrid] {
        let opts = SearchOptions { mode, explain: true, ..Default::default() };
        for s in index.missing_shards(&q, &opts) {
            if let Some(bytes) = parts.shards.get(s as usize) {
                let _ = index.load_shard(bytes);
            }
        }
        if let Err(Error::FragmentsNotLoaded { fragments }) = index.search(&q, &opts) {
            for f in fragments {
                if let Some(bytes) = parts.fragments.get(f as usize) {
                    let _ = index.load_fragment(bytes);
                }
            }
            let _ = index.search(&q, &opts);
        }
    }
}

/// Loads every real shard and fragment, then checks the whole index's answers.
fn matches_whole(mut index: Index, parts: &ShardedBytes, whole: &Index) {
    for shard in &parts.shards {
        index.load_shard(shard).unwrap();
    }
    for fragment in &parts.fragments {
        index.load_fragment(fragment).unwrap();
    }
    let q = query();
    for mode in [Mode::Lexical, Mode::Sparse, Mode::Hybrid] {
        let opts = SearchOptions { mode, ..Default::default() };
        assert_eq!(index.search(&q, &opts).unwrap(), whole.search(&q, &opts).unwrap());
    }
}

fuzz_target!(|data: &[u8]| {
    let (whole, parts) = fixture();

    // 1. The input as a base.
    for bytes in [data.to_vec(), framed(&BASE_MAGIC, data)] {
        if let Ok(index) = Index::from_base_bytes(&bytes) {
            exercise(index, parts);
        }
    }

    // 2. The input as a shard of the valid base.
    for bytes in [data.to_vec(), framed(&SHARD_MAGIC, data)] {
        let mut index = Index::from_base_bytes(&parts.base).unwrap();
        if index.load_shard(&bytes).is_ok() {
            exercise(index, parts);
            continue;
        }
        // Refused: nothing changed. With the real parts it is the whole index again.
        matches_whole(index, parts, whole);
    }

    // 3. The input as a document fragment of the valid base.
    for bytes in [data.to_vec(), framed(&FRAGMENT_MAGIC, data)] {
        let mut index = Index::from_base_bytes(&parts.base).unwrap();
        if index.load_fragment(&bytes).is_ok() {
            exercise(index, parts);
            continue;
        }
        matches_whole(index, parts, whole);
    }
});
