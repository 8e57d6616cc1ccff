//! The binary format: golden fixtures and hostile input.
//!
//! `tests/fixtures/format/v1/small.spi` is a small deterministic index (see [`small_index`]) and
//! `small.expected.json` the queries run against it with their expected hits. Both are committed;
//! regenerate them only on purpose, with
//! `SPARROW_BLESS=1 cargo test -p sparrow-core --test format`
//! (a format change must bump `FORMAT_VERSION` and add a `v2/` fixture instead).

use std::path::PathBuf;

use serde_json::{json, Value};
use sparrow_core::format::{FORMAT_VERSION, HEADER_LEN, MAGIC};
use sparrow_core::*;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/format/v1")
}

fn sv(pairs: &[(u32, f32)]) -> SparseVector {
    SparseVector::from_pairs(pairs.iter().copied()).unwrap()
}

/// The fixture index: documents with titles, urls, tags, JSON fields and sparse vectors, built
/// with `add_many`, `add`, `update` and `remove`, so it has a tombstone.
fn small_index() -> Index {
    // BM25 parameters spelled out: the fixture pins the format, not the (tunable) defaults.
    let config = IndexConfig { bm25: Bm25Params { k1: 1.2, b: 0.75 }, ..Default::default() };
    let mut index = Index::new(config).unwrap();
    index
        .add_many(vec![
            Document::new("rust-book", "The Rust programming language book teaches ownership and borrowing.")
                .with_title("The Rust Book")
                .with_url("https://example.invalid/rust-book")
                .with_tag("rust")
                .with_tag("docs")
                .with_field("lang", "en")
                .with_field("year", 2018)
                .with_sparse(sv(&[(1001, 2.1), (2002, 0.8), (3003, 0.3)])),
            Document::new("wasm-intro", "WebAssembly lets browsers run compiled Rust and C++ at near-native speed.")
                .with_title("Intro to WebAssembly")
                .with_tag("wasm")
                .with_field("lang", "en")
                .with_field("levels", json!(["beginner", "intermediate"]))
                .with_sparse(sv(&[(1001, 0.9), (4004, 1.7), (5005, 0.25)])),
            Document::new("fr-recettes", "Une recette de crêpes bretonnes, rapide et délicieuse.")
                .with_title("Crêpes")
                .with_tag("cuisine")
                .with_field("lang", "fr")
                .with_field("meta", json!({"author": "Anne", "rating": 4.5})),
            Document::new("search-bm25", "BM25 ranks documents by term frequency and inverse document frequency; searching is fast.")
                .with_title("Ranking with BM25")
                .with_tag("search")
                .with_tag("rust")
                .with_field("lang", "en")
                .with_field("year", 2024)
                .with_sparse(sv(&[(2002, 1.2), (6006, 2.4), (7007, 0.6)])),
        ])
        .unwrap();
    index
        .add(
            Document::new(
                "splade",
                "Learned sparse retrieval expands documents with weighted vocabulary terms.",
            )
            .with_title("SPLADE")
            .with_tag("search")
            .with_field("lang", "en")
            .with_sparse(sv(&[(6006, 1.9), (8008, 3.2), (2002, 0.4)])),
        )
        .unwrap();
    index
        .add(
            Document::new("draft", "A draft about search engines that will be removed.")
                .with_tag("search"),
        )
        .unwrap();
    index
        .update(
            Document::new(
                "wasm-intro",
                "WebAssembly runs compiled Rust in every modern browser, fast and sandboxed.",
            )
            .with_title("Intro to WebAssembly")
            .with_tag("wasm")
            .with_tag("rust")
            .with_field("lang", "en")
            .with_sparse(sv(&[(1001, 1.1), (4004, 1.9), (9009, 0.5)])),
        )
        .unwrap();
    assert!(index.remove("draft"));
    index
}

