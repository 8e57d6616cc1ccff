//! The binary formats: golden fixtures and hostile input.
//!
//! `tests/fixtures/format/v2/small.spi` is a small deterministic index (see [`small_index`]),
//! `small.expected.json` the queries run against it with their expected hits, and `site/` the same
//! index as a static site: `manifest.json`, a small vocabulary file, a base, shards and fragments
//! (the TypeScript tests load it too). All are committed; regenerate them only on purpose, with
//! `SPARROW_BLESS=1 cargo test -p sparrow-core --test format`
//! (a format change must bump `FORMAT_VERSION` and add a `v3/` fixture instead).
//! `v1/small.spi` is the same index written by format version 1, which this build still reads
//! (a PWA's persisted snapshot must survive an upgrade); v1 sharded files are refused.

use std::path::PathBuf;

use serde_json::{json, Value};
use sparrow_core::format::{FORMAT_VERSION, HEADER_LEN, MAGIC};
use sparrow_core::*;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/format/v2")
}

fn v1_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/format/v1")
}

/// The vocabulary the fixture's term ids come from (ranks of these sorted tokens).
fn small_vocab() -> WordPiece {
    let mut tokens: Vec<String> =
        ["[UNK]", "[MASK]", "rust", "search", "##ing", "web", "browser", "##s", "crêpes", "東"]
            .map(String::from)
            .to_vec();
    tokens.sort();
    let mask = tokens.iter().position(|t| t == "[MASK]").unwrap() as u32;
    WordPiece::from_sorted(WordPieceSettings::default(), tokens, vec![("[MASK]".into(), mask)])
        .unwrap()
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
                .with_sparse(sv(&[(1001, 2.1), (2002, 0.8), (3003, 0.3)]))
                // Token counts (lookup query weights) for some documents.
                .with_tokens(vec![1001, 2002, 4004, 77, 1001]),
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
                .with_sparse(sv(&[(2002, 1.2), (6006, 2.4), (7007, 0.6)]))
                .with_tokens(vec![2002, 6006, 77]),
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
            .with_sparse(sv(&[(6006, 1.9), (8008, 3.2), (2002, 0.4)]))
            .with_tokens(vec![6006, 8008, 1001]),
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
    // The site fixture's vocabulary file names these ids (its ranks).
    index.set_term_space(small_vocab().term_space()).unwrap();
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
        (
            "hybrid-lookup-tokens",
            Query::new("rust browsers").with_tokens(vec![1001, 4004, 1001, 77]),
            SearchOptions { explain: true, ..Default::default() },
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
                    tokens: serde_json::from_value(q["tokens"].clone()).unwrap(),
                    idf_weighted: false,
                };
                let options: SearchOptions = serde_json::from_value(q["options"].clone()).unwrap();
                let hits = index.search(&query, &options).unwrap();
                json!({"name": q["name"], "text": q["text"], "sparse": q["sparse"], "tokens": q["tokens"], "options": q["options"], "hits": hits})
            })
            .collect(),
    )
}

/// Rounds every non-integer number to `f32`: scores are `f32`, and serde_json's default float
/// parser may be one `f64` ulp off the printed value, which `f32` rounding absorbs. Drops `null`
/// members: format-1 expectations wrote absent options as `null`, hits now leave them out.
fn as_f32(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => json!(n.as_f64().unwrap() as f32),
        Value::Array(a) => Value::Array(a.iter().map(as_f32).collect()),
        Value::Object(o) => Value::Object(
            o.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), as_f32(v))).collect(),
        ),
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
        "name": name, "text": q.text, "sparse": q.sparse, "tokens": q.tokens, "options": o,
    })).collect::<Vec<_>>()});
    let results = run_queries(&index, &spec);
    let expected = json!({
        "comment": "Queries run against small.spi and their expected hits. Written by `SPARROW_BLESS=1 cargo test -p sparrow-core --test format`.",
        "formatVersion": FORMAT_VERSION,
        "stats": index.stats(),
        "queries": results,
    });
    let _ = std::fs::remove_dir_all(fixture_dir().join("site"));
    std::fs::create_dir_all(fixture_dir().join("site")).unwrap();
    std::fs::write(fixture_dir().join("small.spi"), index.to_bytes()).unwrap();
    std::fs::write(
        fixture_dir().join("small.expected.json"),
        serde_json::to_string_pretty(&expected).unwrap() + "\n",
    )
    .unwrap();
    for (name, bytes) in sharded_files() {
        std::fs::write(fixture_dir().join("site").join(name), bytes).unwrap();
    }
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

