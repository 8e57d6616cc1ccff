//! Search hits to JS through one `JSON.parse` instead of serde-wasm-bindgen.
//!
//! Why: serde-wasm-bindgen builds each object with one JS call per property; for a page of 100
//! hits (id, scores, ranks, title, url, tags, fields) that was ~20 µs per hit in node, 10–20× the
//! search itself (`tests/bench/peers.mjs`: 2.3 ms per lexical SciFact query in wasm against 0.13 ms
//! natively). Serializing the page to JSON in Rust and parsing it once in JS does the same in one
//! boundary crossing.
//!
//! The JS shape stays what `to_js` gave: absent options are left out (`undefined` in JS, as with
//! `serialize_missing_as_null(false)`), user fields keep their JSON values (nulls included).
//! Scores are `f32` printed shortest-round-trip, so JS sees `0.1` rather than
//! `0.10000000149011612`: the same `f32`, nearer to what the user expects.

use serde::Serialize;
use serde_json::{Map, Value};
use sparrow_core::{Explanation, Hit, LexicalTermContribution, SparseTermContribution};
use wasm_bindgen::JsValue;

use crate::error::{BindingError, Result};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsHit<'a> {
    id: &'a str,
    score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    lexical_score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sparse_score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lexical_rank: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sparse_rank: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    tags: &'a [String],
    fields: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<JsExplanation<'a>>,
}

#[derive(Serialize)]
struct JsExplanation<'a> {
    lexical: &'a [LexicalTermContribution],
    sparse: Vec<JsSparseTerm<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsSparseTerm<'a> {
    term_id: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    term: Option<&'a str>,
    query_weight: f32,
    doc_weight: f32,
    product: f32,
}

fn explanation(e: &Explanation) -> JsExplanation<'_> {
    JsExplanation {
        lexical: &e.lexical,
        sparse: e
            .sparse
            .iter()
            .map(|s: &SparseTermContribution| JsSparseTerm {
                term_id: s.term_id,
                term: s.term.as_deref(),
                query_weight: s.query_weight,
                doc_weight: s.doc_weight,
                product: s.product,
            })
            .collect(),
    }
}

/// The hits as a JS array of plain objects.
pub(crate) fn hits_to_js(hits: &[Hit]) -> Result<JsValue> {
    let page: Vec<JsHit<'_>> = hits
        .iter()
        .map(|h| JsHit {
            id: &h.id,
            score: h.score,
            lexical_score: h.lexical_score,
            sparse_score: h.sparse_score,
            lexical_rank: h.lexical_rank,
            sparse_rank: h.sparse_rank,
            title: h.title.as_deref(),
            url: h.url.as_deref(),
            tags: &h.tags,
            fields: &h.fields,
            explanation: h.explanation.as_ref().map(explanation),
        })
        .collect();
    let json = serde_json::to_string(&page).map_err(|e| BindingError::internal(e.to_string()))?;
    js_sys::JSON::parse(&json)
        .map_err(|_| BindingError::internal("JSON.parse of search hits failed"))
}