/// (name, query, options) run against the fixture.
fn fixture_queries() -> Vec<(&'static str, Query, SearchOptions)> {
    let lexical = SearchOptions { mode: Mode::Lexical, ..Default::default() };
    let sparse = SearchOptions { mode: Mode::Sparse, ..Default::default() };
    let qv = sv(&[(1001, 1.0), (2002, 0.5), (6006, 0.7)]);
    vec![
        ("lexical", Query::new("rust search"), lexical.clone()),
        (
            "lexical-explain",
            Query::new("fast ranking documents"),
            SearchOptions { explain: true, ..lexical.clone() },
        ),
        (
            "lexical-filter",
            Query::new("rust"),
            SearchOptions { filter: Some(Filter::tag("wasm")), ..lexical.clone() },
        ),
        (
            "lexical-field-array",
            Query::new("rust webassembly"),
            SearchOptions {
                filter: Some(Filter::any([
                    Filter::field("levels", "beginner"),
                    Filter::field("year", 2018),
                ])),
                ..lexical.clone()
            },
        ),
        ("lexical-removed-doc", Query::new("draft engines"), lexical),
        (
            "sparse",
            Query::new("").with_sparse(qv.clone()),
            SearchOptions { explain: true, ..sparse.clone() },
        ),
        (
            "sparse-filter",
            Query::new("").with_sparse(qv.clone()),
            SearchOptions { filter: Some(Filter::not(Filter::field("lang", "fr"))), ..sparse },
        ),
        (
            "hybrid-rrf",
            Query::new("rust browsers").with_sparse(qv.clone()),
            SearchOptions { fusion: Fusion::Rrf { k: 60.0 }, ..Default::default() },
        ),
        (
            "hybrid-weighted",
            Query::new("rust browsers").with_sparse(qv),
            SearchOptions {
                fusion: Fusion::Weighted { alpha: 0.3 },
                limit: 3,
                explain: true,
                ..Default::default()
            },
        ),
        (
            "hybrid-no-vector",
            Query::new("crêpes"),
            SearchOptions { fusion: Fusion::Rrf { k: 60.0 }, ..Default::default() },
        ),
    ]
}

fn run_queries(index: &Index, spec: &Value) -> Value {
    let queries = spec["queries"].as_array().expect("queries array");
    Value::Array(
        queries
            .iter()
            .map(|q| {
                let query = Query {
                    text: q["text"].as_str().unwrap().to_owned(),
                    sparse: serde_json::from_value(q["sparse"].clone()).unwrap(),
                };
                let options: SearchOptions = serde_json::from_value(q["options"].clone()).unwrap();
                let hits = index.search(&query, &options).unwrap();
                json!({"name": q["name"], "text": q["text"], "sparse": q["sparse"], "options": q["options"], "hits": hits})
            })
            .collect(),
    )
}

/// Rounds every non-integer number to `f32`: scores are `f32`, and serde_json's default float
/// parser may be one `f64` ulp off the printed value, which `f32` rounding absorbs.
fn as_f32(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => json!(n.as_f64().unwrap() as f32),
        Value::Array(a) => Value::Array(a.iter().map(as_f32).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), as_f32(v))).collect()),
        other => other.clone(),
    }
}

fn fixture_bytes() -> Vec<u8> {
    std::fs::read(fixture_dir().join("small.spi"))
        .expect("fixture small.spi (bless with SPARROW_BLESS=1)")
}

/// Writes the fixture files when `SPARROW_BLESS=1`; otherwise does nothing.
#[test]
fn bless_fixtures_when_asked() {
    if std::env::var("SPARROW_BLESS").as_deref() != Ok("1") {
        return;
    }
    let index = small_index();
    let spec = json!({"queries": fixture_queries().into_iter().map(|(name, q, o)| json!({
        "name": name, "text": q.text, "sparse": q.sparse, "options": o,
    })).collect::<Vec<_>>()});
    let results = run_queries(&index, &spec);
    let expected = json!({
        "comment": "Queries run against small.spi and their expected hits. Written by `SPARROW_BLESS=1 cargo test -p sparrow-core --test format`.",
        "formatVersion": FORMAT_VERSION,
        "stats": index.stats(),
        "queries": results,
    });
    std::fs::create_dir_all(fixture_dir()).unwrap();
    std::fs::write(fixture_dir().join("small.spi"), index.to_bytes()).unwrap();
    std::fs::write(
        fixture_dir().join("small.expected.json"),
        serde_json::to_string_pretty(&expected).unwrap() + "\n",
    )
    .unwrap();
}

