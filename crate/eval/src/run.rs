//! One evaluation run: the index of a dataset, every query run once and timed, and the typed
//! report of it ([`RunReport`]), rendered by one table ([`render_table`]).
//!
//! Documents are indexed as BEIR does, title + text; each query's top [`DEPTH`] is kept.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sparrow_core::export::num32;
use sparrow_core::{
    cap_sparse_postings, Bm25Params, Document, Fusion, Index, IndexConfig, Mode, Query,
    SearchOptions, SparseVector, WordPiece,
};

use crate::beir::{self, Dataset, InputReport};
use crate::error::Result;
use crate::exact::ExactSparse;
use crate::lookup::QueryEncoder;
use crate::metrics::{Run, Summary};
use crate::significance::VsBaseline;
use crate::Progress;

/// Depth of every run: Recall@100 needs the top 100.
pub const DEPTH: usize = 100;

/// What-ifs applied while indexing a dataset (none by default: what the library does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexWhatIf {
    /// Static pruning: each learned-sparse term keeps its N strongest postings.
    pub max_postings: Option<usize>,
    /// BM25 sees each title N times (a field weight by repetition).
    pub title_repeat: Option<usize>,
}

/// Builds the index of the corpus: title + text, each document's vector when given, and its
/// WordPiece tokens when `wordpiece` is given (as `sparrow index` does).
pub fn build_index(
    data: &Dataset,
    config: IndexConfig,
    vectors: Option<&[Option<SparseVector>]>,
    wordpiece: Option<&WordPiece>,
    what_if: IndexWhatIf,
    progress: &dyn Progress,
) -> Result<Index> {
    let mut docs: Vec<Document> = data
        .corpus
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut doc = beir::to_document(d);
            if let Some(v) = vectors.and_then(|v| v[i].clone()) {
                doc = doc.with_sparse(v);
            }
            if let Some(wp) = wordpiece {
                doc.tokens = Some(wp.ids(&doc.semantic_text()));
            }
            if let (Some(n), Some(t)) = (what_if.title_repeat, &doc.title) {
                doc.title = Some(vec![t.as_str(); n.max(1)].join(" "));
            }
            doc
        })
        .collect();
    if let Some(max) = what_if.max_postings {
        let r = cap_sparse_postings(&mut docs, max);
        progress.note(&format!(
            "pruned: {} terms capped at {max} postings, {} of {} postings removed",
            r.terms_capped,
            r.postings_removed,
            r.postings_removed + r.postings_kept
        ));
    }
    let mut index = Index::new(config)?;
    index.add_many(docs)?;
    Ok(index)
}

/// A run's rankings and timings.
#[derive(Debug)]
pub struct QueryRun {
    /// Query id → its ranking (top [`DEPTH`]).
    pub run: Run,
    /// Per-query latency of query encoding + search.
    pub latency: Latency,
}

/// How one run is searched.
#[derive(Clone, Copy, Debug)]
pub struct RunSpec<'a> {
    /// Lexical, sparse or hybrid.
    pub mode: Mode,
    /// The fusion of hybrid mode.
    pub fusion: Option<Fusion>,
    /// Per-arm candidates fused in hybrid mode.
    pub candidates: usize,
    /// The query side of the sparse arm (`None`: text only).
    pub encoder: Option<&'a QueryEncoder<'a>>,
    /// The float what-if of the sparse arm.
    pub exact: Option<&'a ExactSparse<'a>>,
}

