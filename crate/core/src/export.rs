//! Sparrow's documents, vectors and queries in the shapes other engines take, for a collection
//! that outgrows the browser: **Elasticsearch** (`sparse_vector` field and query, retrievers),
//! **OpenSearch** (`rank_features` field, `neural_sparse` query, `hybrid` query with a
//! normalization pipeline) and **Anserini** (Lucene impact indexes: `JsonVectorCollection` and
//! pretokenized queries).
//!
//! Pure functions from Sparrow's types to JSON values: the CLI (`sparrow export`,
//! `sparrow query-vector`) writes them to files, the wasm module returns them from
//! `queryVector`. Every engine rule lives here, once, and each is a unit test below:
//!
//! * **Feature names** are the model's vocabulary strings, as ELSER's are. Elasticsearch and
//!   OpenSearch refuse a dot in a feature name (`[sparse_vector] fields do not support dots in
//!   feature names`; the same for `rank_features`), and BERT's vocabulary has tokens such as `.`
//!   and `...`: each `.` is written as U+2024 ONE DOT LEADER ([`DOT`]), which no vocabulary
//!   token of the model contains (tested in the CLI against the real vocabulary), for documents
//!   and queries alike. Anserini's pretokenized analyzer splits on whitespace only, so its names
//!   stay as they are.
//! * **Document weights** go into Lucene's `FeatureField` in both engines: strictly positive,
//!   finite, normal floats, of which Lucene keeps **9 significant bits** (it stores
//!   `bits >>> 15` as a term frequency, a relative error up to 0.4%). We write exactly what it
//!   keeps ([`lucene_feature_value`]): nothing is lost that the engine would have kept, numbers
//!   are shorter, and a weight the engine would refuse is left out.
//! * **Query weights** become Lucene linear feature queries, whose weight must lie in `(0, 64]`.
//!   A query whose largest weight is above 64 (an IDF lookup weight over a huge collection could
//!   be) is scaled down as a whole: its ranking, and min-max or RRF fusion, do not change.
//! * **Anserini** indexes integer impacts: a weight `w` becomes `round(w × scale)` repetitions of
//!   the token (`scale` 100 by default, as Anserini's SPLADE regressions use); 0 is left out.
//!   Queries are the same: a token repeated `round(w × scale)` times.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::config::Bm25Params;
use crate::document::StoredDoc;
use crate::error::{Error, Result};
use crate::fusion::Fusion;
use crate::search::{Mode, SearchOptions};

/// The engine an export or a query body is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "EngineFormat"))]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Elasticsearch 8.18+ / 9.x: `sparse_vector`, retrievers (`rrf`, `linear`).
    Elasticsearch,
    /// OpenSearch 2.19+ / 3.x: `rank_features` + `neural_sparse`, `hybrid` + search pipeline.
    Opensearch,
    /// Anserini (Lucene) impact indexes: integer weights, pretokenized queries.
    Anserini,
}

impl Engine {
    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Elasticsearch => "elasticsearch",
            Engine::Opensearch => "opensearch",
            Engine::Anserini => "anserini",
        }
    }

    /// Parses [`name`](Self::name).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] naming the accepted values.
    pub fn parse(name: &str) -> Result<Engine> {
        match name {
            "elasticsearch" => Ok(Engine::Elasticsearch),
            "opensearch" => Ok(Engine::Opensearch),
            "anserini" => Ok(Engine::Anserini),
            other => Err(Error::InvalidOption {
                name: "format".into(),
                reason: format!(
                    "unknown export format {other:?}: use \"elasticsearch\", \"opensearch\" or \"anserini\""
                ),
            }),
        }
    }
}

/// What a `.` in a token is written as in Elasticsearch and OpenSearch feature names.
pub const DOT: char = '\u{2024}';

/// The name of the sparse field in exported documents and queries.
pub const SPARSE_FIELD: &str = "sparse";

/// The text field BM25 runs on in Elasticsearch and OpenSearch: title and text copied into one
/// field, as Sparrow analyses them together.
pub const CONTENT_FIELD: &str = "content";

