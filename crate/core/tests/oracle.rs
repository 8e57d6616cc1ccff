//! Property tests: `Index::search` equals a brute-force scan over the live documents, for every
//! mode and fusion, with removals, updates, upserts, vacuums and filters; failed mutations leave
//! the index unchanged; serialize -> load and vacuum give identical results.
//!
//! The oracle recomputes everything from the original documents with the public scoring
//! primitives (`score::*`), in the same order as the index, so scores are compared with `==`.
//! The only index state it reads is the stored (dequantized) sparse vectors, i.e. exactly the
//! values the index is meant to score with; their quantization is tested separately.

use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use sparrow_core::score::{average_length, bm25_idf, bm25_term_score};
use sparrow_core::*;

const WORDS: &[&str] = &[
    "apple", "banana", "cherry", "running", "runs", "the", "data", "search", "rust", "web", "fast",
    "index", "Index", "of", "café",
];

fn arb_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..max).prop_map(|w| w.join(" "))
}

fn arb_sparse() -> impl Strategy<Value = SparseVector> {
    prop::collection::vec((0u32..16, 0.05f32..3.0), 1..8)
        .prop_map(|pairs| SparseVector::from_pairs(pairs).unwrap())
}

fn arb_fields() -> impl Strategy<Value = Map<String, Value>> {
    (
        prop::option::of(prop::sample::select(vec!["en", "fr"])),
        prop::option::of(prop_oneof![
            Just(json!(1)),
            Just(json!(2.0)),
            Just(json!([1, 3])),
            Just(json!("1"))
        ]),
    )
        .prop_map(|(lang, n)| {
            let mut m = Map::new();
            if let Some(l) = lang {
                m.insert("lang".into(), json!(l));
            }
            if let Some(n) = n {
                m.insert("n".into(), n);
            }
            m
        })
}

fn arb_doc() -> impl Strategy<Value = Document> {
    (
        0u8..10,
        prop::option::of(arb_text(3)),
        arb_text(10),
        prop::collection::vec(prop::sample::select(vec!["a", "b", "c"]), 0..3),
        arb_fields(),
        prop::option::of(arb_sparse()),
        prop::option::of(prop::collection::vec(0u32..12, 0..6)),
    )
        .prop_map(|(id, title, text, tags, fields, sparse, tokens)| Document {
            id: format!("d{id}"),
            title,
            text,
            url: Some(format!("https://example.invalid/{id}")),
            tags: tags.into_iter().map(String::from).collect(),
            fields,
            sparse,
            tokens,
        })
}

#[derive(Clone, Debug)]
enum Op {
    Add(Document),
    AddMany(Vec<Document>),
    Remove(u8),
    Update(Document),
    Upsert(Document),
    Vacuum,
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => arb_doc().prop_map(Op::Add),
        2 => prop::collection::vec(arb_doc(), 0..4).prop_map(Op::AddMany),
        2 => (0u8..10).prop_map(Op::Remove),
        2 => arb_doc().prop_map(Op::Update),
        1 => arb_doc().prop_map(Op::Upsert),
        1 => Just(Op::Vacuum),
    ]
}

fn arb_filter() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![
        prop::sample::select(vec!["a", "b", "c", "zz"]).prop_map(Filter::tag),
        prop::sample::select(vec!["en", "fr"]).prop_map(|l| Filter::field("lang", l)),
        prop_oneof![Just(json!(1)), Just(json!(3.0)), Just(json!("1")), Just(json!(2))]
            .prop_map(|v| Filter::field("n", v)),
    ];
    leaf.prop_recursive(2, 6, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Filter::all),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Filter::any),
            inner.prop_map(Filter::not),
        ]
    })
}

