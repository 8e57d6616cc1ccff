//! `sparrow eval --tune`: grid search of BM25 `k1`/`b`, fusion (RRF `k`; weighted `alpha` with
//! min-max, z-score or max normalisation) and candidate depth on one split (train!).
//!
//! Each arm is ranked once per setting with [`Index::search`] (single-arm mode, which returns the
//! arm's exact top-`depth` list, the list hybrid mode fuses), and the fusions are applied over
//! those lists, so thousands of configurations cost seconds. RRF and min-max weighted fusion are
//! the core's own ([`fuse_ranked`], what hybrid search runs); the winners are re-run through
//! [`Index::search`] in hybrid mode at the end and must give identical rankings. Z-score and max
//! normalisation are what-ifs the library does not implement, so only they are computed here.
//!
//! [`run`] returns a [`TuneReport`]: the grid, the depth sweep and the checks; its
//! [`render`](TuneReport::render) is the summary `sparrow eval --tune` prints.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use std::fmt::Write;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use sparrow_core::export::num32;
use sparrow_core::score::Scored;
use sparrow_core::{
    fuse_ranked, Bm25Params, Fusion, Index, IndexConfig, Mode, Query, SearchOptions, SparseVector,
    DEFAULT_ALPHA, DEFAULT_B, DEFAULT_K1, DEFAULT_RRF_K,
};

use crate::beir::Dataset;
use crate::error::Result;
use crate::metrics::{score_refs, QueryMetrics};
use crate::run::{build_index, IndexWhatIf, DEPTH};
use crate::vectors::Model;
use crate::{bail, Progress};

/// k1 values: 0.3 ..= 2.0 step 0.1, plus the library default.
fn k1_grid() -> Vec<f32> {
    let mut v: Vec<f32> = (3..=20).map(|i| i as f32 / 10.0).collect();
    v.push(DEFAULT_K1);
    dedup(v)
}

/// b values: 0.2 ..= 1.0 step 0.05, plus the library default.
fn b_grid() -> Vec<f32> {
    let mut v: Vec<f32> = (4..=20).map(|i| i as f32 / 20.0).collect();
    v.push(DEFAULT_B);
    dedup(v)
}

fn dedup(mut v: Vec<f32>) -> Vec<f32> {
    v.sort_by(f32::total_cmp);
    v.dedup();
    v
}

const RRF_KS: [f32; 16] =
    [1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 80.0, 100.0, 150.0];
const DEPTHS: [usize; 8] = [10, 20, 50, 100, 200, 300, 500, 1000];

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
enum Norm {
    /// `sparrow-core`'s: `(s - min) / (max - min)` over the arm's candidates, missing = 0.
    MinMax,
    /// What-if: `(s - mean) / std` over the arm's candidates, missing = the arm's lowest z.
    ZScore,
    /// What-if: `s / max`, missing = 0.
    Max,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fuse {
    Rrf { k: f32 },
    Weighted { alpha: f32, norm: Norm },
}

impl Fuse {
    fn family(self) -> &'static str {
        match self {
            Fuse::Rrf { .. } => "rrf",
            Fuse::Weighted { norm: Norm::MinMax, .. } => "weighted (min-max)",
            Fuse::Weighted { norm: Norm::ZScore, .. } => "weighted (z-score)*",
            Fuse::Weighted { norm: Norm::Max, .. } => "weighted (max)*",
        }
    }
    fn param(self) -> String {
        match self {
            Fuse::Rrf { k } => format!("k={k}"),
            Fuse::Weighted { alpha, .. } => format!("alpha={alpha}"),
        }
    }
    fn library(self) -> Option<Fusion> {
        match self {
            Fuse::Rrf { k } => Some(Fusion::Rrf { k }),
            Fuse::Weighted { alpha, norm: Norm::MinMax } => Some(Fusion::Weighted { alpha }),
            Fuse::Weighted { .. } => None,
        }
    }
}

fn fusions() -> Vec<Fuse> {
    let mut v: Vec<Fuse> = RRF_KS.iter().map(|&k| Fuse::Rrf { k }).collect();
    for norm in [Norm::MinMax, Norm::ZScore, Norm::Max] {
        v.extend((0..=20).map(|i| Fuse::Weighted { alpha: i as f32 / 20.0, norm }));
    }
    if !v.contains(&Fuse::Rrf { k: DEFAULT_RRF_K }) {
        v.push(Fuse::Rrf { k: DEFAULT_RRF_K });
    }
    if !v.contains(&Fuse::Weighted { alpha: DEFAULT_ALPHA, norm: Norm::MinMax }) {
        v.push(Fuse::Weighted { alpha: DEFAULT_ALPHA, norm: Norm::MinMax });
    }
    v
}