/// The default integer scale of Anserini impacts.
pub const DEFAULT_IMPACT_SCALE: f32 = 100.0;

/// The largest weight a Lucene linear feature query takes.
pub const MAX_QUERY_WEIGHT: f32 = 64.0;

/// A token's feature name for `engine` (see the module docs for why a `.` is replaced).
///
/// ```
/// use sparrow_core::export::{feature_name, Engine};
/// assert_eq!(feature_name(Engine::Elasticsearch, "##s"), "##s");
/// assert_eq!(feature_name(Engine::Opensearch, "..."), "\u{2024}\u{2024}\u{2024}");
/// assert_eq!(feature_name(Engine::Anserini, "..."), "...");
/// ```
pub fn feature_name(engine: Engine, token: &str) -> Cow<'_, str> {
    if engine != Engine::Anserini && token.contains('.') {
        Cow::Owned(token.replace('.', &DOT.to_string()))
    } else {
        Cow::Borrowed(token)
    }
}

/// The value Lucene's `FeatureField` keeps of `w` (9 significant bits: the float's top 17 bits),
/// or `None` when it would refuse it (not finite, not a positive normal float, or zero once
/// truncated).
///
/// ```
/// use sparrow_core::export::lucene_feature_value;
/// assert_eq!(lucene_feature_value(1.0), Some(1.0));
/// assert_eq!(lucene_feature_value(1.001), Some(1.0)); // below 1 + 2^-8: truncated
/// assert_eq!(lucene_feature_value(0.0), None);
/// assert_eq!(lucene_feature_value(-1.0), None);
/// assert_eq!(lucene_feature_value(f32::NAN), None);
/// ```
pub fn lucene_feature_value(w: f32) -> Option<f32> {
    if !w.is_finite() || w < f32::MIN_POSITIVE {
        return None;
    }
    let kept = f32::from_bits(w.to_bits() & !0x7fff);
    (kept > 0.0).then_some(kept)
}

/// An Anserini impact: `round(w × scale)`, `None` when that is 0 (or `w` is not a positive
/// finite number).
pub fn impact(w: f32, scale: f32) -> Option<u32> {
    if !w.is_finite() || w <= 0.0 {
        return None;
    }
    let q = (f64::from(w) * f64::from(scale)).round();
    (q >= 1.0).then(|| q.min(f64::from(u32::MAX)) as u32)
}

/// A JSON number for an `f32`, written as its shortest decimal (`0.35`, not
/// `0.3499999940395355`).
pub fn num32(x: f32) -> Value {
    x.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// A document's vector as `engine` indexes it: `{feature: weight}` (Elasticsearch, OpenSearch:
/// [`lucene_feature_value`]) or `{token: impact}` (Anserini: [`impact`]). Weights the engine
/// would refuse are left out; a token that appears twice keeps its larger weight.
pub fn document_vector<'a>(
    engine: Engine,
    terms: impl IntoIterator<Item = (&'a str, f32)>,
    scale: f32,
) -> Map<String, Value> {
    let mut out: Map<String, Value> = Map::new();
    for (token, w) in terms {
        let value = match engine {
            Engine::Anserini => impact(w, scale).map(|q| (f64::from(q), json!(q))),
            _ => lucene_feature_value(w).map(|v| (f64::from(v), num32(v))),
        };
        let Some((v, json)) = value else { continue };
        let name = feature_name(engine, token).into_owned();
        if out.get(&name).and_then(Value::as_f64).is_none_or(|old| v > old) {
            out.insert(name, json);
        }
    }
    out
}

/// A query's vector as `engine` takes it: Elasticsearch and OpenSearch weights in `(0, 64]`
/// (scaled down as a whole when the largest is above 64), Anserini integer repetitions.
pub fn query_vector<'a>(
    engine: Engine,
    terms: impl IntoIterator<Item = (&'a str, f32)>,
    scale: f32,
) -> Map<String, Value> {
    let terms: Vec<(&str, f32)> =
        terms.into_iter().filter(|(_, w)| w.is_finite() && *w > 0.0).collect();
    if engine == Engine::Anserini {
        return document_vector(engine, terms, scale);
    }
    let max = terms.iter().map(|t| t.1).fold(0.0f32, f32::max);
    let factor = if max > MAX_QUERY_WEIGHT { MAX_QUERY_WEIGHT / max } else { 1.0 };
    let mut out = Map::new();
    for (token, w) in terms {
        let w = (w * factor).min(MAX_QUERY_WEIGHT);
        if w > 0.0 {
            out.insert(feature_name(engine, token).into_owned(), num32(w));
        }
    }
    out
}

/// An Anserini pretokenized query string: each token repeated by its integer weight (the
/// `title` of a `JsonString` topic; Anserini's impact scorer counts the repetitions).
pub fn anserini_query_string(vector: &Map<String, Value>) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for (token, n) in vector {
        let n = n.as_u64().unwrap_or(0);
        parts.extend(std::iter::repeat_n(token.as_str(), n as usize));
    }
    parts.join(" ")
}