#[test]
fn golden_fixture_loads_and_answers() {
    let index = Index::from_bytes(&fixture_bytes()).unwrap();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_dir().join("small.expected.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(expected["formatVersion"], FORMAT_VERSION);
    let got = run_queries(&index, &expected);
    for (g, e) in got.as_array().unwrap().iter().zip(expected["queries"].as_array().unwrap()) {
        assert_eq!(as_f32(g), as_f32(e), "query {}", e["name"]);
    }
    assert_eq!(got.as_array().unwrap().len(), fixture_queries().len());
    // Spot checks that the fixture exercises what it claims to.
    assert_eq!(index.len(), 5);
    assert_eq!(index.stats().deleted, 2, "draft removed, wasm-intro's old version replaced");
    assert!(!index.contains("draft"));
    assert_eq!(
        index.ids().collect::<Vec<_>>(),
        ["rust-book", "fr-recettes", "search-bm25", "splade", "wasm-intro"]
    );
    let stored = index.get("fr-recettes").unwrap();
    assert_eq!(stored.fields["meta"]["author"], "Anne");
    assert_eq!(stored.title, Some("Crêpes"));
}

#[test]
fn serialization_is_deterministic_and_matches_fixture() {
    let bytes = small_index().to_bytes();
    assert_eq!(bytes, small_index().to_bytes());
    assert!(
        bytes == fixture_bytes(),
        "to_bytes() of the rebuilt fixture index differs from small.spi"
    );
    assert_eq!(Index::from_bytes(&bytes).unwrap().to_bytes(), bytes);
}

/// The sharded kinds (base + 3 shards) of the fixture index, in `v1/sharded/`.
const FIXTURE_SHARDS: u32 = 3;

fn sharded_files() -> Vec<(String, Vec<u8>)> {
    let parts = small_index().to_sharded_bytes(FIXTURE_SHARDS).unwrap();
    let mut files = vec![("small.base.spb".to_owned(), parts.base)];
    for (i, s) in parts.shards.into_iter().enumerate() {
        files.push((format!("small.shard-{i}.sps"), s));
    }
    files
}

/// Writes `v1/sharded/` when `SPARROW_BLESS_SHARDED=1` (separate from `SPARROW_BLESS`, so the
/// whole-index fixture is never rewritten by accident).
#[test]
fn bless_sharded_fixtures_when_asked() {
    if std::env::var("SPARROW_BLESS_SHARDED").as_deref() != Ok("1") {
        return;
    }
    let dir = fixture_dir().join("sharded");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in sharded_files() {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn golden_sharded_fixture_matches_and_answers_like_the_whole_index() {
    let dir = fixture_dir().join("sharded");
    let read = |name: &str| {
        std::fs::read(dir.join(name)).unwrap_or_else(|_| {
            panic!("fixture sharded/{name} (bless with SPARROW_BLESS_SHARDED=1)")
        })
    };
    for (name, bytes) in sharded_files() {
        assert!(read(&name) == bytes, "to_sharded_bytes() differs from the fixture {name}");
    }
    let mut index = Index::from_base_bytes(&read("small.base.spb")).unwrap();
    assert_eq!(index.shard_count(), Some(FIXTURE_SHARDS));
    for i in 0..FIXTURE_SHARDS {
        assert_eq!(index.load_shard(&read(&format!("small.shard-{i}.sps"))).unwrap(), i);
    }
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_dir().join("small.expected.json")).unwrap(),
    )
    .unwrap();
    let got = run_queries(&index, &expected);
    for (g, e) in got.as_array().unwrap().iter().zip(expected["queries"].as_array().unwrap()) {
        assert_eq!(as_f32(g), as_f32(e), "query {}", e["name"]);
    }
}

fn format_error(bytes: &[u8]) -> FormatError {
    match Index::from_bytes(bytes) {
        Err(Error::Format(e)) => e,
        other => panic!("expected a format error, got {other:?}"),
    }
}

#[test]
fn every_truncation_is_a_typed_error() {
    let bytes = fixture_bytes();
    for len in 0..bytes.len() {
        match format_error(&bytes[..len]) {
            FormatError::Truncated { needed, available } => {
                assert_eq!(available, len as u64);
                assert!(needed > available);
            }
            other => panic!("prefix of {len} bytes: {other:?}"),
        }
    }
    assert_eq!(
        format_error(&[]).to_string(),
        "sparrow: index bytes are truncated: needed 24 bytes, 0 available"
    );
}

#[test]
fn every_bit_flip_is_an_error() {
    let bytes = fixture_bytes();
    let mut codes = std::collections::BTreeSet::new();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            codes.insert(format_error(&b).code());
        }
    }
    // Magic, version, header flags/length, checksum: each kind of damage has its own code.
    for code in
        ["INDEX_BAD_MAGIC", "INDEX_VERSION", "INDEX_CORRUPT", "INDEX_TRUNCATED", "INDEX_CHECKSUM"]
    {
        assert!(codes.contains(code), "{code} not seen: {codes:?}");
    }
}

