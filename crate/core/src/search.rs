//! Query, search options and results.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::fusion::Fusion;
use crate::sparse::SparseVector;
use std::result::Result as StdResult;

/// What to search for: text (for BM25) and, for the learned-sparse arm, either the query's
/// vector from a model or its WordPiece tokens (a *lookup query*, weighted by the index).
///
/// ```
/// use sparrow_core::{Query, SparseVector};
/// let q = Query::new("rust search").with_sparse(SparseVector::from_pairs([(42, 1.0)]).unwrap());
/// assert!(q.sparse.is_some());
/// let lookup = Query::new("rust search").with_tokens(vec![7, 42, 7]);
/// assert_eq!(lookup.tokens.as_deref(), Some(&[7, 42, 7][..]));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// Query text, analysed like document text for BM25.
    pub text: String,
    /// The query encoded by a model (`None` when no model encodes queries). Takes precedence over
    /// [`tokens`](Self::tokens).
    pub sparse: Option<SparseVector>,
    /// The query's WordPiece token ids ([`WordPiece::ids`](crate::WordPiece::ids)), for a lookup
    /// query: each distinct token that has postings is weighted by its inverse document frequency
    /// over the index's learned-sparse postings, `ln(1 + N / (1 + df))`, so no model runs at query
    /// time ([`Index::lookup_vector`](crate::Index::lookup_vector)).
    pub tokens: Option<Vec<u32>>,
    /// Score [`sparse`](Self::sparse) with each weight multiplied by the term's IDF in this index
    /// (the lookup weight, [`Index::lookup_vector`](crate::Index::lookup_vector)): what a model's
    /// expansion gets ([`with_expansion`](Self::with_expansion)), so question words and stop-word
    /// pieces the model keeps ("why" -> "cause", "is") weigh what their frequency says. Measured on
    /// SciFact train (docs/BENCHMARKS.md, issue 13): sparse nDCG@10 0.6314 -> 0.6481, hybrid
    /// 0.7199 -> 0.7232; test, once: 0.6240 -> 0.6294 and 0.7037 -> 0.7056. A vector given with
    /// [`with_sparse`](Self::with_sparse) is scored as it is.
    pub idf_weighted: bool,
}

impl Query {
    /// `Ok` if the text is at most [`MAX_QUERY_BYTES`] long (the terms are counted when the
    /// query is analysed, against [`MAX_QUERY_TERMS`]). [`Index::search`](crate::Index::search)
    /// checks it; callers that encode the query first (a model) check it before spending time.
    ///
    /// # Errors
    ///
    /// [`Error::QueryTooLarge`](crate::Error::QueryTooLarge).
    pub fn check(&self) -> crate::Result<()> {
        if self.text.len() > MAX_QUERY_BYTES {
            return Err(crate::Error::QueryTooLarge {
                reason: format!(
                    "{} bytes of text, the maximum is {MAX_QUERY_BYTES}",
                    self.text.len()
                ),
            });
        }
        Ok(())
    }

    /// A text-only query.
    pub fn new(text: impl Into<String>) -> Self {
        Query { text: text.into(), sparse: None, tokens: None, idf_weighted: false }
    }

    /// Sets the sparse query vector, scored as it is.
    #[must_use]
    pub fn with_sparse(mut self, sparse: SparseVector) -> Self {
        self.sparse = Some(sparse);
        self.idf_weighted = false;
        self
    }

    /// Sets the model's expansion of the query: scored with each weight times the term's IDF in
    /// the index ([`idf_weighted`](Self::idf_weighted)).
    #[must_use]
    pub fn with_expansion(mut self, sparse: SparseVector) -> Self {
        self.sparse = Some(sparse);
        self.idf_weighted = true;
        self
    }

    /// Sets the query's WordPiece token ids (a lookup query).
    #[must_use]
    pub fn with_tokens(mut self, tokens: Vec<u32>) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// Whether the query can run the learned-sparse arm (a vector or tokens).
    pub fn has_sparse_side(&self) -> bool {
        self.sparse.is_some() || self.tokens.is_some()
    }

    /// The side that runs the sparse arm with `encoder` preferred: `Ok(vector)` or `Err(tokens)`;
    /// `None` when the query has neither.
    pub(crate) fn sparse_side(
        &self,
        encoder: Option<QueryEncoder>,
    ) -> Option<StdResult<&SparseVector, &[u32]>> {
        match (encoder, &self.sparse, &self.tokens) {
            (Some(QueryEncoder::Lookup), _, Some(t)) | (_, None, Some(t)) => Some(Err(t)),
            (_, Some(v), _) => Some(Ok(v)),
            (_, None, None) => None,
        }
    }
}

