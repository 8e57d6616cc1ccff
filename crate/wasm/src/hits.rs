//! Search hits to JS through one `JSON.parse` instead of serde-wasm-bindgen.
//!
//! Why: serde-wasm-bindgen builds each object with one JS call per property; for a page of 100
//! hits (id, scores, ranks, title, url, tags, fields) that was ~20 µs per hit in node, 10–20× the
//! search itself (`tests/bench/peers.mjs`: 2.3 ms per lexical SciFact query in wasm against 0.13 ms
//! natively). Serializing the page to JSON in Rust and parsing it once in JS does the same in one
//! boundary crossing (every structured result now crosses this way). The shape is the core's `Hit` serde shape (absent options left out, user
//! fields as given, `f32` scores printed shortest-round-trip): no copy of it lives here.

use sparrow_core::Hit;

use crate::error::Result;

/// The hits as JSON (an array of plain objects once parsed).
pub(crate) fn to_json(hits: &[Hit]) -> Result<String> {
    crate::to_json(hits)
}