fn with_fixed_crc(mut b: Vec<u8>) -> Vec<u8> {
    let payload_len = (b.len() - HEADER_LEN) as u64;
    b[12..20].copy_from_slice(&payload_len.to_le_bytes());
    let crc = crc32fast::hash(&b[HEADER_LEN..]);
    b[20..24].copy_from_slice(&crc.to_le_bytes());
    b
}

/// Damage that the checksum does not catch (a valid CRC over a bad payload) is found by the
/// structural validation, or loads as a valid index; it never panics.
#[test]
fn payload_damage_with_a_valid_checksum_never_panics() {
    let bytes = fixture_bytes();
    let (mut ok, mut err) = (0, 0);
    for i in HEADER_LEN..bytes.len() {
        for x in [0x01u8, 0x02, 0x10, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= x;
            match Index::from_bytes(&with_fixed_crc(b)) {
                Ok(index) => {
                    // Whatever loaded must be usable.
                    let _ = index.search(&Query::new("rust"), &SearchOptions::default());
                    ok += 1;
                }
                Err(e) => {
                    assert!(e.code().starts_with("INDEX_"), "{e}");
                    err += 1;
                }
            }
        }
    }
    assert!(err > ok, "{err} errors, {ok} loads");
    // Every truncation of the payload with a consistent header is corrupt, not a panic.
    for len in HEADER_LEN..bytes.len() {
        let e = format_error(&with_fixed_crc(bytes[..len].to_vec()));
        assert_eq!(e.code(), "INDEX_CORRUPT", "payload cut at {len}: {e}");
    }
}

#[test]
fn future_version_is_reported() {
    let mut b = fixture_bytes();
    b[8..10].copy_from_slice(&2u16.to_le_bytes());
    assert_eq!(format_error(&b), FormatError::UnsupportedVersion { found: 2, supported: 1 });
    let e = Index::from_bytes(&b).unwrap_err();
    assert_eq!(e.code(), "INDEX_VERSION");
    assert!(e.to_string().contains("version 2"), "{e}");
    // Even with a header too short for this version's layout.
    assert_eq!(format_error(&b[..10]), FormatError::UnsupportedVersion { found: 2, supported: 1 });
}

#[test]
fn foreign_bytes_are_bad_magic() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    assert_eq!(format_error(png), FormatError::BadMagic);
    assert_eq!(format_error(b"{\"documents\": []}"), FormatError::BadMagic);
    assert_eq!(format_error(b"SPRW"), FormatError::Truncated { needed: 24, available: 4 });
    assert_eq!(format_error(b"XYZ"), FormatError::BadMagic);
    assert_eq!(&fixture_bytes()[..8], &MAGIC);
}

#[test]
fn trailing_bytes_and_header_flags_are_corrupt() {
    let mut b = fixture_bytes();
    b.push(0);
    assert_eq!(format_error(&b).code(), "INDEX_CORRUPT");
    let mut b = fixture_bytes();
    b[10] = 1;
    assert_eq!(format_error(&b).code(), "INDEX_CORRUPT");
    let mut b = fixture_bytes();
    b[20] ^= 0xff;
    assert!(matches!(format_error(&b), FormatError::ChecksumMismatch { .. }));
}

#[test]
fn empty_index_roundtrips() {
    let index = Index::new(IndexConfig { store_text: false, ..Default::default() }).unwrap();
    let back = Index::from_bytes(&index.to_bytes()).unwrap();
    assert!(back.is_empty());
    assert!(!back.config().store_text);
    assert_eq!(back.to_bytes(), index.to_bytes());
}