/// Which ranking to run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "SearchMode"))]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// BM25 over analysed title + text.
    Lexical,
    /// Dot product of the query's sparse vector with the documents' (dequantized) vectors.
    Sparse,
    /// Both arms, fused with [`Fusion`] (falls back to lexical when the query has neither a vector
    /// nor tokens).
    #[default]
    Hybrid,
}

/// Which side of a [`Query`] runs the learned-sparse arm when it has both.
///
/// `lookup`: the query's WordPiece tokens, each weighted by its IDF over the index's sparse
/// postings ([`Index::lookup_vector`](crate::Index::lookup_vector)); no model runs at query time,
/// and on SciFact it ranks like the model's expansion (docs/BENCHMARKS.md, "Lookup queries").
/// `model`: the vector a model made of the query (its expansion: "shots" also finds "vaccine").
/// When the chosen side is absent, the other is used. Unset
/// ([`SearchOptions::query_encoder`], JSON `queryEncoder`, not set), a model vector is preferred when the query has one:
/// the bindings make one only when a model is loaded, so pages without a model (static sites)
/// get lookup queries and pages that expand documents in the page keep expanding queries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum QueryEncoder {
    /// WordPiece tokens weighted by IDF; no model.
    #[default]
    Lookup,
    /// The model's expansion of the query.
    Model,
}

/// Longest query text, in bytes (UTF-8). A search box never needs more; a pasted paragraph
/// fits. Bounded so that a hostile query cannot hold the thread (a page's only one) for seconds.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// Most distinct analysed terms in a query's text (Lucene's historical clause limit): each one
/// walks a postings list.
pub const MAX_QUERY_TERMS: usize = 1024;

/// Options of [`Index::search`](crate::Index::search). JSON: camelCase, every field optional.
///
/// ```
/// use sparrow_core::{SearchOptions, Mode, Fusion};
/// let o: SearchOptions = serde_json::from_str(
///     r#"{"limit": 5, "mode": "sparse", "fusion": {"kind": "weighted", "alpha": 0.7}}"#).unwrap();
/// assert_eq!((o.limit, o.mode, o.fusion), (5, Mode::Sparse, Fusion::Weighted { alpha: 0.7 }));
/// assert_eq!(SearchOptions::default().candidates, 100);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct SearchOptions {
    /// Maximum number of hits (default 10, must be `>= 1`; values above the number of documents
    /// are clamped).
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub limit: usize,
    /// Ranking mode (default hybrid).
    #[cfg_attr(feature = "ts", ts(as = "Option<Mode>", optional))]
    pub mode: Mode,
    /// Fusion for hybrid mode (default weighted, alpha = 0.35).
    #[cfg_attr(feature = "ts", ts(as = "Option<Fusion>", optional))]
    pub fusion: Fusion,
    /// Per-arm candidate depth fused in hybrid mode (default 100); the effective depth is
    /// `max(candidates, limit)`.
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub candidates: usize,
    /// Only documents matching this filter are scored and returned.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub filter: Option<Filter>,
    /// Attach an [`Explanation`] to every hit.
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub explain: bool,
    /// Which side of the query runs the sparse arm (default: unset, see [`QueryEncoder`]).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub query_encoder: Option<QueryEncoder>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            mode: Mode::Hybrid,
            fusion: Fusion::default(),
            candidates: 100,
            filter: None,
            explain: false,
            query_encoder: None,
        }
    }
}

impl SearchOptions {
    /// Checks every option is in range.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] naming the first bad option.
    pub fn validate(&self) -> Result<()> {
        if self.limit == 0 {
            return Err(Error::option("limit", "must be at least 1, got 0"));
        }
        match self.fusion {
            Fusion::Rrf { k } if !(k.is_finite() && k >= 0.0) => {
                return Err(Error::option(
                    "fusion.k",
                    format!("must be a finite number >= 0, got {k}"),
                ));
            }
            Fusion::Weighted { alpha } if !(0.0..=1.0).contains(&alpha) => {
                return Err(Error::option(
                    "fusion.alpha",
                    format!("must be in [0, 1], got {alpha}"),
                ));
            }
            _ => {}
        }
        if let Some(f) = &self.filter {
            f.validate(0)?;
        }
        Ok(())
    }
}