fn arb_query() -> impl Strategy<Value = (Query, SearchOptions)> {
    (
        arb_text(4),
        prop::option::of(arb_sparse()),
        prop::option::of(prop::collection::vec(0u32..45, 0..6)),
        prop_oneof![Just(None), Just(Some(QueryEncoder::Lookup)), Just(Some(QueryEncoder::Model))],
        prop_oneof![Just(Mode::Lexical), Just(Mode::Sparse), Just(Mode::Hybrid)],
        prop_oneof![
            (0.0f32..100.0).prop_map(|k| Fusion::Rrf { k }),
            (0.0f32..=1.0).prop_map(|alpha| Fusion::Weighted { alpha }),
        ],
        1usize..12,
        0usize..8,
        prop::option::of(arb_filter()),
        any::<bool>(),
    )
        .prop_map(
            |(
                text,
                sparse,
                tokens,
                query_encoder,
                mode,
                fusion,
                limit,
                candidates,
                filter,
                explain,
            )| {
                (
                    Query { text, sparse, tokens, idf_weighted: false },
                    SearchOptions {
                        limit,
                        mode,
                        fusion,
                        candidates,
                        filter,
                        explain,
                        query_encoder,
                    },
                )
            },
        )
}

/// The model: live documents in insertion (DocId) order.
#[derive(Default)]
struct Model {
    docs: Vec<Document>,
    /// The tokens of every document ever added with tokens (never forgotten: token counts are
    /// statistics of what was indexed).
    counted: Vec<Vec<u32>>,
}

impl Model {
    fn count(&mut self, d: &Document) {
        if let Some(t) = &d.tokens {
            self.counted.push(t.clone());
        }
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.docs.iter().position(|d| d.id == id)
    }
}

fn valid(d: &Document) -> bool {
    !(d.title.as_deref().unwrap_or("").is_empty() && d.text.is_empty())
}

/// Applies `op` to both; checks the outcome and that a failed op changed nothing.
fn apply(index: &mut Index, model: &mut Model, op: Op) {
    let before = index.to_bytes();
    let ok = match op {
        Op::Add(d) => {
            let expect_ok = valid(&d) && model.position(&d.id).is_none();
            let r = index.add(d.clone());
            assert_eq!(r.is_ok(), expect_ok, "{r:?}");
            if expect_ok {
                model.count(&d);
                model.docs.push(d);
            }
            expect_ok
        }
        Op::AddMany(ds) => {
            let mut seen: Vec<&str> = Vec::new();
            let mut ok = true;
            for d in &ds {
                ok &= valid(d) && model.position(&d.id).is_none() && !seen.contains(&d.id.as_str());
                seen.push(&d.id);
            }
            let r = index.add_many(ds.clone());
            assert_eq!(r.is_ok(), ok, "{r:?}");
            if ok {
                ds.iter().for_each(|d| model.count(d));
                model.docs.extend(ds);
            }
            ok
        }
        Op::Remove(i) => {
            let id = format!("d{i}");
            let pos = model.position(&id);
            assert_eq!(index.remove(&id), pos.is_some());
            if let Some(p) = pos {
                model.docs.remove(p);
            }
            pos.is_some()
        }
        Op::Update(d) => {
            let pos = model.position(&d.id);
            let r = index.update(d.clone());
            assert_eq!(r.is_ok(), valid(&d) && pos.is_some(), "{r:?}");
            if pos.is_none() && valid(&d) {
                assert_eq!(r.as_ref().unwrap_err().code(), "UNKNOWN_ID");
            }
            if let (Ok(_), Some(p)) = (&r, pos) {
                model.docs.remove(p);
                model.count(&d);
                model.docs.push(d);
            }
            r.is_ok()
        }
        Op::Upsert(d) => {
            let r = index.upsert(d.clone());
            assert_eq!(r.is_ok(), valid(&d), "{r:?}");
            if r.is_ok() {
                if let Some(p) = model.position(&d.id) {
                    model.docs.remove(p);
                }
                model.count(&d);
                model.docs.push(d);
            }
            r.is_ok()
        }
        Op::Vacuum => {
            index.vacuum();
            true
        }
    };
    if !ok {
        assert_eq!(index.to_bytes(), before, "a failed mutation changed the index");
    }
    assert_eq!(index.len(), model.docs.len());
    assert!(index.ids().eq(model.docs.iter().map(|d| d.id.as_str())));
}

struct Ranked {
    pos: usize,
    score: f32,
}

