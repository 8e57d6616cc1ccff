//! Behaviour of the public API that the property tests do not pin down by themselves.

use serde_json::json;
use sparrow_core::*;

fn sv(pairs: &[(u32, f32)]) -> SparseVector {
    SparseVector::from_pairs(pairs.iter().copied()).unwrap()
}

fn corpus() -> Index {
    // Lucene's BM25 parameters, spelled out: the rank assertions below were worked out with them
    // and must not move when the tuned defaults do.
    let config = IndexConfig { bm25: Bm25Params { k1: 1.2, b: 0.75 }, ..Default::default() };
    let mut index = Index::new(config).unwrap();
    index
        .add_many(vec![
            Document::new("a", "rust ownership borrowing").with_sparse(sv(&[(1, 1.0), (2, 0.5)])),
            Document::new("b", "rust rust rust web").with_tag("web").with_sparse(sv(&[(2, 2.0)])),
            Document::new("c", "gardening tomatoes").with_field("lang", "en"),
            Document::new("d", "rust").with_field("lang", "fr").with_sparse(sv(&[(3, 1.0)])),
        ])
        .unwrap();
    index
}

fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.id.as_str()).collect()
}

fn opts(mode: Mode) -> SearchOptions {
    SearchOptions { mode, ..Default::default() }
}

#[test]
fn empty_query_is_empty_not_an_error() {
    let index = corpus();
    for mode in [Mode::Lexical, Mode::Hybrid] {
        assert!(index.search(&Query::new(""), &opts(mode)).unwrap().is_empty());
        assert!(index.search(&Query::new("  \t\n "), &opts(mode)).unwrap().is_empty());
        assert!(index.search(&Query::new("the of and"), &opts(mode)).unwrap().is_empty());
    }
    // An empty index too.
    let empty = Index::new(IndexConfig::default()).unwrap();
    assert!(empty.search(&Query::new("rust"), &SearchOptions::default()).unwrap().is_empty());
}

#[test]
fn sparse_mode_needs_a_vector() {
    let index = corpus();
    let e = index.search(&Query::new("rust"), &opts(Mode::Sparse)).unwrap_err();
    assert_eq!(e, Error::NoQueryVector);
    assert_eq!(e.code(), "NO_QUERY_VECTOR");
    // An empty vector is a vector: no hits.
    let q = Query::new("rust").with_sparse(SparseVector::new());
    assert!(index.search(&q, &opts(Mode::Sparse)).unwrap().is_empty());
}

#[test]
fn hybrid_without_vector_is_the_lexical_ranking() {
    let index = corpus();
    let hybrid = index.search(&Query::new("rust"), &opts(Mode::Hybrid)).unwrap();
    let lexical = index.search(&Query::new("rust"), &opts(Mode::Lexical)).unwrap();
    assert_eq!(hybrid, lexical);
    assert!(hybrid.iter().all(|h| h.sparse_score.is_none() && h.lexical_score == Some(h.score)));
}

#[test]
fn hybrid_fills_both_arms() {
    let index = corpus();
    let q = Query::new("rust").with_sparse(sv(&[(2, 1.0)]));
    let rrf = SearchOptions { fusion: Fusion::Rrf { k: 60.0 }, ..Default::default() };
    let hits = index.search(&q, &rrf).unwrap();
    // b is first in both arms (tf 3 and weight 2.0).
    assert_eq!(hits[0].id, "b");
    assert_eq!((hits[0].lexical_rank, hits[0].sparse_rank), (Some(1), Some(1)));
    assert_eq!(hits[0].score, 2.0 / 61.0);
    // d matches only lexically, c not at all.
    assert!(ids(&hits).contains(&"d") && !ids(&hits).contains(&"c"));
    let d = hits.iter().find(|h| h.id == "d").unwrap();
    assert!(d.sparse_score.is_none() && d.lexical_score.is_some());
}

