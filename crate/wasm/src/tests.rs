//! wasm-bindgen tests, run in node by `wasm-bindgen-test-runner` (`cargo test --target
//! wasm32-unknown-unknown`). They exercise the JS boundary itself: conversions, error codes and
//! that a failed call leaves the index intact. Model-backed behaviour is tested from JS against
//! the built package (pkg-config/test), where the model files can be read.

use super::*;
use wasm_bindgen_test::wasm_bindgen_test;

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON parses")
}

fn code_of(err: impl Into<JsValue>) -> String {
    js_sys::Reflect::get(&err.into(), &"code".into()).unwrap().as_string().unwrap()
}

fn message_of(err: impl Into<JsValue>) -> String {
    js_sys::Error::from(err.into()).message().into()
}

fn ids_of(hits: JsValue) -> Vec<String> {
    js_sys::Array::from(&hits)
        .iter()
        .map(|h| js_sys::Reflect::get(&h, &"id".into()).unwrap().as_string().unwrap())
        .collect()
}

fn sample() -> SparrowIndex {
    let mut index = SparrowIndex::new(JsValue::UNDEFINED).unwrap();
    let docs = js(r#"[
        {"id": "a", "title": "Rust", "text": "Rust compiles to WebAssembly and runs in browsers", "tags": ["lang"]},
        {"id": "b", "text": "Roaring bitmaps compress sorted integer sets", "fields": {"year": 2016, "doi": null}},
        {"id": "c", "text": "Browsers run JavaScript and WebAssembly side by side", "tags": ["web"]}
    ]"#);
    index.add_documents(docs, None, None).unwrap();
    index
}

#[wasm_bindgen_test]
fn add_and_search_lexically_without_a_model() {
    let index = sample();
    assert_eq!(index.size(), 3);
    assert!(!index.has_model());
    let hits = index.search("webassembly browsers".into(), JsValue::UNDEFINED).unwrap();
    let ids = ids_of(hits);
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"a".to_owned()) && ids.contains(&"c".to_owned()));
}