fn rank(mut v: Vec<Ranked>, k: usize) -> Vec<Ranked> {
    v.retain(|r| r.score > 0.0);
    v.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.pos.cmp(&b.pos)));
    v.truncate(k);
    v
}

/// One arm's (1-based rank, score) for a hit.
type Arm = Option<(u32, f32)>;

/// Brute-force search: (id, score, lexical arm, sparse arm).
type Expected = (String, f32, Arm, Arm);

/// The lookup query's vector, by brute force: each distinct token some live document's stored
/// vector has, weighted `ln(1 + N / (1 + df))` over the token lists of every document ever added
/// with tokens, or over the live vectors when there are none.
fn lookup(index: &Index, model: &Model, tokens: &[u32]) -> SparseVector {
    let by_text = !model.counted.is_empty();
    let n = if by_text { model.counted.len() } else { model.docs.len() } as f32;
    let pairs = tokens.iter().filter_map(|&t| {
        let live = model
            .docs
            .iter()
            .filter(|d| index.stored_sparse(&d.id).is_some_and(|v| v.get(t).is_some()))
            .count();
        let df =
            if by_text { model.counted.iter().filter(|ts| ts.contains(&t)).count() } else { live };
        (live > 0).then(|| (t, (1.0 + n / (1.0 + df as f32)).ln()))
    });
    SparseVector::from_pairs(pairs).unwrap()
}