/// An arm's ranked list: (internal doc id = corpus position, score), best first.
type List = Vec<(u32, f32)>;

/// One evaluated configuration.
#[derive(Clone, Debug)]
struct Row {
    /// `lexical`, `sparse` or a fusion family.
    family: &'static str,
    k1: f32,
    b: f32,
    fusion: Option<Fuse>,
    depth: usize,
    ndcg10: f64,
    recall100: f64,
    mrr10: f64,
}

/// A document's score in the lexical and the sparse arm, when it is in them.
type ArmScores = (Option<f32>, Option<f32>);

/// Fuses one query's two lists, keeping the top `limit` (score descending, then doc id
/// ascending, as the core orders them): the core's own fusion for the library's fusions
/// ([`fuse_ranked`]), the what-if normalisations here.
fn fuse(lex: &[(u32, f32)], sp: &[(u32, f32)], f: Fuse, limit: usize) -> List {
    if let Some(fusion) = f.library() {
        let scored = |l: &[(u32, f32)]| -> Vec<Scored> {
            l.iter().map(|&(doc, score)| Scored { doc, score }).collect()
        };
        let mut out: List = fuse_ranked(&scored(lex), &scored(sp), fusion)
            .into_iter()
            .map(|s| (s.doc, s.score))
            .collect();
        out.truncate(limit);
        return out;
    }
    let Fuse::Weighted { alpha, norm } = f else { return List::new() };
    let mut by_doc: BTreeMap<u32, ArmScores> = BTreeMap::new();
    for &(d, s) in lex {
        by_doc.entry(d).or_default().0 = Some(s);
    }
    for &(d, s) in sp {
        by_doc.entry(d).or_default().1 = Some(s);
    }
    let (nl, ml) = normaliser(lex, norm);
    let (ns, ms) = normaliser(sp, norm);
    let mut out: List = by_doc
        .into_iter()
        .map(|(d, (l, s))| {
            let l = l.map_or(ml, &nl);
            let s = s.map_or(ms, &ns);
            (d, alpha * s + (1.0 - alpha) * l)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out.truncate(limit);
    out
}

/// The what-if normalisation of one arm, and the value of a document missing from it (min-max
/// is the core's, applied by [`fuse_ranked`]; it is here only for completeness).
fn normaliser(list: &[(u32, f32)], norm: Norm) -> (Box<dyn Fn(f32) -> f32>, f32) {
    let min = list.iter().map(|s| s.1).fold(f32::INFINITY, f32::min);
    let max = list.iter().map(|s| s.1).fold(f32::NEG_INFINITY, f32::max);
    match norm {
        Norm::MinMax => {
            (Box::new(move |s| if max > min { (s - min) / (max - min) } else { 1.0 }), 0.0)
        }
        Norm::Max => (Box::new(move |s| if max > 0.0 { s / max } else { 1.0 }), 0.0),
        Norm::ZScore => {
            let n = list.len().max(1) as f64;
            let mean = list.iter().map(|s| f64::from(s.1)).sum::<f64>() / n;
            let var = list.iter().map(|s| (f64::from(s.1) - mean).powi(2)).sum::<f64>() / n;
            let std = var.sqrt();
            let z =
                move |s: f32| if std > 0.0 { ((f64::from(s) - mean) / std) as f32 } else { 0.0 };
            let missing = if list.is_empty() { 0.0 } else { z(min) };
            (Box::new(z), missing)
        }
    }
}

/// Everything the grid needs per query.
struct Prepared<'a> {
    ids: Vec<&'a str>,
    judged: Vec<&'a BTreeMap<String, i32>>,
}

impl Prepared<'_> {
    /// Mean metrics of one list per query.
    fn mean(&self, lists: &[List]) -> (f64, f64, f64) {
        let mut sum = QueryMetrics::default();
        let mut n = 0usize;
        for (list, judged) in lists.iter().zip(&self.judged) {
            let mut refs: Vec<(&str, f64)> =
                list.iter().map(|&(d, s)| (self.ids[d as usize], f64::from(s))).collect();
            if let Some(m) = score_refs(judged, &mut refs) {
                sum.ndcg10 += m.ndcg10;
                sum.recall100 += m.recall100;
                sum.mrr10 += m.mrr10;
                n += 1;
            }
        }
        let n = n.max(1) as f64;
        (sum.ndcg10 / n, sum.recall100 / n, sum.mrr10 / n)
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &self,
        family: &'static str,
        k1: f32,
        b: f32,
        fusion: Option<Fuse>,
        depth: usize,
        lists: &[List],
    ) -> Row {
        let (ndcg10, recall100, mrr10) = self.mean(lists);
        Row { family, k1, b, fusion, depth, ndcg10, recall100, mrr10 }
    }
}

