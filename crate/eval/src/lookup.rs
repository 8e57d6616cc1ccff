//! Query encoders for evaluation: the model, or a lookup query (WordPiece tokens weighted from a
//! table, no model at query time).
//!
//! The library's lookup query weights each token by its IDF over the indexed texts' WordPiece
//! tokens (`Query::with_tokens`; the core computes it from the token counts the index keeps). The
//! other tables exist here only to be measured against it (`--query
//! lookup-postings-idf,lookup-self,lookup-ctx`; docs/BENCHMARKS.md, "Lookup queries"):
//! * `lookup-postings-idf`: `ln(1 + N / (1 + df))` with `df` over the documents' learned-sparse
//!   vectors (what the core falls back to for an index without token counts);
//! * `lookup-self`: the weight the model gives a token alone, `model([CLS] t [SEP])[t]`;
//! * `lookup-ctx`: the mean weight the model gives a token inside pseudo-queries (the split's
//!   queries are never used: the corpus titles and, when evaluating `test`, the train queries),
//!   falling back to `lookup-self`.

use std::collections::{BTreeMap, HashMap};

use crate::error::Result;
use sparrow_core::{Index, Query, SparseVector, WordPiece};

use crate::vectors::Model;

/// `--query`: how the query side of the sparse arm is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum QueryArg {
    /// The model encodes the query (its expansion).
    Model,
    /// The query's WordPiece tokens, weighted by IDF over the indexed texts' tokens (the
    /// library's lookup query).
    Lookup,
    /// Tokens weighted by IDF over the documents' learned-sparse vectors.
    LookupPostingsIdf,
    /// Tokens weighted by the model's weight of the token alone.
    LookupSelf,
    /// Tokens weighted by the model's mean weight of the token in pseudo-queries.
    LookupCtx,
    /// What-if (issue 13): the model's expansion scored as it is, without the index's IDF
    /// weighting the library applies (`Query::with_expansion`).
    ModelRaw,
    /// What-if (issue 13): the model's expansion (times IDF, as `model`) plus the lookup query's
    /// weights: the query's own tokens count twice.
    ModelLookup,
}

impl QueryArg {
    pub fn name(self) -> &'static str {
        match self {
            QueryArg::Model => "model",
            QueryArg::Lookup => "lookup",
            QueryArg::LookupPostingsIdf => "lookup-postings-idf",
            QueryArg::LookupSelf => "lookup-self",
            QueryArg::LookupCtx => "lookup-ctx",
            QueryArg::ModelRaw => "model-raw",
            QueryArg::ModelLookup => "model+lookup",
        }
    }
}

/// A ready query encoder.
#[derive(Debug)]
pub enum QueryEncoder<'a> {
    Model(&'a Model),
    /// The core's lookup query.
    Lookup(&'a WordPiece),
    /// Tokens weighted from a table indexed by token id (0: left out).
    Table(&'a WordPiece, Vec<f32>),
    /// The model's expansion, scored as it is (no IDF weighting).
    ModelRaw(&'a Model),
    /// The model's expansion times IDF plus the lookup query's weights, both as `index` weighs
    /// them.
    ModelLookup(&'a Model, &'a Index),
}

impl QueryEncoder<'_> {
    /// The query for `text`.
    pub fn query(&self, text: &str) -> Result<Query> {
        let q = Query::new(text);
        Ok(match self {
            QueryEncoder::Model(m) => q.with_expansion(m.encoder.encode_query(text)?),
            QueryEncoder::Lookup(wp) => q.with_tokens(wp.ids(text)),
            QueryEncoder::Table(wp, table) => {
                let pairs = wp.ids(text).into_iter().filter_map(|id| {
                    table.get(id as usize).copied().filter(|w| *w > 0.0).map(|w| (id, w))
                });
                q.with_sparse(SparseVector::from_pairs(pairs)?)
            }
            QueryEncoder::ModelRaw(m) => q.with_sparse(m.encoder.encode_query(text)?),
            QueryEncoder::ModelLookup(m, index) => {
                let expansion = Query::new(text).with_expansion(m.encoder.encode_query(text)?);
                let mut sum: BTreeMap<u32, f32> = BTreeMap::new();
                let vectors = [
                    index.query_vector(&expansion, None),
                    Some(index.lookup_vector(&m.wordpiece.ids(text))),
                ];
                for (id, w) in vectors.iter().flatten().flat_map(|v| v.iter()) {
                    *sum.entry(id).or_default() += w;
                }
                q.with_sparse(SparseVector::from_pairs(sum)?)
            }
        })
    }
}

/// The table of one `lookup-*` candidate (`None` for `model` and `lookup`). `vectors`: the
/// documents' learned-sparse vectors.
pub fn table(
    arg: QueryArg,
    wp: &WordPiece,
    model: &Model,
    vectors: &[Option<SparseVector>],
    pseudo_queries: &[String],
) -> Result<Option<Vec<f32>>> {
    let vocab = model.encoder.vocab_size();
    Ok(match arg {
        QueryArg::Model | QueryArg::Lookup | QueryArg::ModelRaw | QueryArg::ModelLookup => None,
        QueryArg::LookupPostingsIdf => {
            let mut df = vec![0u32; vocab];
            for v in vectors.iter().flatten() {
                for &id in v.ids() {
                    if let Some(c) = df.get_mut(id as usize) {
                        *c += 1;
                    }
                }
            }
            let n = vectors.len() as f32;
            // Tokens no document's vector has cannot score: left out, as the core does.
            Some(
                df.iter()
                    .map(|&d| if d == 0 { 0.0 } else { (1.0 + n / (1.0 + d as f32)).ln() })
                    .collect(),
            )
        }
        QueryArg::LookupSelf => Some(self_weights(model, vocab)?),
        QueryArg::LookupCtx => {
            let fallback = self_weights(model, vocab)?;
            let mut sum: HashMap<u32, (f64, u32)> = HashMap::new();
            for p in pseudo_queries {
                let v = model.encoder.encode_query(p)?;
                let mut ids = wp.ids(p);
                ids.sort_unstable();
                ids.dedup();
                for id in ids {
                    let e = sum.entry(id).or_default();
                    e.0 += f64::from(v.get(id).unwrap_or(0.0));
                    e.1 += 1;
                }
            }
            Some(
                (0..vocab as u32)
                    .map(|id| match sum.get(&id) {
                        Some(&(s, n)) => (s / f64::from(n)) as f32,
                        None => fallback[id as usize],
                    })
                    .collect(),
            )
        }
    })
}

/// `model([CLS] t [SEP])[t]` for every token id `t`.
fn self_weights(model: &Model, vocab: usize) -> Result<Vec<f32>> {
    let rows: Vec<Vec<u32>> = (0..vocab as u32).map(|id| vec![id]).collect();
    let vectors = model.encoder.encode_token_ids(&rows)?;
    Ok(vectors.iter().enumerate().map(|(id, v)| v.get(id as u32).unwrap_or(0.0)).collect())
}