fn oracle(index: &Index, model: &Model, q: &Query, o: &SearchOptions) -> Result<Vec<Expected>> {
    if o.mode == Mode::Sparse && q.sparse.is_none() && q.tokens.is_none() {
        return Err(Error::NoQueryVector);
    }
    // The query side the options pick (the other when it is absent).
    let vector = match (o.query_encoder, &q.sparse, &q.tokens) {
        (Some(QueryEncoder::Lookup), _, Some(t)) | (_, None, Some(t)) => {
            Some(lookup(index, model, t))
        }
        (_, v, _) => v.clone(),
    };
    let analyzer = Analyzer::new(&index.config().analyzer);
    let params = index.config().bm25;
    let allowed: Vec<bool> = model
        .docs
        .iter()
        .map(|d| o.filter.as_ref().is_none_or(|f| f.matches(&d.tags, &d.fields)))
        .collect();
    // Lexical arm.
    let tfs: Vec<HashMap<String, u32>> = model
        .docs
        .iter()
        .map(|d| {
            let mut m = HashMap::new();
            for t in analyzer
                .analyze(d.title.as_deref().unwrap_or(""))
                .into_iter()
                .chain(analyzer.analyze(&d.text))
            {
                *m.entry(t).or_insert(0) += 1;
            }
            m
        })
        .collect();
    let lens: Vec<u32> = tfs.iter().map(|m| m.values().sum()).collect();
    let n = model.docs.len() as u64;
    let avgdl = average_length(lens.iter().map(|&l| u64::from(l)).sum(), n);
    let mut terms: Vec<String> = Vec::new();
    for t in analyzer.analyze(&q.text) {
        if !terms.contains(&t) {
            terms.push(t);
        }
    }
    let lexical: Vec<Ranked> = (0..model.docs.len())
        .map(|pos| {
            let mut score = 0.0f32;
            if allowed[pos] {
                for t in &terms {
                    let df = tfs.iter().filter(|m| m.contains_key(t)).count() as u64;
                    if let Some(&tf) = tfs[pos].get(t) {
                        score += bm25_term_score(&params, bm25_idf(n, df), tf, lens[pos], avgdl);
                    }
                }
            }
            Ranked { pos, score }
        })
        .collect();
    // Sparse arm, over the stored (dequantized) vectors.
    let sparse = |qv: &SparseVector| -> Vec<Ranked> {
        (0..model.docs.len())
            .map(|pos| {
                let mut score = 0.0f32;
                if allowed[pos] {
                    if let Some(dv) = index.stored_sparse(&model.docs[pos].id) {
                        for (id, qw) in qv.iter() {
                            if let Some(dw) = dv.get(id) {
                                score += qw * dw;
                            }
                        }
                    }
                }
                Ranked { pos, score }
            })
            .collect()
    };
    let limit = o.limit.min(model.docs.len());
    let id = |pos: usize| model.docs[pos].id.clone();
    let single = |list: Vec<Ranked>, lexical: bool| -> Vec<Expected> {
        list.into_iter()
            .enumerate()
            .map(|(i, r)| {
                let arm = Some((i as u32 + 1, r.score));
                (
                    id(r.pos),
                    r.score,
                    if lexical { arm } else { None },
                    if lexical { None } else { arm },
                )
            })
            .collect()
    };
    Ok(match (o.mode, &vector) {
        (Mode::Lexical, _) | (Mode::Hybrid, None) => single(rank(lexical, limit), true),
        (Mode::Sparse, Some(v)) => single(rank(sparse(v), limit), false),
        (Mode::Hybrid, Some(v)) => {
            let depth = o.candidates.max(limit);
            let l = rank(lexical, depth);
            let s = rank(sparse(v), depth);
            let mut entries: Vec<(usize, Arm, Arm)> = Vec::new();
            for (i, r) in l.iter().enumerate() {
                entries.push((r.pos, Some((i as u32 + 1, r.score)), None));
            }
            for (i, r) in s.iter().enumerate() {
                match entries.iter_mut().find(|e| e.0 == r.pos) {
                    Some(e) => e.2 = Some((i as u32 + 1, r.score)),
                    None => entries.push((r.pos, None, Some((i as u32 + 1, r.score)))),
                }
            }
            let minmax = |list: &[Ranked]| {
                let min = list.iter().map(|r| r.score).fold(f32::INFINITY, f32::min);
                let max = list.iter().map(|r| r.score).fold(f32::NEG_INFINITY, f32::max);
                move |x: f32| if max > min { (x - min) / (max - min) } else { 1.0 }
            };
            let (nl, ns) = (minmax(&l), minmax(&s));
            let mut fused: Vec<(f32, usize, Arm, Arm)> = entries
                .into_iter()
                .map(|(pos, le, se)| {
                    let score = match o.fusion {
                        Fusion::Rrf { k } => {
                            let mut s = 0.0f32;
                            if let Some((r, _)) = le {
                                s += 1.0 / (k + r as f32);
                            }
                            if let Some((r, _)) = se {
                                s += 1.0 / (k + r as f32);
                            }
                            s
                        }
                        Fusion::Weighted { alpha } => {
                            alpha * se.map_or(0.0, |(_, x)| ns(x))
                                + (1.0 - alpha) * le.map_or(0.0, |(_, x)| nl(x))
                        }
                    };
                    (score, pos, le, se)
                })
                .collect();
            fused.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            fused.truncate(limit);
            fused.into_iter().map(|(score, pos, le, se)| (id(pos), score, le, se)).collect()
        }
        (Mode::Sparse, None) => unreachable!(),
    })
}

fn observed(hits: &[Hit]) -> Vec<Expected> {
    hits.iter()
        .map(|h| {
            (
                h.id.clone(),
                h.score,
                h.lexical_rank.zip(h.lexical_score),
                h.sparse_rank.zip(h.sparse_score),
            )
        })
        .collect()
}