/// Ranked lists of one arm for every query, `depth` deep, with corpus positions as ids.
fn arm_lists(
    index: &Index,
    queries: &[Query],
    mode: Mode,
    depth: usize,
    pos: &HashMap<&str, u32>,
) -> Result<Vec<List>> {
    let options = SearchOptions { limit: depth, mode, ..SearchOptions::default() };
    ranked_lists(index, queries, &options, pos)
}

/// Every query's hits under `options`, with corpus positions as ids.
fn ranked_lists(
    index: &Index,
    queries: &[Query],
    options: &SearchOptions,
    pos: &HashMap<&str, u32>,
) -> Result<Vec<List>> {
    queries
        .par_iter()
        .map(|q| {
            Ok(index
                .search(q, options)?
                .into_iter()
                .map(|h| (pos[h.id.as_str()], h.score))
                .collect())
        })
        .collect()
}

fn fuse_all(lex: &[List], sp: &[List], f: Fuse, depth: usize) -> Vec<List> {
    lex.iter()
        .zip(sp)
        .map(|(l, s)| fuse(&l[..l.len().min(depth)], &s[..s.len().min(depth)], f, DEPTH))
        .collect()
}

/// What the grid is run with: the split's name (a warning when it is `test`), the model and the
/// corpus's vectors, and the index settings for a BM25 setting (analysis as the caller chose).
pub struct TuneSetup<'a> {
    /// The split tuned on (train!).
    pub split: &'a str,
    /// The model variant: its expansion of each query, its name in the report.
    pub model: &'a Model,
    /// The corpus's document vectors, in corpus order.
    pub vectors: &'a [Option<SparseVector>],
    /// The index settings for one BM25 setting.
    pub index_config: &'a dyn Fn(Bm25Params) -> IndexConfig,
}

impl std::fmt::Debug for TuneSetup<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TuneSetup").field("split", &self.split).finish_non_exhaustive()
    }
}

/// The fusion checks: each library fusion's best configuration run through
/// [`Index::search`] in hybrid mode, against the fusion of its arms' lists.
#[derive(Clone, Debug)]
pub struct Check {
    /// The fusion family.
    pub family: &'static str,
    /// Whether the rankings are identical.
    pub same: bool,
    /// nDCG@10 through `Index::search`.
    pub library: f64,
    /// nDCG@10 of the grid's fusion.
    pub grid: f64,
}

/// What a tuning run found.
#[derive(Debug)]
pub struct TuneReport {
    split: String,
    queries: usize,
    model: String,
    model_sha256: String,
    points: usize,
    rows: Vec<Row>,
    depth_rows: Vec<Row>,
    checks: Vec<Check>,
}

