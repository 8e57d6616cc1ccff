//! Sharded indexes: a base plus any subset of postings shards and document fragments answers
//! exactly like the whole index (same hits, scores, ranks, explanations) for every query whose
//! shards and hit fragments are loaded, and refuses the others with `SHARDS_NOT_LOADED` /
//! `FRAGMENTS_NOT_LOADED` naming what is missing; bad or foreign parts are typed errors.

use proptest::prelude::*;
use sparrow_core::*;

const WORDS: &[&str] = &[
    "apple", "banana", "cherry", "running", "runs", "the", "data", "search", "rust", "web", "fast",
    "index", "Index", "of", "café", "timer", "wait", "seconds",
];

fn arb_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..max).prop_map(|w| w.join(" "))
}

fn arb_sparse() -> impl Strategy<Value = SparseVector> {
    prop::collection::vec((0u32..40, 0.05f32..3.0), 1..8)
        .prop_map(|pairs| SparseVector::from_pairs(pairs).unwrap())
}

fn arb_docs() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec(
        (
            prop::option::of(arb_text(3)),
            arb_text(12),
            prop::sample::select(vec!["en", "fr"]),
            prop::option::of(arb_sparse()),
        ),
        1..30,
    )
    .prop_map(|docs| {
        docs.into_iter()
            .enumerate()
            .filter(|(_, (title, text, _, _))| {
                !text.is_empty() || title.as_ref().is_some_and(|t| !t.is_empty())
            })
            .map(|(i, (title, text, lang, sparse))| Document {
                id: format!("d{i}"),
                title,
                text,
                url: Some(format!("p.html#d{i}")),
                tags: vec![lang.to_owned()],
                fields: Default::default(),
                // Token counts (lookup weights) for most documents: a sharded index must weigh
                // lookup queries exactly as the whole one.
                tokens: (i % 3 != 2).then(|| {
                    let ids = sparse.as_ref().map_or(&[][..], |v: &SparseVector| v.ids());
                    ids.iter().copied().chain([i as u32 % 7]).collect()
                }),
                sparse,
            })
            .collect()
    })
}