/// Runs every query once (after a short warm-up), timing query encoding + search.
pub fn run_queries(index: &Index, data: &Dataset, spec: RunSpec<'_>) -> Result<QueryRun> {
    let options = SearchOptions {
        limit: DEPTH,
        mode: spec.mode,
        fusion: spec.fusion.unwrap_or_default(),
        candidates: spec.candidates,
        ..SearchOptions::default()
    };
    let search = |text: &str| -> Result<(Vec<(String, f64)>, f64)> {
        if let (Some(x), Some(e)) = (spec.exact, spec.encoder) {
            let ranking = x.rank(index, e, text, &options)?;
            return Ok((ranking, 0.0));
        }
        let t = Instant::now();
        let query = match spec.encoder {
            Some(e) => e.query(text)?,
            None => Query::new(text),
        };
        let encode_ms = t.elapsed().as_secs_f64() * 1e3;
        let hits = index.search(&query, &options)?;
        Ok((hits.into_iter().map(|h| (h.id, f64::from(h.score))).collect(), encode_ms))
    };
    for (_, text) in data.queries.iter().take(10) {
        search(text)?;
    }
    let mut run = Run::new();
    let (mut total, mut encode) = (Vec::new(), Vec::new());
    for (q, text) in &data.queries {
        let t = Instant::now();
        let (ranking, encode_ms) = search(text)?;
        total.push(t.elapsed().as_secs_f64() * 1e3);
        encode.push(encode_ms);
        run.insert(q.clone(), ranking);
    }
    let mut latency = Latency::of(&total);
    if spec.encoder.is_some() {
        latency.encode_p50_ms = Some(round3(percentile(&encode, 0.5)));
    }
    Ok(QueryRun { run, latency })
}

/// Nearest-rank percentile (`p` in (0, 1]): the smallest sample with at least `p` of the samples
/// at or below it. The node harnesses use the same definition.
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = (p * s.len() as f64).ceil().max(1.0) as usize;
    s[rank.min(s.len()) - 1]
}

/// `x` rounded to 3 decimals (milliseconds to the microsecond).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Per-query latency, in ms.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    /// Median.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p50_ms: Option<f64>,
    /// 95th percentile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p95_ms: Option<f64>,
    /// Mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_ms: Option<f64>,
    /// Median of the query encoding alone (runs with a query encoder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encode_p50_ms: Option<f64>,
}

impl Latency {
    /// Median, 95th percentile and mean of `ms`.
    pub fn of(ms: &[f64]) -> Self {
        let mean = if ms.is_empty() { 0.0 } else { ms.iter().sum::<f64>() / ms.len() as f64 };
        Latency {
            p50_ms: Some(round3(percentile(ms, 0.5))),
            p95_ms: Some(round3(percentile(ms, 0.95))),
            mean_ms: Some(round3(mean)),
            encode_p50_ms: None,
        }
    }
}

/// The encoder settings of a run's document vectors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncoderInfo {
    /// Windows per document.
    pub max_windows: usize,
    /// Expansion weights below this were dropped.
    pub threshold: f32,
    /// The weight of windows after the first in the max-pooling (absent in older run files: 1).
    #[serde(default = "one")]
    pub later_windows: f32,
}

fn one() -> f32 {
    1.0
}

/// How the run's index was made.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexInfo {
    /// Time to build it, ms.
    pub build_ms: f64,
    /// Documents indexed.
    pub documents: usize,
    /// Of those, with a learned-sparse vector.
    pub sparse_documents: usize,
    /// Time to load the model, ms (runs with a model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_load_ms: Option<f64>,
    /// Time to encode the corpus, ms; `null` when the vectors came from the cache (runs with a
    /// model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encode_ms: Option<Option<f64>>,
}

/// A run's metrics over the judged queries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Judged queries with a relevant document (the denominator).
    pub queries: usize,
    /// Of those, how many the run has no result for (they count as 0).
    #[serde(rename = "missingQueries", default, skip_serializing_if = "is_zero")]
    pub missing: usize,
    /// nDCG@10.
    #[serde(rename = "ndcg@10")]
    pub ndcg10: f64,
    /// Recall@100.
    #[serde(rename = "recall@100")]
    pub recall100: f64,
    /// MRR@10.
    #[serde(rename = "mrr@10")]
    pub mrr10: f64,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl From<Summary> for Metrics {
    fn from(s: Summary) -> Self {
        Metrics {
            queries: s.queries,
            missing: s.missing,
            ndcg10: s.ndcg10,
            recall100: s.recall100,
            mrr10: s.mrr10,
        }
    }
}

