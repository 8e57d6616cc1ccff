//! Whatever the index accepts, its format writes and reads back: a property test over
//! documents with arbitrary text, ids, tags and JSON fields (including nesting around the
//! [`MAX_FIELD_DEPTH`] bound), plus the bound itself.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use sparrow_core::*;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    let tree = leaf.prop_recursive(6, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    // Deep chains around the bound: objects and arrays alternating, 0..100 levels.
    let chain = (0usize..100, any::<bool>()).prop_map(|(depth, arrays)| {
        let mut v = json!("leaf");
        for i in 0..depth {
            v = if arrays && i % 2 == 0 { json!([v]) } else { json!({ "k": v }) };
        }
        v
    });
    prop_oneof![tree, chain]
}

fn arb_doc() -> impl Strategy<Value = Document> {
    (
        ".{0,20}",
        prop::option::of(".{0,30}"),
        ".{0,80}",
        prop::option::of(".{0,30}"),
        prop::collection::vec(".{0,10}", 0..4),
        prop::collection::btree_map(".{0,8}", arb_json(), 0..4),
    )
        .prop_map(|(id, title, text, url, tags, fields)| Document {
            id,
            title,
            text,
            url,
            tags,
            fields: fields.into_iter().collect(),
            ..Document::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn accepted_documents_round_trip(docs in prop::collection::vec(arb_doc(), 1..6)) {
        let mut index = Index::new(IndexConfig::default()).unwrap();
        let mut accepted = Vec::new();
        for doc in docs {
            if index.add(doc.clone()).is_ok() {
                accepted.push(doc);
            }
        }
        let bytes = index.to_bytes();
        let loaded = Index::from_bytes(&bytes);
        prop_assert!(loaded.is_ok(), "written but unreadable: {:?}", loaded.err());
        let loaded = loaded.unwrap();
        prop_assert_eq!(loaded.len(), accepted.len());
        for doc in &accepted {
            let got = loaded.get(&doc.id).unwrap();
            prop_assert_eq!(got.fields, &doc.fields);
            prop_assert_eq!(got.title, doc.title.as_deref());
            prop_assert_eq!(got.tags, doc.tags.as_slice());
        }
        prop_assert_eq!(loaded.to_bytes(), bytes);
    }
}

fn nested(depth: usize) -> Map<String, Value> {
    let mut v = json!(1);
    for _ in 1..depth {
        v = json!({ "a": v });
    }
    let mut m = Map::new();
    m.insert("f".into(), v);
    m
}

#[test]
fn field_depth_bound_is_the_same_for_add_write_and_read() {
    let mut index = Index::new(IndexConfig::default()).unwrap();
    let at_limit = Document { fields: nested(MAX_FIELD_DEPTH), ..Document::new("ok", "x") };
    index.add(at_limit.clone()).unwrap();
    let loaded = Index::from_bytes(&index.to_bytes()).unwrap();
    assert_eq!(loaded.get("ok").unwrap().fields, &at_limit.fields);
    for depth in [MAX_FIELD_DEPTH + 1, 200] {
        let deep = Document { fields: nested(depth), ..Document::new("deep", "x") };
        let e = index.add(deep).unwrap_err();
        assert_eq!(e.code(), "INVALID_DOCUMENT", "{depth}: {e}");
        assert_eq!(
            e.to_string(),
            format!(
                "document \"deep\" cannot be indexed: its fields nest deeper than {MAX_FIELD_DEPTH} levels"
            )
        );
    }
    assert_eq!(index.len(), 1, "a refused document changes nothing");
    // Fields count against the size bound too.
    let config = IndexConfig { max_text_bytes: 100, ..IndexConfig::default() };
    let mut small = Index::new(config).unwrap();
    let big = Document::new("big", "x").with_field("f", "y".repeat(200));
    assert_eq!(small.add(big).unwrap_err().code(), "INVALID_DOCUMENT");
}

#[test]
fn queries_are_bounded() {
    let mut index = Index::new(IndexConfig::default()).unwrap();
    index.add(Document::new("a", "hello world")).unwrap();
    let opts = SearchOptions::default();
    let long = "hello ".repeat(MAX_QUERY_BYTES / 6 + 1);
    let e = index.search(&Query::new(long), &opts).unwrap_err();
    assert_eq!(e.code(), "QUERY_TOO_LARGE");
    assert!(e.to_string().contains(&format!("the maximum is {MAX_QUERY_BYTES}")), "{e}");
    // Under the byte bound but too many distinct terms.
    let many: Vec<String> = (0..MAX_QUERY_TERMS + 1).map(|i| format!("w{i}")).collect();
    let many = many.join(" ");
    assert!(many.len() <= MAX_QUERY_BYTES);
    let e = index.search(&Query::new(many), &opts).unwrap_err();
    assert_eq!(e.code(), "QUERY_TOO_LARGE");
    // At the bounds, a query runs (and repeated terms count once).
    let ok: Vec<String> = (0..MAX_QUERY_TERMS - 1).map(|i| format!("w{i}")).collect();
    let ok = format!("{} hello hello", ok.join(" "));
    assert_eq!(index.search(&Query::new(ok), &opts).unwrap()[0].id, "a");
}