/// The sharded kinds of the fixture index (base, 3 shards, fragments of ~200 bytes of documents,
/// filters on the fields the queries use), in `v2/sharded/`.
fn sharding() -> ShardingOptions {
    ShardingOptions {
        shards: 3,
        fragment_bytes: 200,
        filter_fields: Some(vec!["lang".into(), "levels".into(), "year".into()]),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// The fixture index as a static site (`v2/site/`): `manifest.json` plus content-addressed files,
/// as `sparrow index --site` writes them.
fn sharded_files() -> Vec<(String, Vec<u8>)> {
    use sparrow_core::format::{
        ManifestCounts, ManifestFile, ManifestModel, ManifestVocabPart, SiteManifest, SiteMode,
    };
    let parts = small_index().to_sharded_bytes(&sharding()).unwrap();
    let file = |prefix: &str, ext: &str, bytes: &[u8]| ManifestFile {
        file: format!("{prefix}-{}.{ext}", &sha256(bytes)[..16]),
        bytes: bytes.len() as u64,
        sha256: sha256(bytes),
    };
    let vocab = small_vocab().to_vocab_bytes();
    // Parts of one first byte each (a target of 1 byte): the first holds `##…` and `[…]`.
    let vocab_parts: Vec<(ManifestVocabPart, Vec<u8>)> = small_vocab()
        .to_vocab_parts(1)
        .iter()
        .map(|p| {
            let bytes = p.to_bytes();
            let f = file("vocab", "spv", &bytes);
            let (first, last) = (*p.leads().start(), *p.leads().end());
            (ManifestVocabPart { file: f.file, first, last }, bytes)
        })
        .collect();
    let manifest = SiteManifest {
        version: sparrow_core::format::MANIFEST_VERSION,
        index_format: FORMAT_VERSION,
        model: ManifestModel {
            id: "fixture/none".into(),
            sha256: "ab".repeat(32),
            tokenizer_sha256: "cd".repeat(32),
        },
        counts: ManifestCounts { pages: 1, sections: 5, semantic_sections: 4, bytes: 0 },
        mode: SiteMode::Sharded,
        rule: "the golden fixture: base, 3 shards, fragments of ~200 bytes".into(),
        whole_index_threshold: 0,
        shard_bytes: Some(0),
        fragment_bytes: Some(200),
        vocab: file("vocab", "spv", &vocab),
        vocab_parts: vocab_parts.iter().map(|(p, _)| p.clone()).collect(),
        index: None,
        base: Some(file("base", "spb", &parts.base)),
        build: sha256(
            &parts.shards.iter().chain(&parts.fragments).flatten().copied().collect::<Vec<u8>>(),
        )[..16]
            .to_owned(),
        shards: parts.shards.len() as u32,
        fragments: parts.fragments.len() as u32,
    };
    manifest.validate().unwrap();
    let mut files = vec![
        (manifest.vocab.file.clone(), vocab),
        (manifest.base.clone().unwrap().file, parts.base),
    ];
    files.extend(vocab_parts.into_iter().map(|(p, bytes)| (p.file, bytes)));
    for (i, s) in parts.shards.into_iter().enumerate() {
        files.push((manifest.shard_file(i as u32).unwrap(), s));
    }
    for (i, f) in parts.fragments.into_iter().enumerate() {
        files.push((manifest.fragment_file(i as u32).unwrap(), f));
    }
    files.push((
        "manifest.json".into(),
        (serde_json::to_string_pretty(&manifest).unwrap() + "\n").into_bytes(),
    ));
    files
}

#[test]
fn golden_site_fixture_matches_and_answers_like_the_whole_index() {
    use sparrow_core::format::SiteManifest;
    let dir = fixture_dir().join("site");
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .unwrap_or_else(|_| panic!("fixture site/{name} (bless with SPARROW_BLESS=1)"))
    };
    let files = sharded_files();
    for (name, bytes) in &files {
        assert!(
            &read(name) == bytes,
            "the fixture site/{name} differs from what this build writes"
        );
    }
    let m = SiteManifest::from_json(&read("manifest.json"), None).unwrap();
    assert!(m.fragments > 1, "the fixture has several fragments");
    let other = "ef".repeat(32);
    assert_eq!(
        SiteManifest::from_json(&read("manifest.json"), Some(&other)).unwrap_err().code(),
        "INDEX_MODEL_MISMATCH"
    );
    let mut index = Index::from_base_bytes(&read(&m.base.as_ref().unwrap().file)).unwrap();
    assert_eq!(index.shard_count(), Some(m.shards));
    for i in 0..m.shards {
        assert_eq!(index.load_shard(&read(&m.shard_file(i).unwrap())).unwrap(), i);
    }
    for i in 0..m.fragments {
        assert_eq!(index.load_fragment(&read(&m.fragment_file(i).unwrap())).unwrap(), i);
    }
    assert_eq!(index.term_space(), small_vocab().term_space());
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_dir().join("small.expected.json")).unwrap(),
    )
    .unwrap();
    let got = run_queries(&index, &expected);
    for (g, e) in got.as_array().unwrap().iter().zip(expected["queries"].as_array().unwrap()) {
        assert_eq!(as_f32(g), as_f32(e), "query {}", e["name"]);
    }
    let wp = WordPiece::from_vocab_bytes(&read(&m.vocab.file)).unwrap();
    assert_eq!(wp, small_vocab());
    // The vocabulary parts: the first, then what a query's words start with, tokenize as the
    // whole file does.
    assert!(m.vocab_parts.len() > 3, "{} parts", m.vocab_parts.len());
    let part =
        |i: usize| sparrow_core::VocabPart::from_bytes(&read(&m.vocab_parts[i].file)).unwrap();
    let mut parts = sparrow_core::VocabParts::new(part(0)).unwrap();
    let text = "searching Rust [MASK] browsers";
    assert_eq!(parts.missing_leads(text), b"brs");
    for lead in parts.missing_leads(text) {
        let i = m.vocab_parts.iter().position(|p| (p.first..=p.last).contains(&lead)).unwrap();
        assert!(parts.add(part(i)).unwrap());
    }
    assert_eq!(parts.ids(text).unwrap(), wp.ids(text));
    assert_eq!(parts.term_space(), wp.term_space());
}