#[test]
fn limit_and_candidates() {
    let index = corpus();
    let e = index
        .search(&Query::new("rust"), &SearchOptions { limit: 0, ..Default::default() })
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_OPTION");
    assert!(e.to_string().contains("limit"), "{e}");
    let all = index
        .search(&Query::new("rust"), &SearchOptions { limit: usize::MAX, ..Default::default() });
    let all = all.unwrap();
    assert_eq!(all.len(), 3);
    let one = index
        .search(&Query::new("rust"), &SearchOptions { limit: 1, ..Default::default() })
        .unwrap();
    assert_eq!(one, all[..1]);
    // candidates = 1 fuses only each arm's best, but limit raises the depth.
    let q = Query::new("rust").with_sparse(sv(&[(1, 1.0), (2, 0.1), (3, 0.1)]));
    let shallow = SearchOptions { candidates: 0, limit: 1, ..Default::default() };
    assert_eq!(index.search(&q, &shallow).unwrap().len(), 1);
    let deep = SearchOptions { candidates: 0, limit: 4, ..Default::default() };
    assert_eq!(index.search(&q, &deep).unwrap().len(), 3); // a, b, d match; c does not
}

#[test]
fn ties_are_broken_by_insertion_order_and_update_moves_to_the_end() {
    let mut index = Index::new(IndexConfig::default()).unwrap();
    for id in ["x", "y", "z"] {
        index.add(Document::new(id, "same words")).unwrap();
    }
    let q = Query::new("same");
    assert_eq!(ids(&index.search(&q, &opts(Mode::Lexical)).unwrap()), ["x", "y", "z"]);
    index.update(Document::new("x", "same words")).unwrap();
    assert_eq!(ids(&index.search(&q, &opts(Mode::Lexical)).unwrap()), ["y", "z", "x"]);
    assert_eq!(index.ids().collect::<Vec<_>>(), ["y", "z", "x"]);
    index.vacuum();
    assert_eq!(ids(&index.search(&q, &opts(Mode::Lexical)).unwrap()), ["y", "z", "x"]);
    assert_eq!(index.doc_id("x"), Some(2));
}

#[test]
fn mutations_and_errors() {
    let mut index = corpus();
    assert_eq!(
        index.add(Document::new("a", "again")).unwrap_err(),
        Error::DuplicateId { id: "a".into() }
    );
    assert_eq!(index.update(Document::new("zz", "x")).unwrap_err().code(), "UNKNOWN_ID");
    assert_eq!(
        index.add(Document::new("e", "")).unwrap_err(),
        Error::EmptyDocument { id: "e".into() }
    );
    let long = "x".repeat(513);
    assert_eq!(index.add(Document::new(long, "t")).unwrap_err().code(), "INVALID_ID");
    let mut small = Index::new(IndexConfig { max_text_bytes: 4, ..Default::default() }).unwrap();
    let e = small.add(Document::new("a", "hello")).unwrap_err();
    assert_eq!(e, Error::TextTooLarge { id: "a".into(), bytes: 5, max: 4 });
    assert!(e.to_string().contains('5') && e.to_string().contains('4'), "{e}");

    assert!(index.remove("a"));
    assert!(!index.remove("a"));
    assert!(!index.contains("a") && index.get("a").is_none());
    assert_eq!(index.len(), 3);
    let hits = index.search(&Query::new("ownership"), &SearchOptions::default()).unwrap();
    assert!(hits.is_empty(), "a removed doc never appears");
    // Re-adding a removed id is fine.
    index.add(Document::new("a", "new ownership")).unwrap();
    assert_eq!(
        index.search(&Query::new("ownership"), &SearchOptions::default()).unwrap()[0].id,
        "a"
    );
    // Upsert both ways.
    index.upsert(Document::new("new", "fresh")).unwrap();
    index.upsert(Document::new("new", "fresher")).unwrap();
    assert_eq!(index.get("new").unwrap().text, Some("fresher"));
    let s = index.stats();
    assert_eq!((s.documents, s.deleted), (5, 2));
    index.vacuum();
    assert_eq!(index.stats().deleted, 0);
    assert_eq!(index.len(), 5);
}