/// Grid-searches BM25 `k1`/`b` and every fusion (and the candidate depth of the best ones) on
/// `data`, and checks the library's fusions against `Index::search`.
pub fn run(setup: &TuneSetup<'_>, data: &Dataset, progress: &dyn Progress) -> Result<TuneReport> {
    let t0 = Instant::now();
    let model = setup.model;
    let pos: HashMap<&str, u32> =
        data.corpus.iter().enumerate().map(|(i, d)| (d.id.as_str(), i as u32)).collect();
    if pos.len() != data.corpus.len() {
        bail!("duplicate document ids in the corpus");
    }
    let prepared = Prepared {
        ids: data.corpus.iter().map(|d| d.id.as_str()).collect(),
        judged: data.queries.iter().map(|(q, _)| &data.qrels[q]).collect(),
    };
    let queries: Vec<Query> = data
        .queries
        .par_iter()
        .map(|(_, text)| {
            Ok(Query::new(text.clone()).with_expansion(model.encoder.encode_query(text)?))
        })
        .collect::<Result<_>>()?;
    let max_depth = *DEPTHS.iter().max().unwrap_or(&DEPTH);
    let index_of = |bm25: Bm25Params, with_vectors: bool| {
        build_index(
            data,
            (setup.index_config)(bm25),
            with_vectors.then_some(setup.vectors),
            None,
            IndexWhatIf::default(),
            progress,
        )
    };

    let default_bm25 = Bm25Params { k1: DEFAULT_K1, b: DEFAULT_B };
    let full = index_of(default_bm25, true)?;
    let sparse_deep = arm_lists(&full, &queries, Mode::Sparse, max_depth, &pos)?;
    let sparse: Vec<List> = sparse_deep.iter().map(|l| l[..l.len().min(DEPTH)].to_vec()).collect();
    let sparse_row = prepared.row("sparse", f32::NAN, f32::NAN, None, DEPTH, &sparse);
    drop(full);
    progress.note(&format!(
        "sparse arm ({}): nDCG@10 {:.4} ({:.0} s)",
        model.variant,
        sparse_row.ndcg10,
        t0.elapsed().as_secs_f64()
    ));

    let fusions = fusions();
    let points: Vec<(f32, f32)> =
        k1_grid().into_iter().flat_map(|k1| b_grid().into_iter().map(move |b| (k1, b))).collect();
    progress.note(&format!(
        "grid: {} BM25 settings x {} fusions, depth {DEPTH}",
        points.len(),
        fusions.len()
    ));
    let mut rows: Vec<Row> = vec![sparse_row];
    for (i, &(k1, b)) in points.iter().enumerate() {
        let index = index_of(Bm25Params { k1, b }, false)?;
        let lex = arm_lists(&index, &queries, Mode::Lexical, DEPTH, &pos)?;
        rows.push(prepared.row("lexical", k1, b, None, DEPTH, &lex));
        let fused: Vec<Row> = fusions
            .par_iter()
            .map(|&f| {
                prepared.row(f.family(), k1, b, Some(f), DEPTH, &fuse_all(&lex, &sparse, f, DEPTH))
            })
            .collect();
        rows.extend(fused);
        if (i + 1) % 25 == 0 {
            progress.note(&format!(
                "  {}/{} BM25 settings ({:.0} s)",
                i + 1,
                points.len(),
                t0.elapsed().as_secs_f64()
            ));
        }
    }

    let arms =
        Arms { queries: &queries, pos: &pos, prepared: &prepared, sparse_deep: &sparse_deep };
    let (depth_rows, checks) = sweep_and_check(&rows, &arms, &index_of)?;
    progress.note(&format!("tuning took {:.0} s", t0.elapsed().as_secs_f64()));
    Ok(TuneReport {
        split: setup.split.to_owned(),
        queries: data.queries.len(),
        model: model.variant.clone(),
        model_sha256: model.sha256.clone(),
        points: points.len(),
        rows,
        depth_rows,
        checks,
    })
}

/// What every fusion of the grid reads: the queries, corpus positions, judgments, and the sparse
/// arm's lists (deep enough for the depth sweep).
struct Arms<'a> {
    queries: &'a [Query],
    pos: &'a HashMap<&'a str, u32>,
    prepared: &'a Prepared<'a>,
    sparse_deep: &'a [List],
}