fn config() -> impl Strategy<Value = IndexConfig> {
    (any::<bool>(), any::<bool>(), any::<bool>(), 0.0f32..3.0, 0.0f32..=1.0).prop_map(
        |(stemming, stopwords, store_text, k1, b)| IndexConfig {
            analyzer: AnalyzerConfig { stemming, stopwords },
            bm25: Bm25Params { k1, b },
            store_text,
            ..Default::default()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn search_equals_brute_force(
        config in config(),
        ops in prop::collection::vec(arb_op(), 1..25),
        queries in prop::collection::vec(arb_query(), 1..8),
    ) {
        let mut index = Index::new(config).unwrap();
        let mut model = Model::default();
        for op in ops {
            apply(&mut index, &mut model, op);
        }
        let bytes = index.to_bytes();
        let loaded = Index::from_bytes(&bytes).unwrap();
        prop_assert_eq!(loaded.to_bytes(), bytes);
        let mut vacuumed = index.clone();
        vacuumed.vacuum();
        prop_assert_eq!(vacuumed.stats().deleted, 0);
        for (q, o) in &queries {
            let got = index.search(q, o);
            let want = oracle(&index, &model, q, o);
            match (&got, &want) {
                (Ok(g), Ok(w)) => prop_assert_eq!(&observed(g), w, "query {:?} {:?}", q, o),
                (Err(g), Err(w)) => prop_assert_eq!(g, w),
                _ => prop_assert!(false, "got {:?}, want {:?}", got, want),
            }
            // Same full hits (incl. explanations and stored fields) after load and vacuum.
            prop_assert_eq!(&loaded.search(q, o), &got);
            prop_assert_eq!(&vacuumed.search(q, o), &got);
            if let Ok(hits) = &got {
                for h in hits {
                    let d = &model.docs[model.position(&h.id).unwrap()];
                    prop_assert_eq!((&h.title, &h.url, &h.tags, &h.fields), (&d.title, &d.url, &d.tags, &d.fields));
                    if let Some(e) = &h.explanation {
                        prop_assert!(e.lexical.windows(2).all(|w| w[0].score >= w[1].score));
                        prop_assert!(e.sparse.windows(2).all(|w| w[0].product >= w[1].product));
                        if let Some(ls) = h.lexical_score {
                            let sum: f32 = e.lexical.iter().map(|c| c.score).sum();
                            prop_assert!((sum - ls).abs() <= 1e-4 * ls.max(1.0));
                        }
                        if let Some(ss) = h.sparse_score {
                            let sum: f32 = e.sparse.iter().map(|c| c.product).sum();
                            prop_assert!((sum - ss).abs() <= 1e-4 * ss.max(1.0));
                        }
                    }
                }
            }
        }
    }

    /// A failed mutation leaves the index byte-for-byte unchanged.
    #[test]
    fn failed_mutations_change_nothing(docs in prop::collection::vec(arb_doc(), 1..10), extra in arb_doc()) {
        let mut index = Index::new(IndexConfig { max_text_bytes: 40, ..Default::default() }).unwrap();
        let _ = index.add_many(docs.iter().filter(|d| valid(d)).take(1).cloned().collect());
        let before = index.to_bytes();
        for d in docs.into_iter().chain([extra]) {
            for attempt in 0..4 {
                let mut idx = Index::from_bytes(&before).unwrap();
                let ok = match attempt {
                    0 => idx.add(d.clone()).is_ok(),
                    1 => idx.add_many(vec![d.clone(), d.clone()]).is_ok(),
                    2 => idx.add_many(vec![Document::new("fresh", "ok"), d.clone()]).is_ok(),
                    _ => idx.update(d.clone()).is_ok(),
                };
                if !ok {
                    prop_assert_eq!(&idx.to_bytes(), &before);
                }
            }
        }
    }

    /// `add_many` quantizes each weight exactly once with its term's final scale (max / 255).
    #[test]
    fn add_many_quantizes_once(vectors in prop::collection::vec(arb_sparse(), 1..10)) {
        let docs: Vec<Document> = vectors.iter().enumerate()
            .map(|(i, v)| Document::new(format!("d{i}"), "x").with_sparse(v.clone())).collect();
        let mut index = Index::new(IndexConfig::default()).unwrap();
        index.add_many(docs).unwrap();
        let mut max: HashMap<u32, f32> = HashMap::new();
        for v in &vectors {
            for (id, w) in v.iter() {
                let m = max.entry(id).or_insert(w);
                *m = m.max(w);
            }
        }
        for (i, v) in vectors.iter().enumerate() {
            let stored = index.stored_sparse(&format!("d{i}")).unwrap();
            let expected = SparseVector::from_pairs(v.iter().map(|(id, w)| {
                let scale = quantization_scale(max[&id]);
                (id, dequantize(quantize(w, scale), scale))
            })).unwrap();
            prop_assert_eq!(stored, expected);
        }
    }
}