fn arb_query() -> impl Strategy<Value = (Query, SearchOptions)> {
    (
        arb_text(4),
        prop::option::of(arb_sparse()),
        prop::option::of(prop::collection::vec(0u32..45, 0..6)),
        prop::sample::select(vec![None, Some(QueryEncoder::Lookup), Some(QueryEncoder::Model)]),
        prop::sample::select(vec![Mode::Lexical, Mode::Sparse, Mode::Hybrid]),
        prop::sample::select(vec![Fusion::Rrf { k: 60.0 }, Fusion::Weighted { alpha: 0.35 }]),
        1usize..12,
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(text, sparse, tokens, query_encoder, mode, fusion, limit, (explain, filter))| {
                let options = SearchOptions {
                    mode,
                    fusion,
                    limit,
                    explain,
                    filter: filter.then(|| Filter::tag("en")),
                    query_encoder,
                    ..Default::default()
                };
                // Half the queries weigh a vector by the index's IDF, as model expansions are:
                // the shards then also carry the token counts it needs.
                let idf_weighted = text.len() % 2 == 1;
                (Query { text, sparse, tokens, idf_weighted }, options)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn base_plus_any_shards_and_fragments_equals_whole(
        docs in arb_docs(),
        removed in prop::collection::vec(0usize..30, 0..4),
        count in 1u32..9,
        fragment_bytes in 1usize..200,
        loaded_mask in any::<u16>(),
        fragment_mask in any::<u32>(),
        queries in prop::collection::vec(arb_query(), 1..10),
    ) {
        let mut whole = Index::new(IndexConfig::default()).unwrap();
        whole.add_many(docs).unwrap();
        for r in removed {
            whole.remove(&format!("d{r}"));
        }
        let options = ShardingOptions { shards: count, fragment_bytes, filter_fields: None };
        let parts = whole.to_sharded_bytes(&options).unwrap();
        prop_assert_eq!(parts.shards.len(), count as usize);
        prop_assert!(!parts.fragments.is_empty());
        prop_assert_eq!(&whole.to_sharded_bytes(&options).unwrap(), &parts, "deterministic");
        let mut lazy = Index::from_base_bytes(&parts.base).unwrap();
        prop_assert_eq!(lazy.shard_count(), Some(count));
        prop_assert_eq!(lazy.fragment_count(), Some(parts.fragments.len() as u32));
        prop_assert_eq!(lazy.len(), whole.len());
        for s in 0..count {
            if loaded_mask & (1 << s) != 0 {
                prop_assert_eq!(lazy.load_shard(&parts.shards[s as usize]).unwrap(), s);
            }
        }
        for (f, bytes) in parts.fragments.iter().enumerate() {
            if fragment_mask & (1 << (f % 32)) != 0 {
                prop_assert_eq!(lazy.load_fragment(bytes).unwrap(), f as u32);
            }
        }
        let loaded = |s: u32| loaded_mask & (1 << s) != 0;
        for (q, o) in &queries {
            let needed = lazy.shards_for(q, o);
            let missing = lazy.missing_shards(q, o);
            prop_assert_eq!(&missing, &needed.iter().copied().filter(|&s| !loaded(s)).collect::<Vec<_>>());
            let want = whole.search(q, o);
            let mut more = lazy.clone();
            match lazy.search(q, o) {
                Ok(got) => {
                    prop_assert!(missing.is_empty());
                    prop_assert_eq!(&Ok(got), &want, "query {:?} {:?}", q, o);
                    continue;
                }
                // A query the whole index refuses for another reason may be refused for that.
                Err(Error::ShardsNotLoaded { shards }) => prop_assert_eq!(&shards, &missing),
                Err(Error::FragmentsNotLoaded { fragments }) => {
                    prop_assert!(missing.is_empty());
                    for f in &fragments {
                        more.load_fragment(&parts.fragments[*f as usize]).unwrap();
                    }
                }
                Err(e) => {
                    prop_assert_eq!(&Err(e), &want);
                    continue;
                }
            }
            // Loading what is missing (on a copy) gives the whole index's answer.
            for s in &missing {
                more.load_shard(&parts.shards[*s as usize]).unwrap();
            }
            let got = match more.search(q, o) {
                Err(Error::FragmentsNotLoaded { fragments }) => {
                    for f in &fragments {
                        more.load_fragment(&parts.fragments[*f as usize]).unwrap();
                    }
                    more.search(q, o)
                }
                other => other,
            };
            prop_assert_eq!(&got, &want);
        }
        // Everything loaded (twice for some): same bytes as the whole index, re-sharded.
        for s in 0..count {
            lazy.load_shard(&parts.shards[s as usize]).unwrap();
        }
        for f in &parts.fragments {
            lazy.load_fragment(f).unwrap();
        }
        prop_assert!(lazy.is_complete());
        prop_assert_eq!(lazy.to_sharded_bytes(&options).unwrap(), parts);
    }
}

fn small() -> Index {
    let mut index = Index::new(IndexConfig::default()).unwrap();
    index
        .add_many(vec![
            Document::new("a", "timers schedule callbacks")
                .with_sparse(SparseVector::from_pairs([(1, 1.0), (2, 0.5)]).unwrap()),
            Document::new("b", "paths join segments")
                .with_sparse(SparseVector::from_pairs([(3, 2.0)]).unwrap()),
        ])
        .unwrap();
    index
}

#[test]
fn wrong_kinds_and_foreign_shards_are_typed_errors() {
    let index = small();
    let opts = |shards| ShardingOptions { shards, ..Default::default() };
    let parts = index.to_sharded_bytes(&opts(3)).unwrap();
    let whole = index.to_bytes();
    assert_eq!(Index::from_bytes(&parts.base).unwrap_err().code(), "INDEX_WRONG_KIND");
    assert_eq!(Index::from_base_bytes(&whole).unwrap_err().code(), "INDEX_WRONG_KIND");
    assert_eq!(Index::from_base_bytes(&parts.shards[0]).unwrap_err().code(), "INDEX_WRONG_KIND");
    assert_eq!(
        Index::from_base_bytes(b"not an index at all").unwrap_err().code(),
        "INDEX_BAD_MAGIC"
    );

    let mut lazy = Index::from_base_bytes(&parts.base).unwrap();
    assert_eq!(lazy.load_shard(&parts.base).unwrap_err().code(), "INDEX_WRONG_KIND");
    // A shard of another index (other documents), and of the same index cut in 2.
    let mut other = small();
    other.remove("b");
    let foreign = other.to_sharded_bytes(&opts(3)).unwrap();
    assert_eq!(lazy.load_shard(&foreign.shards[0]).unwrap_err().code(), "INDEX_SHARD_MISMATCH");
    assert_eq!(
        lazy.load_fragment(&foreign.fragments[0]).unwrap_err().code(),
        "INDEX_SHARD_MISMATCH"
    );
    assert_eq!(lazy.load_fragment(&parts.shards[0]).unwrap_err().code(), "INDEX_WRONG_KIND");
    let two = index.to_sharded_bytes(&opts(2)).unwrap();
    assert_eq!(lazy.load_shard(&two.shards[0]).unwrap_err().code(), "INDEX_SHARD_MISMATCH");
    let mut damaged = parts.shards[1].clone();
    let n = damaged.len();
    damaged[n - 1] ^= 1;
    assert_eq!(lazy.load_shard(&damaged).unwrap_err().code(), "INDEX_CHECKSUM");
    let mut whole_index = Index::from_bytes(&whole).unwrap();
    assert_eq!(
        whole_index.load_shard(&parts.shards[0]).unwrap_err().code(),
        "INDEX_SHARD_MISMATCH"
    );
    assert!(whole_index.is_complete());
    let hybrid = SearchOptions::default();
    assert_eq!(whole_index.missing_shards(&Query::new("timers"), &hybrid), Vec::<u32>::new());
    assert_eq!(whole_index.missing_fragments([0, 1]), Vec::<u32>::new());

    // Errors changed nothing; a partial index is read-only.
    assert!(!lazy.is_complete());
    assert_eq!(lazy.add(Document::new("c", "new")).unwrap_err().code(), "INDEX_PARTIAL");
    assert_eq!(lazy.to_sharded_bytes(&opts(3)).unwrap_err().code(), "INDEX_PARTIAL");
    assert_eq!(index.to_sharded_bytes(&opts(0)).unwrap_err().code(), "INVALID_OPTION");
    let zero = ShardingOptions { fragment_bytes: 0, ..Default::default() };
    assert_eq!(index.to_sharded_bytes(&zero).unwrap_err().code(), "INVALID_OPTION");
    for s in &parts.shards {
        lazy.load_shard(s).unwrap();
    }
    let err = lazy.search(&Query::new("timers"), &hybrid).unwrap_err();
    assert_eq!(
        (err.code(), err),
        ("FRAGMENTS_NOT_LOADED", Error::FragmentsNotLoaded { fragments: vec![0] })
    );
    assert_eq!(lazy.add(Document::new("c", "new")).unwrap_err().code(), "INDEX_PARTIAL");
    lazy.load_fragment(&parts.fragments[0]).unwrap();
    assert_eq!(lazy.search(&Query::new("timers"), &hybrid).unwrap()[0].id, "a");
    lazy.add(Document::new("c", "new timers")).unwrap();
    assert_eq!(lazy.len(), 3);
}

#[test]
fn the_shard_hash_is_stable() {
    // Part of the format (FNV-1a 64, computed independently): the same in format versions 1 and 2.
    assert_eq!(
        ["timer", "wait", "second", "callback", "café"].map(|t| lexical_shard(t, 16)),
        [0, 2, 3, 4, 15]
    );
    assert_eq!([0, 1, 2, 1000, 30521].map(|i| sparse_shard(i, 16)), [2, 3, 0, 15, 2]);
    assert_eq!(lexical_shard("anything", 1), 0);
}

#[test]
fn a_base_keeps_only_the_filters_it_was_built_for() {
    let mut index = Index::new(IndexConfig::default()).unwrap();
    index
        .add_many(vec![
            Document::new("a", "timers")
                .with_tag("x")
                .with_field("page", "t.html")
                .with_field("level", 2),
            Document::new("b", "timers too").with_field("page", "u.html").with_field("level", 3),
        ])
        .unwrap();
    let options =
        ShardingOptions { filter_fields: Some(vec!["page".into()]), ..Default::default() };
    let parts = index.to_sharded_bytes(&options).unwrap();
    let all = index.to_sharded_bytes(&ShardingOptions::default()).unwrap();
    assert!(parts.base.len() < all.base.len());
    let mut lazy = Index::from_base_bytes(&parts.base).unwrap();
    lazy.load_shard(&parts.shards[0]).unwrap();
    lazy.load_fragment(&parts.fragments[0]).unwrap();
    let q = Query::new("timers");
    let by = |f: Filter| SearchOptions { filter: Some(f), ..Default::default() };
    let ids = |r: Result<Vec<Hit>>| r.unwrap().into_iter().map(|h| h.id).collect::<Vec<_>>();
    assert_eq!(ids(lazy.search(&q, &by(Filter::field("page", "u.html")))), ["b"]);
    assert_eq!(ids(lazy.search(&q, &by(Filter::tag("x")))), ["a"]);
    let err = lazy.search(&q, &by(Filter::not(Filter::field("level", 2)))).unwrap_err();
    assert_eq!(err.code(), "INVALID_OPTION");
    assert!(err.to_string().contains("\"level\""), "{err}");
}

#[test]
fn lookup_queries_weight_tokens_by_postings_idf() {
    let index = small();
    let q = Query::new("").with_tokens(vec![2, 1, 1, 99]);
    let opts = SearchOptions { mode: Mode::Sparse, explain: true, ..Default::default() };
    let hits = index.search(&q, &opts).unwrap();
    assert_eq!(hits.len(), 1);
    let idf = (1.0f32 + 2.0 / 2.0).ln();
    let e = hits[0].explanation.as_ref().unwrap();
    assert_eq!(
        e.sparse.iter().map(|t| (t.term_id, t.query_weight)).collect::<Vec<_>>(),
        [(1, idf), (2, idf)]
    );
    // With both sides: the model vector, unless lookup is asked for.
    let v = SparseVector::from_pairs([(3, 1.0)]).unwrap();
    let both = q.clone().with_sparse(v);
    assert_eq!(index.search(&both, &opts).unwrap()[0].id, "b");
    let lookup = SearchOptions { query_encoder: Some(QueryEncoder::Lookup), ..opts.clone() };
    assert_eq!(index.search(&both, &lookup).unwrap()[0].id, "a");
    let model = SearchOptions { query_encoder: Some(QueryEncoder::Model), ..opts };
    assert_eq!(index.search(&both, &model).unwrap()[0].id, "b");
    assert_eq!(index.search(&q, &model).unwrap()[0].id, "a", "no vector: the tokens run");
}

#[test]
fn term_spaces_do_not_mix() {
    let mut index = small();
    assert_eq!(index.term_space(), TermSpace::Unknown);
    let ranks = TermSpace::VocabRanks { vocab_crc: 7 };
    index.set_term_space(ranks).unwrap();
    index.set_term_space(ranks).unwrap();
    let err = index.set_term_space(TermSpace::ModelIds { vocab_crc: 7 }).unwrap_err();
    assert_eq!(err.code(), "VOCAB_MISMATCH");
    let copy = Index::from_bytes(&index.to_bytes()).unwrap();
    assert_eq!(copy.term_space(), ranks);
    let parts = index.to_sharded_bytes(&ShardingOptions::default()).unwrap();
    assert_eq!(Index::from_base_bytes(&parts.base).unwrap().term_space(), ranks);
}