/// The candidate-depth sweep through each library fusion's best configuration, and the check
/// that hybrid search ranks as the grid's fusion did.
fn sweep_and_check(
    rows: &[Row],
    arms: &Arms<'_>,
    index_of: &dyn Fn(Bm25Params, bool) -> Result<Index>,
) -> Result<(Vec<Row>, Vec<Check>)> {
    let Arms { queries, pos, prepared, sparse_deep } = *arms;
    let max_depth = *DEPTHS.iter().max().unwrap_or(&DEPTH);
    let mut depth_rows = Vec::new();
    let mut checks = Vec::new();
    for family in ["rrf", "weighted (min-max)"] {
        let Some(best) = best_row(rows, &|r| r.family == family) else { continue };
        let Some(f) = best.fusion else { continue };
        let index = index_of(Bm25Params { k1: best.k1, b: best.b }, true)?;
        let lex_deep = arm_lists(&index, queries, Mode::Lexical, max_depth, pos)?;
        for depth in DEPTHS {
            let lists = fuse_all(&lex_deep, sparse_deep, f, depth);
            depth_rows.push(prepared.row(family, best.k1, best.b, Some(f), depth, &lists));
        }
        // The grid's fusion must be what hybrid search computes.
        if let Some(fusion) = f.library() {
            let options = SearchOptions {
                limit: DEPTH,
                mode: Mode::Hybrid,
                fusion,
                candidates: DEPTH,
                ..SearchOptions::default()
            };
            let lists = ranked_lists(&index, queries, &options, pos)?;
            let lib = prepared.row(family, best.k1, best.b, Some(f), DEPTH, &lists);
            let same = lists == fuse_all(&lex_deep, sparse_deep, f, DEPTH);
            checks.push(Check {
                family,
                same: same && lib.ndcg10 == best.ndcg10,
                library: lib.ndcg10,
                grid: best.ndcg10,
            });
        }
    }
    Ok((depth_rows, checks))
}

/// The row with the best nDCG@10 among those `pred` selects.
fn best_row(rows: &[Row], pred: &dyn Fn(&Row) -> bool) -> Option<Row> {
    rows.iter().filter(|r| pred(r)).max_by(|a, b| a.ndcg10.total_cmp(&b.ndcg10)).cloned()
}

/// A grid row as JSON with clean `f32` numbers.
fn row_json(r: &Row) -> serde_json::Value {
    let nan_null = |x: f32| if x.is_nan() { serde_json::Value::Null } else { num32(x) };
    let fusion = r.fusion.map(|f| match f {
        Fuse::Rrf { k } => json!({ "kind": "rrf", "k": num32(k) }),
        Fuse::Weighted { alpha, norm } => {
            json!({ "kind": "weighted", "alpha": num32(alpha), "norm": norm })
        }
    });
    json!({
        "family": r.family, "k1": nan_null(r.k1), "b": nan_null(r.b), "fusion": fusion, "depth": r.depth,
        "ndcg@10": r.ndcg10, "recall@100": r.recall100, "mrr@10": r.mrr10,
    })
}