#[test]
fn manifests_are_validated() {
    use sparrow_core::format::SiteManifest;
    let json: Value =
        serde_json::from_slice(&std::fs::read(fixture_dir().join("site/manifest.json")).unwrap())
            .unwrap();
    let code = |f: &dyn Fn(&mut Value)| {
        let mut m = json.clone();
        f(&mut m);
        SiteManifest::from_json(m.to_string().as_bytes(), None)
            .map(|_| "ok")
            .unwrap_or_else(|e| e.code())
    };
    assert_eq!(code(&|_| {}), "ok");
    assert_eq!(code(&|m| m["version"] = json!(1)), "INDEX_VERSION");
    assert_eq!(code(&|m| m["indexFormat"] = json!(1)), "INDEX_VERSION");
    assert_eq!(code(&|m| m["mode"] = json!("lazy")), "INVALID_MANIFEST");
    for bad in ["../x.spb", "a/b.spb", "c:\\x", "https://evil.example/x", ".hidden", "a\\b", ""] {
        assert_eq!(code(&|m| m["base"]["file"] = json!(bad)), "INVALID_MANIFEST", "{bad}");
    }
    assert_eq!(code(&|m| m["build"] = json!("../../etc/passwd")), "INVALID_MANIFEST");
    assert_eq!(code(&|m| m["fragments"] = json!(0)), "INVALID_MANIFEST");
    assert_eq!(code(&|m| m["shards"] = json!(-1)), "INVALID_MANIFEST");
    assert_eq!(code(&|m| m["shards"] = json!(70000)), "INVALID_MANIFEST");
    assert_eq!(code(&|m| m["vocab"]["sha256"] = json!("x")), "INVALID_MANIFEST");
    assert_eq!(code(&|m| m["vocabParts"][1]["first"] = json!(0)), "INVALID_MANIFEST");
    assert_eq!(code(&|m| m["vocabParts"][0]["file"] = json!("../v.spv")), "INVALID_MANIFEST");
    assert_eq!(
        code(&|m| {
            m["vocabParts"].as_array_mut().unwrap().pop();
        }),
        "INVALID_MANIFEST"
    );
    assert_eq!(
        code(&|m| {
            m.as_object_mut().unwrap().remove("vocabParts");
        }),
        "ok"
    );
    assert_eq!(
        code(&|m| {
            m.as_object_mut().unwrap().remove("base");
        }),
        "INVALID_MANIFEST"
    );
    assert_eq!(SiteManifest::from_json(b"not json", None).unwrap_err().code(), "INVALID_MANIFEST");
}