/// One run, as `sparrow eval --json` prints it (one object per line) and `--write-runs` stores
/// it beside the rankings: what was run, how, and what it scored. A run file from another system
/// ([`crate::runfile`]) is read into the same shape: the fields it has, and the rest of its
/// metadata in `other`. JSON: camelCase, absent fields left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// The run's name (`sparrow-native-hybrid-weighted-int8-lookup`, or a run file's).
    #[serde(default)]
    pub name: String,
    /// Who produced it (`sparrow (native)`, or a run file's system).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The dataset's directory name.
    #[serde(default)]
    pub dataset: String,
    /// The qrels split it was scored on.
    #[serde(default)]
    pub split: String,
    /// `lexical`, `sparse` or `hybrid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The fusion of a hybrid run, as the library writes it (`{"kind": "weighted", "alpha":
    /// 0.35}`), or a run file's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fusion: Option<Value>,
    /// The model variant (`int8`, `f32`) of a sparse or hybrid run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Which query encoder made the sparse arm's query: `model`, `lookup`, `lookup-…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_encoder: Option<String>,
    /// Whether the sparse arm was the float what-if (`--exact-sparse`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact_sparse: Option<bool>,
    /// The encoder settings of the document vectors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder: Option<EncoderInfo>,
    /// BM25 settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bm25: Option<Bm25Params>,
    /// Per-arm candidates fused in hybrid mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<usize>,
    /// Whether every setting was the library's default (what `search(q)` does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library_defaults: Option<bool>,
    /// Per-query latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Latency>,
    /// How the index was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexInfo>,
    /// The run file scored (`--run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_file: Option<String>,
    /// The metrics (absent until scored).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
    /// What the dataset loader left out (absent until scored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<InputReport>,
    /// nDCG@10 against `--baseline`'s run, per query paired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vs_baseline: Option<VsBaseline>,
    /// A run file's other metadata, as it was.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl RunReport {
    /// A run file's metadata read into the report's shape; the fields it has that do not fit
    /// (another system's `latency` of another shape, say) stay in `other`, as they were.
    pub fn from_meta(meta: Map<String, Value>) -> Self {
        let mut report = RunReport::default();
        for (key, value) in meta {
            let mut one = Map::new();
            one.insert(key.clone(), value.clone());
            match serde_json::from_value::<RunReport>(Value::Object(one)) {
                Ok(r) if r.other.is_empty() => report.merge(r),
                _ => {
                    report.other.insert(key, value);
                }
            }
        }
        report
    }

    fn merge(&mut self, r: RunReport) {
        macro_rules! take {
            ($($f:ident),*) => { $( if r.$f.is_some() { self.$f = r.$f; } )* };
        }
        take!(
            system,
            mode,
            fusion,
            model,
            query_encoder,
            exact_sparse,
            encoder,
            bm25,
            candidates,
            library_defaults,
            latency,
            index,
            run_file,
            metrics,
            input
        );
        for (s, d) in
            [(r.name, &mut self.name), (r.dataset, &mut self.dataset), (r.split, &mut self.split)]
        {
            if !s.is_empty() {
                *d = s;
            }
        }
    }

    /// The report as a JSON object (what `--json` prints and run files carry).
    pub fn to_json(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }
}