/// What a search body asks for.
#[derive(Clone, Debug)]
pub struct EngineQuery<'a> {
    /// The query text (BM25 arm).
    pub text: &'a str,
    /// The query's vector, already in the engine's shape ([`query_vector`]); `None` for a
    /// lexical query.
    pub vector: Option<&'a Map<String, Value>>,
    /// Lexical, sparse or hybrid.
    pub mode: Mode,
    /// How hybrid mode fuses the arms.
    pub fusion: Fusion,
    /// Candidates per arm in hybrid mode (Sparrow's `candidates`).
    pub candidates: usize,
    /// Hits to return.
    pub limit: usize,
}

/// The search request body for `query` (Elasticsearch: `POST /INDEX/_search`; OpenSearch the
/// same, hybrid with `?search_pipeline=` [`opensearch_pipeline`]; Anserini: one `JsonString`
/// topic, `{"title": "..."}`, for the impact index or, lexical, for the BM25 index).
///
/// # Errors
///
/// [`Error::InvalidOption`] for sparse or hybrid mode without a vector, and for hybrid mode in
/// Anserini (it fuses runs afterwards, with `FuseRuns`, not in a query).
pub fn search_body(engine: Engine, query: &EngineQuery<'_>) -> Result<Value> {
    let need_vector = || {
        query.vector.ok_or_else(|| Error::InvalidOption {
            name: "mode".into(),
            reason: format!("mode {:?} needs the query's vector", query.mode),
        })
    };
    let lexical = json!({ "match": { CONTENT_FIELD: { "query": query.text } } });
    let sparse = |v: &Map<String, Value>| match engine {
        Engine::Opensearch => {
            json!({ "neural_sparse": { SPARSE_FIELD: { "query_tokens": v } } })
        }
        _ => json!({ "sparse_vector": { "field": SPARSE_FIELD, "query_vector": v } }),
    };
    if engine == Engine::Anserini {
        return match query.mode {
            Mode::Lexical => Ok(json!({ "title": query.text })),
            Mode::Sparse => Ok(json!({ "title": anserini_query_string(need_vector()?) })),
            Mode::Hybrid => Err(Error::InvalidOption {
                name: "mode".into(),
                reason: "Anserini has no hybrid query: run the lexical and the impact topics, then fuse the runs (io.anserini.fusion.FuseRuns)".into(),
            }),
        };
    }
    let size = query.limit;
    Ok(match query.mode {
        Mode::Lexical => json!({ "size": size, "query": lexical }),
        Mode::Sparse => json!({ "size": size, "query": sparse(need_vector()?) }),
        Mode::Hybrid => {
            let sparse = sparse(need_vector()?);
            match engine {
                Engine::Opensearch => json!({
                    "size": size,
                    "query": { "hybrid": {
                        "queries": [lexical, sparse],
                        "pagination_depth": query.candidates,
                    } }
                }),
                _ => match query.fusion {
                    Fusion::Rrf { k } => json!({
                        "size": size,
                        "retriever": { "rrf": {
                            "retrievers": [
                                { "standard": { "query": lexical } },
                                { "standard": { "query": sparse } },
                            ],
                            "rank_constant": rank_constant(k),
                            "rank_window_size": query.candidates.max(size),
                        } }
                    }),
                    Fusion::Weighted { alpha } => json!({
                        "size": size,
                        "retriever": { "linear": {
                            "retrievers": [
                                { "retriever": { "standard": { "query": lexical } },
                                  "weight": num32(1.0 - alpha), "normalizer": "minmax" },
                                { "retriever": { "standard": { "query": sparse } },
                                  "weight": num32(alpha), "normalizer": "minmax" },
                            ],
                            "rank_window_size": query.candidates.max(size),
                        } }
                    }),
                },
            }
        }
    })
}