#[test]
fn golden_vocabulary_fixture() {
    let bytes = small_vocab().to_vocab_bytes();
    let wp = WordPiece::from_vocab_bytes(&bytes).unwrap();
    assert_eq!(wp, small_vocab());
    let names = |text: &str| {
        wp.ids(text).iter().map(|&r| wp.token(r).unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(
        names("Searching browsers[MASK] Crêpes 東京"),
        ["search", "##ing", "browser", "##s", "[MASK]", "[UNK]", "東", "[UNK]"]
    );
    assert_eq!(
        wp.term_space(),
        TermSpace::VocabRanks { vocab_crc: small_vocab().term_space_crc() }
    );
    for len in 0..bytes.len() {
        assert!(WordPiece::from_vocab_bytes(&bytes[..len])
            .unwrap_err()
            .code()
            .starts_with("INDEX_"));
    }
}

/// Format version 1 (what a PWA persisted before this build) still loads and answers the same
/// queries as when it was written; a version-1 base (a static site built before) is refused
/// with a clear version error: rebuild the site.
#[test]
fn version_1_whole_indexes_still_load() {
    let v1 = std::fs::read(v1_dir().join("small.spi")).expect("fixture v1/small.spi");
    let index = Index::from_bytes(&v1).unwrap();
    assert_eq!(index.term_space(), TermSpace::Unknown);
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(v1_dir().join("small.expected.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(expected["formatVersion"], 1);
    let got = run_queries(&index, &expected);
    for (g, e) in got.as_array().unwrap().iter().zip(expected["queries"].as_array().unwrap()) {
        assert_eq!(as_f32(&g["hits"]), as_f32(&e["hits"]), "query {}", e["name"]);
    }
    // Written back, it is version 2.
    assert_eq!(Index::from_bytes(&index.to_bytes()).unwrap().len(), index.len());
    assert_eq!(&index.to_bytes()[8..10], &FORMAT_VERSION.to_le_bytes());
    let mut base = small_index().to_sharded_bytes(&sharding()).unwrap().base;
    base[8..10].copy_from_slice(&1u16.to_le_bytes());
    let err = Index::from_base_bytes(&base).unwrap_err();
    assert_eq!(err, Error::Format(FormatError::UnsupportedVersion { found: 1, supported: 2 }));
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
        "index bytes are truncated: needed 24 bytes, 0 available"
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
    b[8..10].copy_from_slice(&3u16.to_le_bytes());
    assert_eq!(format_error(&b), FormatError::UnsupportedVersion { found: 3, supported: 2 });
    let e = Index::from_bytes(&b).unwrap_err();
    assert_eq!(e.code(), "INDEX_VERSION");
    assert!(e.to_string().contains("version 3"), "{e}");
    // Even with a header too short for this version's layout.
    assert_eq!(format_error(&b[..10]), FormatError::UnsupportedVersion { found: 3, supported: 2 });
    b[8..10].copy_from_slice(&0u16.to_le_bytes());
    assert_eq!(format_error(&b), FormatError::UnsupportedVersion { found: 0, supported: 2 });
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

/// Inputs the fuzzer (`fuzz/`, target `load`) found; each must be refused with a typed error,
/// never a panic. `token-id-gap-overflow.bin`: section 15 with a token id gap near `u64::MAX`,
/// which wrapped the running id (an add overflow in debug builds), 2026-12-07.
#[test]
fn fuzz_regressions_are_refused() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/format/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        // As the fuzz target tries it: whole, and as a payload behind a valid header.
        let mut framed = Vec::with_capacity(HEADER_LEN + data.len());
        framed.extend_from_slice(&sparrow_core::format::MAGIC);
        framed.extend_from_slice(&sparrow_core::format::FORMAT_VERSION.to_le_bytes());
        framed.extend_from_slice(&[0u8; 2 + 8 + 4]);
        framed.extend_from_slice(&data);
        for bytes in [data.clone(), with_fixed_crc(framed)] {
            if let Err(e) = Index::from_bytes(&bytes) {
                assert!(e.code().starts_with("INDEX_"), "{e}");
            }
        }
        seen += 1;
    }
    assert!(seen >= 1);
}