/// One search result.
///
/// `lexical_score`/`lexical_rank` (and the sparse pair) are set when the document is among that
/// arm's ranked candidates (all of the arm's results in single-arm modes, its top
/// `max(candidates, limit)` in hybrid mode); ranks are 1-based.
///
/// JSON (what JS receives): camelCase; an absent option is left out (not `null`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "SearchHit"))]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    /// External id.
    pub id: String,
    /// Final score: BM25, dot product, or fused, depending on the mode.
    pub score: f32,
    /// BM25 score, if the document is a lexical candidate.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub lexical_score: Option<f32>,
    /// Sparse dot product, if the document is a sparse candidate.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sparse_score: Option<f32>,
    /// 1-based rank in the lexical arm.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub lexical_rank: Option<u32>,
    /// 1-based rank in the sparse arm.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sparse_rank: Option<u32>,
    /// Stored title.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title: Option<String>,
    /// Stored URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub url: Option<String>,
    /// Stored tags.
    pub tags: Vec<String>,
    /// Stored user fields.
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::JsonObject"))]
    pub fields: Map<String, Value>,
    /// Per-term contributions, when [`SearchOptions::explain`] is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub explanation: Option<Explanation>,
}

/// Why a document scored what it did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// BM25 contributions of the query terms the document contains, largest first.
    pub lexical: Vec<LexicalTermContribution>,
    /// Sparse matched terms, largest product first.
    pub sparse: Vec<SparseTermContribution>,
}

/// One query term's BM25 contribution.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LexicalTermContribution {
    /// The analysed (lowercased, stemmed) term.
    pub term: String,
    /// Its frequency in the document.
    pub tf: u32,
    /// Its idf.
    pub idf: f32,
    /// Its BM25 score in the document.
    pub score: f32,
}

/// One matched sparse term.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SparseTermContribution {
    /// Vocabulary id.
    pub term_id: u32,
    /// The vocabulary entry, filled by [`Explanation::name_terms`] (the index has no vocabulary).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub term: Option<String>,
    /// Weight in the query vector.
    pub query_weight: f32,
    /// Weight in the document (dequantized, as scored).
    pub doc_weight: f32,
    /// `query_weight * doc_weight`.
    pub product: f32,
}

impl Explanation {
    /// Names the sparse terms with the caller's vocabulary.
    ///
    /// ```
    /// use sparrow_core::{Explanation, SparseTermContribution};
    /// let mut e = Explanation::default();
    /// e.sparse.push(SparseTermContribution { term_id: 7, term: None, query_weight: 1.0, doc_weight: 1.0, product: 1.0 });
    /// e.name_terms(|id| (id == 7).then(|| "seven".to_string()));
    /// assert_eq!(e.sparse[0].term.as_deref(), Some("seven"));
    /// ```
    pub fn name_terms(&mut self, f: impl Fn(u32) -> Option<String>) {
        for t in &mut self.sparse {
            t.term = f(t.term_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fusion::{DEFAULT_ALPHA, DEFAULT_RRF_K};

    #[test]
    fn option_validation() {
        let ok = SearchOptions::default();
        assert!(ok.validate().is_ok());
        let cases = [
            (SearchOptions { limit: 0, ..ok.clone() }, "limit"),
            (SearchOptions { fusion: Fusion::Rrf { k: -1.0 }, ..ok.clone() }, "fusion.k"),
            (SearchOptions { fusion: Fusion::Rrf { k: f32::INFINITY }, ..ok.clone() }, "fusion.k"),
            (
                SearchOptions { fusion: Fusion::Weighted { alpha: 1.5 }, ..ok.clone() },
                "fusion.alpha",
            ),
            (SearchOptions { fusion: Fusion::Weighted { alpha: f32::NAN }, ..ok }, "fusion.alpha"),
        ];
        for (o, name) in cases {
            let e = o.validate().unwrap_err();
            assert!(matches!(&e, Error::InvalidOption { name: n, .. } if n == name), "{e}");
        }
    }

    #[test]
    fn json_shapes() {
        let o: SearchOptions = serde_json::from_str(r#"{"fusion": {"kind": "rrf"}}"#).unwrap();
        assert_eq!(o.fusion, Fusion::Rrf { k: DEFAULT_RRF_K });
        let o: SearchOptions =
            serde_json::from_str(r#"{"fusion": {"kind": "weighted"}, "mode": "lexical"}"#).unwrap();
        assert_eq!((o.fusion, o.mode), (Fusion::Weighted { alpha: DEFAULT_ALPHA }, Mode::Lexical));
        let v = serde_json::to_value(SearchOptions::default()).unwrap();
        assert_eq!(v["fusion"], serde_json::json!({"kind": "weighted", "alpha": DEFAULT_ALPHA}));
        assert_eq!(v["mode"], "hybrid");
    }
}