/// Options of a query request for another engine (the npm package's
/// `queryVector(text, options)`): JSON `{"format": "elasticsearch", "scale": 100, ...}` plus any
/// [`SearchOptions`] (`mode`, `fusion`, `candidates`, `limit`, `queryEncoder`). `mode` defaults to
/// `"sparse"` here (the query's vector); `"hybrid"` gives the fused request.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "QueryVectorOptions"))]
#[serde(rename_all = "camelCase")]
pub struct EngineQueryOptions {
    /// The engine.
    pub format: Engine,
    /// Anserini's integer scale (default [`DEFAULT_IMPACT_SCALE`]).
    #[serde(default = "default_scale")]
    #[cfg_attr(feature = "ts", ts(as = "Option<f32>", optional))]
    pub scale: f32,
    /// Mode, fusion, candidates, limit and query encoder, as for a search.
    #[serde(flatten)]
    pub search: SearchOptions,
}

fn default_scale() -> f32 {
    DEFAULT_IMPACT_SCALE
}

impl EngineQueryOptions {
    /// Parses the options (a missing `mode` is `"sparse"`) and checks them.
    ///
    /// ```
    /// use sparrow_core::export::{Engine, EngineQueryOptions};
    /// use sparrow_core::Mode;
    /// let o = EngineQueryOptions::from_json(r#"{"format": "opensearch"}"#).unwrap();
    /// assert_eq!((o.format, o.search.mode, o.scale), (Engine::Opensearch, Mode::Sparse, 100.0));
    /// let e = EngineQueryOptions::from_json(r#"{"format": "solr"}"#).unwrap_err();
    /// assert_eq!(e.code(), "INVALID_OPTION");
    /// assert!(e.to_string().contains("solr"));
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`]: not an object, a missing or unknown `format`, a `scale` that is
    /// not a positive number, or a bad search option.
    pub fn from_json(json: &str) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidOption { name: "format".into(), reason };
        let mut value: Value = serde_json::from_str(json)
            .map_err(|e| invalid(format!("query vector options are not JSON: {e}")))?;
        let Some(obj) = value.as_object_mut() else {
            return Err(invalid(
                "query vector options must be an object like {\"format\": \"elasticsearch\"}"
                    .into(),
            ));
        };
        match obj.get("format") {
            Some(Value::String(f)) => {
                Engine::parse(f)?;
            }
            _ => {
                return Err(invalid(
                    "`format` is required: \"elasticsearch\", \"opensearch\" or \"anserini\""
                        .into(),
                ))
            }
        }
        obj.entry("mode").or_insert_with(|| json!("sparse"));
        let options: EngineQueryOptions = serde_json::from_value(value)
            .map_err(|e| invalid(format!("invalid query vector options: {e}")))?;
        if !(options.scale.is_finite() && options.scale > 0.0) {
            return Err(Error::InvalidOption {
                name: "scale".into(),
                reason: format!("must be a positive number, got {}", options.scale),
            });
        }
        options.search.validate()?;
        Ok(options)
    }
}

/// Everything another engine needs to run the query Sparrow would run: `{"format", "vector",
/// "body"}` (`vector`: the query's weights in the engine's shape, `null` in lexical mode;
/// `body`: [`search_body`]) and, for an OpenSearch hybrid query, `"pipeline"`
/// ([`opensearch_pipeline`]). `terms`: the query's sparse vector, named.
///
/// # Errors
///
/// As [`search_body`].
pub fn query_request<'a>(
    text: &str,
    terms: Option<impl IntoIterator<Item = (&'a str, f32)>>,
    options: &EngineQueryOptions,
) -> Result<Value> {
    let engine = options.format;
    let mode = options.search.mode;
    let vector = match mode {
        Mode::Lexical => None,
        _ => terms.map(|t| query_vector(engine, t, options.scale)),
    };
    let body = search_body(
        engine,
        &EngineQuery {
            text,
            vector: vector.as_ref(),
            mode,
            fusion: options.search.fusion,
            candidates: options.search.candidates,
            limit: options.search.limit,
        },
    )?;
    let mut out = json!({ "format": engine, "vector": vector, "body": body });
    if engine == Engine::Opensearch && mode == Mode::Hybrid {
        out["pipeline"] = opensearch_pipeline(options.search.fusion);
    }
    Ok(out)
}

/// Elasticsearch's and OpenSearch's RRF `rank_constant` is an integer `>= 1`; Sparrow's `k` is
/// any number `>= 0`. The nearest allowed value.
pub fn rank_constant(k: f32) -> u32 {
    if k.is_finite() {
        k.round().clamp(1.0, 1e9) as u32
    } else {
        1
    }
}

/// The OpenSearch search pipeline that fuses a `hybrid` query as `fusion` does
/// (`PUT /_search/pipeline/NAME`): min-max normalization + weighted arithmetic mean, or RRF
/// (`score-ranker-processor`, OpenSearch 2.19+). The `hybrid` query lists the lexical query
/// first, so the weights are `[1 - alpha, alpha]`.
///
/// Where it differs from Sparrow: OpenSearch's arithmetic mean divides by the weights of the
/// sub-queries that matched the document, so a document found by one arm only is not
/// down-weighted as Sparrow's `alpha * s + (1 - alpha) * l` does.
pub fn opensearch_pipeline(fusion: Fusion) -> Value {
    let processor = match fusion {
        Fusion::Weighted { alpha } => json!({ "normalization-processor": {
            "normalization": { "technique": "min_max" },
            "combination": {
                "technique": "arithmetic_mean",
                "parameters": { "weights": [num32(1.0 - alpha), num32(alpha)] }
            }
        } }),
        Fusion::Rrf { k } => json!({ "score-ranker-processor": {
            "combination": { "technique": "rrf", "rank_constant": rank_constant(k) }
        } }),
    };
    json!({
        "description": "Sparrow's hybrid fusion (written by sparrow export)",
        "phase_results_processors": [processor]
    })
}

/// The name of the BM25 similarity the export defines with the index's `k1` and `b`.
pub const SIMILARITY: &str = "sparrow_bm25";

/// The index-creation body (`PUT /INDEX`) for Elasticsearch or OpenSearch: a BM25 similarity
/// with the index's `k1`/`b` ([`SIMILARITY`]) on `title`, `text` and the [`CONTENT_FIELD`] they
/// are copied into (Sparrow analyses title and text together; its Snowball stemmer and stop
/// words are close to, not the same as, the `english` analyzer), `url` stored, `tags` and string
/// `fields.*` as keywords (Sparrow's filters are exact matches), numbers as numbers, and the
/// sparse field.
///
/// # Errors
///
/// [`Error::InvalidOption`] for Anserini (it takes no index body).
pub fn index_body(engine: Engine, bm25: Bm25Params) -> Result<Value> {
    let sparse_type = match engine {
        Engine::Elasticsearch => "sparse_vector",
        Engine::Opensearch => "rank_features",
        Engine::Anserini => {
            return Err(Error::InvalidOption {
                name: "format".into(),
                reason: "Anserini builds its index from the collection files; it has no index body"
                    .into(),
            })
        }
    };
    let text = json!({
        "type": "text", "analyzer": "english", "similarity": SIMILARITY, "copy_to": CONTENT_FIELD
    });
    Ok(json!({
        "settings": { "index": { "similarity": { SIMILARITY: {
            "type": "BM25", "k1": num32(bm25.k1), "b": num32(bm25.b), "discount_overlaps": true
        } } } },
        "mappings": {
            "dynamic_templates": [{ "sparrow_fields_strings": {
                "path_match": "fields.*",
                "match_mapping_type": "string",
                "mapping": { "type": "keyword" }
            } }],
            "properties": {
                "title": text,
                "text": text,
                CONTENT_FIELD: { "type": "text", "analyzer": "english", "similarity": SIMILARITY },
                "url": { "type": "keyword", "index": false },
                "tags": { "type": "keyword" },
                "fields": { "type": "object", "dynamic": true },
                SPARSE_FIELD: { "type": sparse_type }
            }
        }
    }))
}

/// A document's `_source` for Elasticsearch and OpenSearch: the stored values that exist and
/// the vector ([`document_vector`]) when it has one.
pub fn document_source(doc: &StoredDoc<'_>, vector: Option<Map<String, Value>>) -> Value {
    let mut source = Map::new();
    if let Some(t) = doc.title {
        source.insert("title".into(), json!(t));
    }
    if let Some(t) = doc.text {
        source.insert("text".into(), json!(t));
    }
    if let Some(u) = doc.url {
        source.insert("url".into(), json!(u));
    }
    if !doc.tags.is_empty() {
        source.insert("tags".into(), json!(doc.tags));
    }
    if !doc.fields.is_empty() {
        source.insert("fields".into(), Value::Object(doc.fields.clone()));
    }
    if let Some(v) = vector.filter(|v| !v.is_empty()) {
        source.insert(SPARSE_FIELD.into(), Value::Object(v));
    }
    Value::Object(source)
}

/// The bulk action line that precedes a document's source.
pub fn bulk_action(index: &str, id: &str) -> Value {
    json!({ "index": { "_index": index, "_id": id } })
}

/// An Anserini `JsonVectorCollection` line (`vector` present) or `JsonCollection` line (the BM25
/// anchor): `contents` is title and text as Sparrow indexes them.
pub fn anserini_document(doc: &StoredDoc<'_>, vector: Option<Map<String, Value>>) -> Value {
    let contents = match (doc.title, doc.text) {
        (Some(t), Some(x)) if !t.is_empty() => format!("{t}\n{x}"),
        (Some(t), None) => t.to_owned(),
        (_, Some(x)) => x.to_owned(),
        (None, None) => String::new(),
    };
    let mut line = json!({ "id": doc.id, "contents": contents });
    if let Some(v) = vector {
        line["vector"] = Value::Object(v);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_replaced_for_the_engines_that_refuse_them() {
        let v = document_vector(Engine::Elasticsearch, [("a.b", 1.0), ("x", 2.0)], 100.0);
        assert_eq!(Value::Object(v), json!({ "a\u{2024}b": 1.0, "x": 2.0 }));
        let q = query_vector(Engine::Opensearch, [(".", 0.5)], 100.0);
        assert_eq!(Value::Object(q), json!({ "\u{2024}": 0.5 }));
        let a = document_vector(Engine::Anserini, [("a.b", 1.0)], 100.0);
        assert_eq!(Value::Object(a), json!({ "a.b": 100 }));
    }

    #[test]
    fn document_weights_are_what_lucene_keeps() {
        // 0.3 = 0x3e99999a: the low 15 bits go.
        let kept = lucene_feature_value(0.3).unwrap();
        assert_eq!(kept.to_bits(), 0x3e99_8000);
        assert!((0.3 - kept) / 0.3 < 0.004, "relative error below 2^-8");
        // Lucene keeps it exactly: truncating again changes nothing.
        assert_eq!(lucene_feature_value(kept), Some(kept));
        for bad in [0.0, -0.0, -1.0, f32::INFINITY, f32::NAN, 1e-40] {
            assert_eq!(lucene_feature_value(bad), None, "{bad}");
        }
        let v = document_vector(Engine::Elasticsearch, [("a", 0.0), ("b", -2.0), ("c", 0.3)], 1.0);
        assert_eq!(v.keys().collect::<Vec<_>>(), ["c"]);
        assert_eq!(v["c"], num32(kept));
    }

    #[test]
    fn a_token_twice_keeps_its_larger_weight() {
        let v = document_vector(Engine::Elasticsearch, [("a.", 1.0), ("a\u{2024}", 3.0)], 1.0);
        assert_eq!(Value::Object(v), json!({ "a\u{2024}": 3.0 }));
    }

    #[test]
    fn query_weights_fit_lucene_linear_queries() {
        let q = query_vector(Engine::Elasticsearch, [("a", 128.0), ("b", 32.0), ("c", -1.0)], 1.0);
        assert_eq!(Value::Object(q), json!({ "a": 64.0, "b": 16.0 }));
        let q = query_vector(Engine::Elasticsearch, [("a", 1.5)], 1.0);
        assert_eq!(Value::Object(q), json!({ "a": 1.5 }));
    }

    #[test]
    fn anserini_impacts_are_rounded_integers() {
        assert_eq!(impact(1.234, 100.0), Some(123));
        assert_eq!(impact(0.004, 100.0), None);
        assert_eq!(impact(0.006, 100.0), Some(1));
        assert_eq!(impact(f32::NAN, 100.0), None);
        let v = query_vector(Engine::Anserini, [("cat", 0.02), ("##s", 0.011)], 100.0);
        assert_eq!(anserini_query_string(&v), "##s cat cat");
    }

    #[test]
    fn search_bodies() {
        let v = query_vector(Engine::Elasticsearch, [("cat", 1.5)], 1.0);
        let mut q = EngineQuery {
            text: "cats",
            vector: Some(&v),
            mode: Mode::Hybrid,
            fusion: Fusion::Weighted { alpha: 0.35 },
            candidates: 100,
            limit: 10,
        };
        let es = search_body(Engine::Elasticsearch, &q).unwrap();
        let linear = &es["retriever"]["linear"];
        assert_eq!(linear["rank_window_size"], 100);
        assert_eq!(linear["retrievers"][0]["weight"], json!(0.65));
        assert_eq!(linear["retrievers"][1]["weight"], json!(0.35));
        assert_eq!(
            linear["retrievers"][1]["retriever"]["standard"]["query"],
            json!({ "sparse_vector": { "field": "sparse", "query_vector": { "cat": 1.5 } } })
        );
        q.fusion = Fusion::Rrf { k: 3.0 };
        let es = search_body(Engine::Elasticsearch, &q).unwrap();
        assert_eq!(es["retriever"]["rrf"]["rank_constant"], 3);
        let os = search_body(Engine::Opensearch, &q).unwrap();
        assert_eq!(
            os["query"]["hybrid"]["queries"][1],
            json!({ "neural_sparse": { "sparse": { "query_tokens": { "cat": 1.5 } } } })
        );
        assert!(search_body(Engine::Anserini, &q).is_err());
        q.mode = Mode::Lexical;
        q.vector = None;
        assert_eq!(
            search_body(Engine::Elasticsearch, &q).unwrap(),
            json!({ "size": 10, "query": { "match": { "content": { "query": "cats" } } } })
        );
        q.mode = Mode::Sparse;
        assert_eq!(search_body(Engine::Opensearch, &q).unwrap_err().code(), "INVALID_OPTION");
    }

    #[test]
    fn rrf_constant_is_an_integer_of_at_least_one() {
        assert_eq!(rank_constant(60.0), 60);
        assert_eq!(rank_constant(0.0), 1);
        assert_eq!(rank_constant(2.6), 3);
        assert_eq!(rank_constant(f32::NAN), 1);
    }

    #[test]
    fn pipeline_weights_follow_the_hybrid_query_order() {
        let p = opensearch_pipeline(Fusion::Weighted { alpha: 0.35 });
        let c = &p["phase_results_processors"][0]["normalization-processor"]["combination"];
        assert_eq!(c["parameters"]["weights"], json!([0.65, 0.35]));
    }

    #[test]
    fn engine_names_round_trip() {
        for e in [Engine::Elasticsearch, Engine::Opensearch, Engine::Anserini] {
            assert_eq!(Engine::parse(e.name()).unwrap(), e);
            assert_eq!(serde_json::to_value(e).unwrap(), json!(e.name()));
        }
        assert!(Engine::parse("solr").unwrap_err().to_string().contains("solr"));
    }
}
