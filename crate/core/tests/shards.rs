//! Sharded indexes: a base plus any subset of postings shards answers exactly like the whole
//! index (same hits, scores, ranks, explanations) for every query whose shards are loaded, and
//! refuses the others with `SHARDS_NOT_LOADED`; bad or foreign shards are typed errors.

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
                sparse,
            })
            .collect()
    })
}

fn arb_query() -> impl Strategy<Value = (Query, SearchOptions)> {
    (
        arb_text(4),
        prop::option::of(arb_sparse()),
        prop::sample::select(vec![Mode::Lexical, Mode::Sparse, Mode::Hybrid]),
        prop::sample::select(vec![Fusion::Rrf { k: 60.0 }, Fusion::Weighted { alpha: 0.35 }]),
        1usize..12,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(text, sparse, mode, fusion, limit, explain, filter)| {
            let options = SearchOptions {
                mode,
                fusion,
                limit,
                explain,
                filter: filter.then(|| Filter::tag("en")),
                ..Default::default()
            };
            (Query { text, sparse }, options)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn base_plus_any_shards_equals_whole(
        docs in arb_docs(),
        removed in prop::collection::vec(0usize..30, 0..4),
        count in 1u32..9,
        loaded_mask in any::<u16>(),
        queries in prop::collection::vec(arb_query(), 1..10),
    ) {
        let mut whole = Index::new(IndexConfig::default()).unwrap();
        whole.add_many(docs).unwrap();
        for r in removed {
            whole.remove(&format!("d{r}"));
        }
        let parts = whole.to_sharded_bytes(count).unwrap();
        prop_assert_eq!(parts.shards.len(), count as usize);
        prop_assert_eq!(&whole.to_sharded_bytes(count).unwrap(), &parts, "deterministic");
        let mut lazy = Index::from_base_bytes(&parts.base).unwrap();
        prop_assert_eq!(lazy.shard_count(), Some(count));
        prop_assert_eq!(lazy.len(), whole.len());
        for s in 0..count {
            if loaded_mask & (1 << s) != 0 {
                prop_assert_eq!(lazy.load_shard(&parts.shards[s as usize]).unwrap(), s);
            }
        }
        let loaded = |s: u32| loaded_mask & (1 << s) != 0;
        for (q, o) in &queries {
            let needed = lazy.shards_for(q, o.mode);
            let missing = lazy.missing_shards(q, o.mode);
            prop_assert_eq!(&missing, &needed.iter().copied().filter(|&s| !loaded(s)).collect::<Vec<_>>());
            let want = whole.search(q, o);
            let got = lazy.search(q, o);
            if missing.is_empty() {
                prop_assert_eq!(&got, &want, "query {:?} {:?}", q, o);
            } else {
                match &got {
                    // A query the whole index refuses for another reason may be refused for that.
                    Err(Error::ShardsNotLoaded { shards }) => prop_assert_eq!(shards, &missing),
                    Err(e) => prop_assert_eq!(&Err(e.clone()), &want),
                    Ok(_) => prop_assert!(false, "searched with shards {:?} missing", missing),
                }
                // Loading what is missing (on a copy) gives the whole index's answer.
                let mut more = lazy.clone();
                for s in &missing {
                    more.load_shard(&parts.shards[*s as usize]).unwrap();
                }
                prop_assert_eq!(&more.search(q, o), &want);
            }
        }
        // Every shard loaded (twice for some): same bytes as the whole index, re-sharded.
        for s in 0..count {
            lazy.load_shard(&parts.shards[s as usize]).unwrap();
        }
        prop_assert!(lazy.is_complete());
        prop_assert_eq!(lazy.to_sharded_bytes(count).unwrap(), parts);
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
    let parts = index.to_sharded_bytes(3).unwrap();
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
    let foreign = other.to_sharded_bytes(3).unwrap();
    assert_eq!(lazy.load_shard(&foreign.shards[0]).unwrap_err().code(), "INDEX_SHARD_MISMATCH");
    let two = index.to_sharded_bytes(2).unwrap();
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
    assert_eq!(whole_index.missing_shards(&Query::new("timers"), Mode::Hybrid), Vec::<u32>::new());

    // Errors changed nothing; a partial index is read-only.
    assert!(!lazy.is_complete());
    assert_eq!(lazy.add(Document::new("c", "new")).unwrap_err().code(), "INDEX_PARTIAL");
    assert_eq!(lazy.to_sharded_bytes(3).unwrap_err().code(), "INDEX_PARTIAL");
    assert_eq!(index.to_sharded_bytes(0).unwrap_err().code(), "INVALID_OPTION");
    for s in &parts.shards {
        lazy.load_shard(s).unwrap();
    }
    assert_eq!(lazy.search(&Query::new("timers"), &SearchOptions::default()).unwrap()[0].id, "a");
    lazy.add(Document::new("c", "new timers")).unwrap();
    assert_eq!(lazy.len(), 3);
}

#[test]
fn the_shard_hash_is_stable() {
    // Part of the format (FNV-1a 64, computed independently): never changes for format version 1.
    assert_eq!(
        ["timer", "wait", "second", "callback", "café"].map(|t| lexical_shard(t, 16)),
        [0, 2, 3, 4, 15]
    );
    assert_eq!([0, 1, 2, 1000, 30521].map(|i| sparse_shard(i, 16)), [2, 3, 0, 15, 2]);
    assert_eq!(lexical_shard("anything", 1), 0);
}