#[wasm_bindgen_test]
fn hits_are_camel_case_objects_with_explanations() {
    let index = sample();
    let hits = index.search("bitmaps".into(), js(r#"{"explain": true, "limit": 5}"#)).unwrap();
    let hit = js_sys::Array::from(&hits).get(0);
    for key in ["id", "score", "lexicalScore", "explanation", "fields"] {
        assert!(js_sys::Reflect::has(&hit, &key.into()).unwrap(), "hit has {key}");
    }
    let fields = js_sys::Reflect::get(&hit, &"fields".into()).unwrap();
    assert!(!fields.is_instance_of::<js_sys::Map>(), "fields are a plain object");
    assert_eq!(js_sys::Reflect::get(&fields, &"year".into()).unwrap().as_f64(), Some(2016.0));
    // A user's null stays null; an absent option (no title, no sparse arm) is undefined.
    assert!(js_sys::Reflect::get(&fields, &"doi".into()).unwrap().is_null());
    for key in ["title", "url", "sparseScore", "sparseRank"] {
        assert!(js_sys::Reflect::get(&hit, &key.into()).unwrap().is_undefined(), "{key}");
    }
    let score = js_sys::Reflect::get(&hit, &"score".into()).unwrap().as_f64().unwrap();
    assert!(score > 0.0 && score.is_finite());
}

#[wasm_bindgen_test]
fn duplicate_id_is_a_coded_error_and_keeps_the_index() {
    let mut index = sample();
    let err = JsValue::from(index.add_document(js(r#"{"id": "a", "text": "again"}"#)).unwrap_err());
    assert_eq!(code_of(err.clone()), "DUPLICATE_ID");
    assert!(message_of(err).starts_with("sparrow: "));
    assert_eq!(index.size(), 3);
    // all-or-nothing batches: one duplicate rejects the whole batch
    let err = index
        .add_documents(
            js(r#"[{"id": "d", "text": "new"}, {"id": "b", "text": "dup"}]"#),
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(code_of(err), "DUPLICATE_ID");
    assert!(!index.has("d"));
}

#[wasm_bindgen_test]
fn wrong_types_from_js_are_named() {
    let mut index = sample();
    for bad in [
        r#"{"id": 5, "text": "x"}"#,
        r#"{"text": "no id"}"#,
        r#"{"id": "x", "text": 7}"#,
        r#""just a string""#,
    ] {
        let err = index.add_document(js(bad)).unwrap_err();
        assert_eq!(code_of(err), "INVALID_DOCUMENT", "{bad}");
    }
    let err = index.search(JsValue::from(42), JsValue::UNDEFINED).unwrap_err();
    assert_eq!(code_of(err), "INVALID_QUERY");
    let err = index.search("x".into(), js(r#"{"limit": "ten"}"#)).unwrap_err();
    assert_eq!(code_of(err), "INVALID_OPTION");
    let err = index.search("x".into(), js(r#"{"limit": 0}"#)).unwrap_err();
    assert_eq!(code_of(err), "INVALID_OPTION");
    let err = index.remove_document(JsValue::from(1)).unwrap_err();
    assert_eq!(code_of(err), "INVALID_ID");
    assert_eq!(index.size(), 3);
}

#[wasm_bindgen_test]
fn sparse_mode_without_model_is_refused_but_hybrid_works() {
    let index = sample();
    let err = index.search("rust".into(), js(r#"{"mode": "sparse"}"#)).unwrap_err();
    assert_eq!(code_of(err), "MODEL_NOT_LOADED");
    let hits = index.search("rust".into(), js(r#"{"mode": "hybrid"}"#)).unwrap();
    assert_eq!(ids_of(hits), vec!["a".to_owned()]);
}

#[wasm_bindgen_test]
fn bytes_round_trip_and_bad_bytes_fail_cleanly() {
    let index = sample();
    let bytes = index.to_bytes().unwrap();
    let loaded = SparrowIndex::from_bytes(&bytes).unwrap();
    assert_eq!(
        ids_of(loaded.search("webassembly".into(), JsValue::UNDEFINED).unwrap()),
        ids_of(index.search("webassembly".into(), JsValue::UNDEFINED).unwrap())
    );
    let err = SparrowIndex::from_bytes(&bytes[..bytes.len() / 2]).err().unwrap();
    assert!(code_of(err).starts_with("INDEX_"));
    let err = SparrowIndex::from_bytes(b"\x89PNG\r\n\x1a\n not an index").err().unwrap();
    assert!(code_of(err).starts_with("INDEX_"));
}

#[wasm_bindgen_test]
fn wrong_model_bytes_are_refused_and_lexical_keeps_working() {
    let mut index = sample();
    let err = index.load_model(b"not a model", b"{}", JsValue::UNDEFINED).unwrap_err();
    let code = code_of(err);
    assert!(code.starts_with("MODEL_") || code.starts_with("TOKENIZER_"), "{code}");
    assert!(!index.has_model());
    assert_eq!(ids_of(index.search("bitmaps".into(), JsValue::UNDEFINED).unwrap()), vec!["b"]);
}

#[wasm_bindgen_test]
fn progress_callback_reports_and_a_throwing_callback_adds_nothing() {
    let mut index = SparrowIndex::new(JsValue::UNDEFINED).unwrap();
    let calls = js_sys::Array::new();
    let record = js_sys::Function::new_with_args("done, total", "this.push([done, total])");
    let record = record.bind0(&calls);
    let docs = js(r#"[{"id":"1","text":"one"},{"id":"2","text":"two"},{"id":"3","text":"three"}]"#);
    index.add_documents(docs, Some(record), Some(2)).unwrap();
    assert_eq!(calls.length(), 2);
    let thrower = js_sys::Function::new_no_args("throw new Error('stop')");
    let err =
        index.add_documents(js(r#"[{"id":"4","text":"four"}]"#), Some(thrower), None).unwrap_err();
    assert_eq!(code_of(err), "CALLBACK_FAILED");
    assert_eq!(index.size(), 3);
}