impl TuneReport {
    /// The checks of the library's fusions.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// Every grid point and the depth sweep, as JSON (`--tune-out`).
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "split": self.split,
            "queries": self.queries,
            "model": self.model,
            "modelSha256": self.model_sha256,
            "depth": DEPTH,
            "grid": self.rows.iter().map(row_json).collect::<Vec<_>>(),
            "depthSweep": self.depth_rows.iter().map(row_json).collect::<Vec<_>>(),
        })
    }

    /// The summary, in Markdown: the library defaults' rows, the best per family, the top 15,
    /// sweeps and k1 x b matrices through the best library fusions, the depth sweep, the checks.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out).unwrap_or_default();
        out
    }

    fn render_into(&self, w: &mut String) -> std::fmt::Result {
        let rows = &self.rows;
        let header = "| run | k1 | b | fusion | nDCG@10 | Recall@100 | MRR@10 |\n| --- | ---: | ---: | --- | ---: | ---: | ---: |";
        writeln!(
            w,
            "Tuning on {} ({} queries), model {}, top {DEPTH}, candidates {DEPTH}",
            self.split, self.queries, self.model
        )?;
        writeln!(
            w,
            "grid: {} BM25 settings (k1 {:?}, b {:?}) x {} fusions = {} configurations",
            self.points,
            k1_grid(),
            b_grid(),
            fusions().len(),
            rows.len()
        )?;
        writeln!(w, "\nLibrary defaults now (k1 {DEFAULT_K1}, b {DEFAULT_B}, RRF k {DEFAULT_RRF_K}, alpha {DEFAULT_ALPHA}):\n{header}")?;
        let at_defaults = |r: &Row| r.k1 == DEFAULT_K1 && r.b == DEFAULT_B;
        for r in rows.iter().filter(|r| {
            at_defaults(r)
                && match r.fusion {
                    None => true,
                    Some(Fuse::Rrf { k }) => k == DEFAULT_RRF_K,
                    Some(Fuse::Weighted { alpha, norm }) => {
                        alpha == DEFAULT_ALPHA && norm == Norm::MinMax
                    }
                }
        }) {
            writeln!(w, "{}", line(r))?;
        }
        if let Some(s) = rows.iter().find(|r| r.family == "sparse") {
            writeln!(w, "{}", line(s))?;
        }
        writeln!(
            w,
            "\nBest per run type (* = normalisation not in the library, a what-if):\n{header}"
        )?;
        for family in
            ["lexical", "rrf", "weighted (min-max)", "weighted (z-score)*", "weighted (max)*"]
        {
            if let Some(r) = best_row(rows, &|r| r.family == family) {
                writeln!(w, "{}", line(&r))?;
            }
        }
        writeln!(w, "\nTop 15 configurations:\n{header}")?;
        let mut sorted: Vec<&Row> = rows.iter().filter(|r| r.fusion.is_some()).collect();
        sorted.sort_by(|a, b| b.ndcg10.total_cmp(&a.ndcg10));
        for r in sorted.iter().take(15) {
            writeln!(w, "{}", line(r))?;
        }
        for family in ["rrf", "weighted (min-max)"] {
            self.render_sweeps(w, family)?;
        }
        writeln!(w, "\nCandidate depth (per arm) at each best configuration:")?;
        for r in &self.depth_rows {
            writeln!(
                w,
                "  {} {} k1 {} b {}: depth {:>4} nDCG@10 {:.4} R@100 {:.4}",
                r.family,
                r.fusion.map_or(String::new(), |f| f.param()),
                r.k1,
                r.b,
                r.depth,
                r.ndcg10,
                r.recall100
            )?;
        }
        for c in &self.checks {
            writeln!(
                w,
                "check: {} through Index::search (hybrid) {} the grid's fusion (nDCG@10 {:.6} vs {:.6})",
                c.family,
                if c.same { "matches" } else { "DIFFERS FROM" },
                c.library,
                c.grid
            )?;
        }
        Ok(())
    }

    /// The alpha/k sweep through a family's best BM25 setting, and its k1 x b matrix (and the
    /// lexical one, once).
    fn render_sweeps(&self, w: &mut String, family: &str) -> std::fmt::Result {
        let rows = &self.rows;
        let Some(top) = best_row(rows, &|r| r.family == family) else { return Ok(()) };
        let sweep: Vec<String> = rows
            .iter()
            .filter(|r| r.family == family && r.k1 == top.k1 && r.b == top.b)
            .map(|r| format!("{} {:.4}", r.fusion.map_or(String::new(), |f| f.param()), r.ndcg10))
            .collect();
        writeln!(w, "\n{family} at k1 {} b {}: {}", top.k1, top.b, sweep.join(", "))?;
        for (title, pick) in [
            (format!("{family} {}", top.fusion.map_or(String::new(), |f| f.param())), top.fusion),
            ("lexical".to_owned(), None),
        ] {
            if pick.is_none() && family != "rrf" {
                continue; // the lexical matrix once
            }
            writeln!(w, "\nnDCG@10, {title}: rows k1, columns b")?;
            let bs = b_grid();
            writeln!(
                w,
                "| k1 \\ b | {} |",
                bs.iter().map(f32::to_string).collect::<Vec<_>>().join(" | ")
            )?;
            writeln!(w, "| --- |{}", " ---: |".repeat(bs.len()))?;
            for k1 in k1_grid() {
                let cells: Vec<String> = bs
                    .iter()
                    .map(|&b| {
                        rows.iter()
                            .find(|r| {
                                r.k1 == k1
                                    && r.b == b
                                    && r.fusion == pick
                                    && (pick.is_some() || r.family == "lexical")
                            })
                            .map_or("-".into(), |r| format!("{:.4}", r.ndcg10))
                    })
                    .collect();
                writeln!(w, "| {k1} | {} |", cells.join(" | "))?;
            }
        }
        Ok(())
    }
}

/// One row of a summary table.
fn line(r: &Row) -> String {
    format!(
        "| {} | {} | {} | {} | {:.4} | {:.4} | {:.4} |",
        r.family,
        if r.k1.is_nan() { "-".into() } else { r.k1.to_string() },
        if r.b.is_nan() { "-".into() } else { r.b.to_string() },
        r.fusion.map_or("-".into(), |f| f.param()),
        r.ndcg10,
        r.recall100,
        r.mrr10
    )
}
