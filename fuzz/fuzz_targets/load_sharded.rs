//! Fuzzes the sharded-index loaders: `Index::from_base_bytes` on any input, and
//! `Index::load_shard` of any input into a valid base. Both must return `Ok` or a typed error,
//! never panic; an accepted base must answer `missing_shards` and search once its shards are
//! loaded; a refused shard must leave the index unchanged (after loading the real shards, it
//! gives exactly the whole index's results).
//!
//! As in `load.rs`, each input is also tried as a payload behind a valid header (magic, version,
//! length, CRC-32), so that mutations reach the structural checks behind the checksum.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sparrow_core::format::{BASE_MAGIC, FORMAT_VERSION, SHARD_MAGIC};
use sparrow_core::{
    Document, Index, IndexConfig, Mode, Query, SearchOptions, ShardedBytes, SparseVector,
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
        let parts = index.to_sharded_bytes(SHARDS).unwrap();
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

/// Loads whatever shards a query needs from `shards` (ignoring refusals) and searches every mode.
fn exercise(mut index: Index, shards: &[Vec<u8>]) {
    let q = query();
    for mode in [Mode::Lexical, Mode::Sparse, Mode::Hybrid] {
        for s in index.missing_shards(&q, mode) {
            if let Some(bytes) = shards.get(s as usize) {
                let _ = index.load_shard(bytes);
            }
        }
        let _ = index.search(&q, &SearchOptions { mode, explain: true, ..Default::default() });
    }
}

fuzz_target!(|data: &[u8]| {
    let (whole, parts) = fixture();

    // 1. The input as a base.
    for bytes in [data.to_vec(), framed(&BASE_MAGIC, data)] {
        if let Ok(index) = Index::from_base_bytes(&bytes) {
            exercise(index, &parts.shards);
        }
    }

    // 2. The input as a shard of the valid base.
    for bytes in [data.to_vec(), framed(&SHARD_MAGIC, data)] {
        let mut index = Index::from_base_bytes(&parts.base).unwrap();
        if index.load_shard(&bytes).is_ok() {
            exercise(index, &parts.shards);
            continue;
        }
        // Refused: nothing changed. With the real shards it is the whole index again.
        for shard in &parts.shards {
            index.load_shard(shard).unwrap();
        }
        let q = query();
        for mode in [Mode::Lexical, Mode::Sparse, Mode::Hybrid] {
            let opts = SearchOptions { mode, ..Default::default() };
            assert_eq!(index.search(&q, &opts).unwrap(), whole.search(&q, &opts).unwrap());
        }
    }
});