#[test]
fn filters() {
    let index = corpus();
    let search = |f: Filter| {
        let o = SearchOptions { filter: Some(f), mode: Mode::Lexical, ..Default::default() };
        ids(&index.search(&Query::new("rust gardening"), &o).unwrap())
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(search(Filter::tag("web")), ["b"]);
    assert_eq!(search(Filter::field("lang", "fr")), ["d"]);
    assert_eq!(search(Filter::not(Filter::field("lang", "fr"))).len(), 3);
    assert!(search(Filter::tag("nope")).is_empty());
    assert_eq!(search(Filter::all([])).len(), 4);
    assert!(search(Filter::any([])).is_empty());
    let e = index
        .search(
            &Query::new("rust"),
            &SearchOptions { filter: Some(Filter::field("x", json!([1]))), ..Default::default() },
        )
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_OPTION");
    let f: Filter =
        serde_json::from_value(json!({"any": [{"tag": "web"}, {"field": "lang", "value": "en"}]}))
            .unwrap();
    let mut got = search(f);
    got.sort();
    assert_eq!(got, ["b", "c"]);
}

#[test]
fn explanations() {
    let index = corpus();
    let q = Query::new("rust web").with_sparse(sv(&[(1, 0.5), (2, 1.0)]));
    let hits = index.search(&q, &SearchOptions { explain: true, ..Default::default() }).unwrap();
    let b = hits.iter().find(|h| h.id == "b").unwrap();
    let mut e = b.explanation.clone().unwrap();
    let mut terms: Vec<&str> = e.lexical.iter().map(|c| c.term.as_str()).collect();
    terms.sort();
    assert_eq!(terms, ["rust", "web"]);
    assert!(e.lexical[0].score >= e.lexical[1].score);
    assert_eq!(e.lexical.iter().find(|c| c.term == "rust").unwrap().tf, 3);
    assert_eq!(e.sparse.len(), 1);
    assert_eq!(e.sparse[0].term_id, 2);
    assert_eq!(e.sparse[0].product, e.sparse[0].query_weight * e.sparse[0].doc_weight);
    assert_eq!(Some(e.sparse[0].product), b.sparse_score);
    e.name_terms(|id| Some(format!("tok{id}")));
    assert_eq!(e.sparse[0].term.as_deref(), Some("tok2"));
    let a = hits.iter().find(|h| h.id == "a").unwrap().explanation.as_ref().unwrap();
    // a: 0.5 * 1.0 for term 1; 1.0 * 0.5 for term 2, but 0.5 is stored as 64 * (2.0 / 255) > 0.5.
    assert_eq!(a.sparse.iter().map(|c| c.term_id).collect::<Vec<_>>(), [2, 1]);
    assert!(a.sparse[0].product > a.sparse[1].product);
    let json = serde_json::to_value(&hits[0]).unwrap();
    assert!(json["explanation"]["sparse"][0]["queryWeight"].is_number());
    assert!(json.get("lexicalScore").is_some() && json.get("sparseRank").is_some());
    // No explanation unless asked.
    assert!(index.search(&q, &SearchOptions::default()).unwrap()[0].explanation.is_none());
}

#[test]
fn stored_documents_and_stats() {
    let mut index = Index::new(IndexConfig { store_text: false, ..Default::default() }).unwrap();
    let doc = Document::new("a", "Body text")
        .with_title("T")
        .with_url("u")
        .with_tag("t")
        .with_field("k", json!({"x": [1]}));
    index.add(doc.clone().with_sparse(sv(&[(5, 1.0)]))).unwrap();
    let stored = index.get("a").unwrap();
    assert_eq!(stored.text, None);
    assert!(stored.has_sparse);
    assert_eq!(stored.to_document(), Document { text: String::new(), ..doc });
    let json = serde_json::to_value(stored).unwrap();
    assert_eq!(json["hasSparse"], true);
    assert_eq!(index.stored_sparse("a").unwrap().ids(), &[5]);
    let s = index.stats();
    assert_eq!((s.documents, s.sparse_documents, s.sparse_terms, s.lexical_terms), (1, 1, 1, 3));
    assert_eq!(s.avg_doc_length, 3.0);
    assert!(s.heap_bytes > 0);
    let json = serde_json::to_value(&s).unwrap();
    for key in [
        "documents",
        "deleted",
        "lexicalTerms",
        "sparseTerms",
        "sparseDocuments",
        "avgDocLength",
        "heapBytes",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert!(format!("{index:?}").contains("documents: 1"));
}

#[test]
fn weighted_fusion_edges() {
    let index = corpus();
    let q = Query::new("rust").with_sparse(sv(&[(2, 1.0)]));
    let only_lexical =
        SearchOptions { fusion: Fusion::Weighted { alpha: 0.0 }, ..Default::default() };
    let hits = index.search(&q, &only_lexical).unwrap();
    assert_eq!(hits[0].score, 1.0);
    // A document only in the sparse arm scores 0 with alpha = 0 but is still returned.
    let only_sparse =
        SearchOptions { fusion: Fusion::Weighted { alpha: 1.0 }, ..Default::default() };
    let hits = index.search(&q, &only_sparse).unwrap();
    assert_eq!(hits[0].id, "b");
    assert_eq!(hits[0].score, 1.0);
}

#[test]
fn error_codes_are_stable() {
    let cases: Vec<(Error, &str)> = vec![
        (Error::DuplicateId { id: "x".into() }, "DUPLICATE_ID"),
        (Error::UnknownId { id: "x".into() }, "UNKNOWN_ID"),
        (Error::InvalidId { reason: "r".into() }, "INVALID_ID"),
        (Error::EmptyDocument { id: "x".into() }, "EMPTY_DOCUMENT"),
        (Error::TextTooLarge { id: "x".into(), bytes: 2, max: 1 }, "TEXT_TOO_LARGE"),
        (Error::InvalidVector { reason: "r".into() }, "INVALID_VECTOR"),
        (Error::InvalidOption { name: "n".into(), reason: "r".into() }, "INVALID_OPTION"),
        (Error::InvalidConfig { name: "n".into(), reason: "r".into() }, "INVALID_CONFIG"),
        (Error::NoQueryVector, "NO_QUERY_VECTOR"),
        (Error::CapacityExceeded { slots: 1 }, "CAPACITY_EXCEEDED"),
        (FormatError::Truncated { needed: 2, available: 1 }.into(), "INDEX_TRUNCATED"),
        (FormatError::BadMagic.into(), "INDEX_BAD_MAGIC"),
        (FormatError::UnsupportedVersion { found: 2, supported: 1 }.into(), "INDEX_VERSION"),
        (FormatError::ChecksumMismatch { expected: 1, found: 2 }.into(), "INDEX_CHECKSUM"),
        (FormatError::Corrupt { what: "w".into() }.into(), "INDEX_CORRUPT"),
    ];
    for (e, code) in cases {
        assert_eq!(e.code(), code);
        // No prefix: the package's `SparrowError` alone adds `sparrow: ` (one layer owns it).
        assert!(!e.to_string().starts_with("sparrow"), "{e}");
    }
}

#[test]
fn stemming_and_unicode() {
    let mut index = Index::new(IndexConfig::default()).unwrap();
    index.add(Document::new("a", "Running runners ran").with_title("Café")).unwrap();
    let lexical = opts(Mode::Lexical);
    assert_eq!(index.search(&Query::new("runs"), &lexical).unwrap().len(), 1);
    assert_eq!(index.search(&Query::new("CAFÉ"), &lexical).unwrap().len(), 1);
    assert!(index.search(&Query::new("cafe"), &lexical).unwrap().is_empty());
}
