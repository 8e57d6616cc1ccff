//! Fuzzes `Index::from_bytes`: it must return `Ok` or a typed error for any input, never panic,
//! hang or allocate unboundedly, and whatever it accepts must be searchable and re-serializable.
//!
//! Each input is tried twice: as a whole file, and as a payload behind a valid header (magic,
//! version, length, CRC-32), because random bytes almost never carry a matching CRC and would
//! otherwise never reach the structural validation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sparrow_core::format::{FORMAT_VERSION, MAGIC};
use sparrow_core::{Index, Mode, Query, SearchOptions, SparseVector};

fn exercise(index: Index) {
    let vector = SparseVector::from_pairs([(0, 1.0), (1001, 0.5), (6006, 2.0)]).unwrap();
    let query = Query::new("rust search the").with_sparse(vector);
    for mode in [Mode::Lexical, Mode::Sparse, Mode::Hybrid] {
        let opts = SearchOptions { mode, explain: true, ..Default::default() };
        let _ = index.search(&query, &opts);
    }
    let bytes = index.to_bytes();
    let again = Index::from_bytes(&bytes).expect("an accepted index re-serializes to a valid one");
    assert_eq!(again.len(), index.len());
    let mut vacuumed = index;
    vacuumed.vacuum();
    let _ = vacuumed.search(&query, &SearchOptions::default());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = Index::from_bytes(data) {
        exercise(index);
    }
    let mut framed = Vec::with_capacity(24 + data.len());
    framed.extend_from_slice(&MAGIC);
    framed.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    framed.extend_from_slice(&0u16.to_le_bytes());
    framed.extend_from_slice(&(data.len() as u64).to_le_bytes());
    framed.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    framed.extend_from_slice(data);
    if let Ok(index) = Index::from_bytes(&framed) {
        exercise(index);
    }
});