/// The runs as one Markdown table: run, mode, fusion, model, nDCG@10, Recall@100, MRR@10, p50
/// and p95 latency (`-` where a run has no such field).
pub fn render_table(reports: &[RunReport]) -> String {
    let baseline = reports.iter().find_map(|r| r.vs_baseline.as_ref()).map(|v| v.baseline.clone());
    let mut out = String::from(
        "| run | mode | fusion | model | nDCG@10 | Recall@100 | MRR@10 | p50 ms | p95 ms |",
    );
    let mut rule = String::from("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
    if let Some(b) = &baseline {
        out.push_str(&format!(" Δ nDCG@10 vs {b} [95% CI] | p |"));
        rule.push_str(" ---: | ---: |");
    }
    out.push('\n');
    out.push_str(&rule);
    out.push('\n');
    let dash = || "-".to_owned();
    for r in reports {
        let fusion = r.fusion.as_ref().map_or_else(dash, fusion_cell);
        let metric = |f: fn(&Metrics) -> f64| {
            r.metrics.as_ref().map_or_else(dash, |m| format!("{:.4}", f(m)))
        };
        let latency = |f: fn(&Latency) -> Option<f64>| {
            r.latency.as_ref().and_then(f).map_or_else(dash, |x| format!("{x:.2}"))
        };
        out.push_str(&format!(
            "| {} | {} | {fusion} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.mode.clone().unwrap_or_else(dash),
            r.model.clone().unwrap_or_else(dash),
            metric(|m| m.ndcg10),
            metric(|m| m.recall100),
            metric(|m| m.mrr10),
            latency(|l| l.p50_ms),
            latency(|l| l.p95_ms),
        ));
        if baseline.is_some() {
            match &r.vs_baseline {
                Some(v) => out.push_str(&format!(
                    " {:+.4} [{:+.4}, {:+.4}] | {:.3} |",
                    v.delta_ndcg10, v.ci95[0], v.ci95[1], v.p
                )),
                None => out.push_str(" - | - |"),
            }
        }
        out.push('\n');
    }
    out
}

/// A fusion as a table cell: `weighted alpha=0.35`, `rrf k=3`.
fn fusion_cell(v: &Value) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Number(n) if n.as_f64().is_some_and(|x| x.fract() == 0.0 && x.abs() < 1e15) => {
            format!("{}", n.as_f64().unwrap_or_default() as i64)
        }
        other => other.to_string(),
    };
    match v {
        Value::Object(f) => {
            let kind = f.get("kind").map(text).unwrap_or_default();
            let params: String = f
                .iter()
                .filter(|(k, _)| *k != "kind")
                .map(|(k, v)| format!(" {k}={}", text(v)))
                .collect();
            format!("{kind}{params}")
        }
        other => text(other),
    }
}

/// A fusion as the library's JSON shape, with its `f32` numbers as written (`0.35`, not
/// `0.3499999940395355`).
pub fn fusion_json(f: Fusion) -> Value {
    match f {
        Fusion::Rrf { k } => serde_json::json!({ "kind": "rrf", "k": num32(k) }),
        Fusion::Weighted { alpha } => {
            serde_json::json!({ "kind": "weighted", "alpha": num32(alpha) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_round_trip_and_foreign_metadata_is_kept() {
        let r = RunReport {
            name: "x".into(),
            mode: Some("hybrid".into()),
            fusion: Some(fusion_json(Fusion::Weighted { alpha: 0.35 })),
            metrics: Some(Metrics {
                queries: 3,
                missing: 1,
                ndcg10: 0.5,
                recall100: 1.0,
                mrr10: 0.25,
            }),
            ..RunReport::default()
        };
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""fusion":{"alpha":0.35,"kind":"weighted"}"#), "{json}");
        assert!(
            json.contains(r#""missingQueries":1"#) && json.contains(r#""ndcg@10":0.5"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<RunReport>(&json).unwrap(), r);

        let meta: Map<String, Value> = serde_json::from_str(
            r#"{"name": "bm25", "system": "minisearch", "latency": "fast", "k": 3}"#,
        )
        .unwrap();
        let f = RunReport::from_meta(meta);
        assert_eq!((f.name.as_str(), f.system.as_deref()), ("bm25", Some("minisearch")));
        assert_eq!(f.latency, None);
        assert_eq!(f.other.get("latency"), Some(&Value::from("fast")));
        assert_eq!(f.other.get("k"), Some(&Value::from(3)));
    }

    #[test]
    fn the_table_has_a_row_per_run() {
        let rows = [
            RunReport { name: "a".into(), ..RunReport::default() },
            RunReport {
                name: "b".into(),
                fusion: Some(fusion_json(Fusion::Rrf { k: 3.0 })),
                latency: Some(Latency::of(&[1.0, 2.0, 3.0])),
                ..RunReport::default()
            },
        ];
        let t = render_table(&rows);
        assert!(t.contains("| a | - | - | - | - | - | - | - | - |"), "{t}");
        assert!(t.contains("| b | - | rrf k=3 | - | - | - | - | 2.00 | 3.00 |"), "{t}");
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let s = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(
            (percentile(&s, 0.5), percentile(&s, 0.95), percentile(&[], 0.5)),
            (3.0, 5.0, 0.0)
        );
    }
}
