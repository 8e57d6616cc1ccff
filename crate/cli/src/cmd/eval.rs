//! `sparrow eval --beir DIR`: retrieval quality (nDCG@10, Recall@100, MRR@10) and per-query
//! latency of every mode on a dataset in the BEIR layout, natively; also scores run files written
//! by other systems (`--run`), writes Sparrow's runs and index for the node harnesses, and tunes
//! BM25 and fusion on a split (`--tune`).
//!
//! Metrics live in [`metrics`] (the only implementation; `trec_eval` conventions). Documents are
//! indexed as BEIR does, title + text; each query's top 100 is kept.

#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this command's job

pub(crate) mod beir;
mod exact;
mod lookup;
mod metrics;
mod runfile;
mod tune;
pub(crate) mod vectors;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde_json::{json, Map, Value};
use sparrow_core::{
    cap_sparse_postings, AnalyzerConfig, Bm25Params, Document, Fusion, Index, IndexConfig, Mode,
    Query, SearchOptions, SparseVector, DEFAULT_ALPHA, DEFAULT_B, DEFAULT_K1, DEFAULT_RRF_K,
};

use beir::Dataset;
use lookup::{QueryArg, QueryEncoder};
use metrics::{Run, Summary};
use sparrow_encoder::EncoderConfig;
use vectors::Model;

/// Depth of every run: Recall@100 needs the top 100.
const DEPTH: usize = 100;

#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// BEIR dataset directory: corpus.jsonl[.gz], queries.jsonl[.gz], qrels/SPLIT.tsv.
    /// Default: $SPARROW_BEIR_DIR.
    #[arg(long, value_name = "DIR")]
    beir: Option<PathBuf>,
    /// Which qrels to evaluate (and tune) on: qrels/SPLIT.tsv.
    #[arg(long, default_value = "test")]
    split: String,
    /// Modes to evaluate (comma-separated). `lexical` alone needs no model.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [ModeArg::Lexical, ModeArg::Sparse, ModeArg::Hybrid])]
    mode: Vec<ModeArg>,
    /// Fusions for hybrid mode (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FusionArg::Rrf, FusionArg::Weighted])]
    fusion: Vec<FusionArg>,
    /// Query sides of the sparse arm (comma-separated): `model` (the model expands the query),
    /// `lookup` (its WordPiece tokens weighted by IDF over the index's sparse postings: no model
    /// at query time), and the candidate tables `lookup-postings-idf`, `lookup-self`, `lookup-ctx`.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [QueryArg::Model, QueryArg::Lookup])]
    query: Vec<QueryArg>,
    /// Model variants for sparse and hybrid mode (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Variant::Int8, Variant::F32])]
    variant: Vec<Variant>,
    /// Directory with splade-tiny.{int8,f32}.onnx and tokenizer.json (made by model/build.sh).
    #[arg(long, value_name = "DIR", default_value = "model/build")]
    model: PathBuf,
    /// BM25 k1 (default: the library's).
    #[arg(long, default_value_t = DEFAULT_K1)]
    k1: f32,
    /// BM25 b (default: the library's).
    #[arg(long, default_value_t = DEFAULT_B)]
    b: f32,
    /// RRF k (default: the library's).
    #[arg(long, default_value_t = DEFAULT_RRF_K)]
    rrf_k: f32,
    /// Weighted-fusion alpha, the sparse arm's weight (default: the library's).
    #[arg(long, default_value_t = DEFAULT_ALPHA)]
    alpha: f32,
    /// Per-arm candidates fused in hybrid mode (default: the library's).
    #[arg(long, default_value_t = SearchOptions::default().candidates)]
    candidates: usize,
    /// What-if: encode documents with at most N windows (the encoder's default is used
    /// otherwise; 1 = the first 256 tokens only).
    #[arg(long, value_name = "N")]
    max_windows: Option<usize>,
    /// What-if: drop expansion weights below X (the encoder's default is used otherwise).
    #[arg(long, value_name = "X")]
    threshold: Option<f32>,
    /// What-if: score the sparse arm with the documents' float vectors, exhaustively, instead of
    /// the index's 8-bit impacts (hybrid runs fuse it with the index's BM25 as the core does).
    #[arg(long)]
    exact_sparse: bool,
    /// What-if: static pruning, keep each learned-sparse term's N strongest postings (what
    /// `sparrow index --max-postings` does to a site; not applied to --exact-sparse).
    #[arg(long, value_name = "N")]
    max_postings: Option<usize>,
    /// What-if: BM25 sees each title N times (a field weight by repetition; the model's input
    /// and the lookup weights are unchanged).
    #[arg(long, value_name = "N")]
    title_repeat: Option<usize>,
    /// Index without stemming.
    #[arg(long)]
    no_stemming: bool,
    /// Index without stop-word removal.
    #[arg(long)]
    no_stopwords: bool,
    /// Score these run files (TREC `qid Q0 doc rank score tag`, or JSON `{"results": {qid:
    /// [[doc, score], ...]}, ...metadata}`) against the split's qrels instead of running
    /// Sparrow. Repeatable.
    #[arg(long, value_name = "FILE")]
    run: Vec<PathBuf>,
    /// Write each of Sparrow's runs to DIR as JSON (the `--run` format).
    #[arg(long, value_name = "DIR")]
    write_runs: Option<PathBuf>,
    /// Also write the index (title + text, BM25 settings as given, vectors of the first
    /// `--variant` unless only lexical mode is asked) to FILE, for loading with `Sparrow.load`.
    #[arg(long, value_name = "FILE")]
    write_index: Option<PathBuf>,
    /// With --write-index: key the written index by the ranks of a vocabulary file, as `sparrow
    /// index --site` does, and write that file here (`vocab-*.spv` format): what the search-only
    /// module needs for lookup queries, with no model.
    #[arg(long, value_name = "FILE", requires = "write_index")]
    write_vocab: Option<PathBuf>,
    /// Where encoded document vectors are cached (keyed by model sha256, tokenizer, encoder
    /// config and corpus). Default: $SPARROW_EVAL_CACHE or /var/tmp/sparrow-eval-cache.
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Neither read nor write the vector cache.
    #[arg(long)]
    no_cache: bool,
    /// Print one JSON object per run, one per line, instead of a table.
    #[arg(long)]
    json: bool,
    /// Grid-search BM25 k1/b, fusion (RRF k; weighted alpha and normalisation) and candidate
    /// depth on this split with the first `--variant`. Tune on `--split train` only.
    #[arg(long)]
    tune: bool,
    /// With --tune: write every grid point as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    tune_out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModeArg {
    Lexical,
    Sparse,
    Hybrid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FusionArg {
    Rrf,
    Weighted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Variant {
    Int8,
    F32,
}

impl Variant {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Variant::Int8 => "int8",
            Variant::F32 => "f32",
        }
    }
}

impl EvalArgs {
    fn beir_dir(&self) -> Result<PathBuf> {
        match (&self.beir, std::env::var_os("SPARROW_BEIR_DIR")) {
            (Some(d), _) => Ok(d.clone()),
            (None, Some(d)) => Ok(PathBuf::from(d)),
            (None, None) => {
                bail!("pass --beir DIR (a BEIR dataset directory) or set SPARROW_BEIR_DIR")
            }
        }
    }

    fn cache_dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        Some(self.cache.clone().unwrap_or_else(|| {
            std::env::var_os("SPARROW_EVAL_CACHE")
                .map_or_else(|| PathBuf::from("/var/tmp/sparrow-eval-cache"), PathBuf::from)
        }))
    }

    fn encoder_config(&self) -> EncoderConfig {
        let d = EncoderConfig::default();
        EncoderConfig {
            max_windows: self.max_windows.unwrap_or(d.max_windows),
            threshold: self.threshold.unwrap_or(d.threshold),
            ..d
        }
    }

    fn index_config(&self, bm25: Bm25Params) -> IndexConfig {
        IndexConfig {
            analyzer: AnalyzerConfig { stemming: !self.no_stemming, stopwords: !self.no_stopwords },
            bm25,
            // Nothing reads the text back; keeping it only makes --write-index files bigger.
            store_text: false,
            ..IndexConfig::default()
        }
    }

    fn fusion_of(&self, f: FusionArg) -> Fusion {
        match f {
            FusionArg::Rrf => Fusion::Rrf { k: self.rrf_k },
            FusionArg::Weighted => Fusion::Weighted { alpha: self.alpha },
        }
    }
}

pub(crate) fn run(args: &EvalArgs) -> Result<()> {
    let dir = args.beir_dir()?;
    let name =
        dir.file_name().map_or_else(|| "dataset".to_owned(), |n| n.to_string_lossy().into_owned());
    if !args.run.is_empty() {
        return score_run_files(args, &dir, &name);
    }
    let t = Instant::now();
    let data = beir::load(&dir, &args.split, &args.index_config(Bm25Params::default()))?;
    eprintln!(
        "{name}: {} documents, {} {} queries with judgments (loaded in {:.1} s)",
        data.corpus.len(),
        data.queries.len(),
        args.split,
        t.elapsed().as_secs_f64()
    );
    if let Some(line) = data.report.summary() {
        eprintln!("{name}: {line}");
    }
    if args.tune {
        return tune::run(args, &data);
    }
    let bm25 = Bm25Params { k1: args.k1, b: args.b };
    bm25.validate()?;
    let needs_model = args.mode.iter().any(|m| *m != ModeArg::Lexical);
    let variants: Vec<Variant> = if needs_model { args.variant.clone() } else { Vec::new() };
    if needs_model && variants.is_empty() {
        bail!("sparse and hybrid mode need at least one --variant");
    }

    let mut results = Vec::new();
    let mut lexical_done = false;
    // One index per variant (same lexical part, that variant's vectors); lexical-only without one.
    let slots: Vec<Option<Variant>> =
        if variants.is_empty() { vec![None] } else { variants.iter().copied().map(Some).collect() };
    for (slot, variant) in slots.into_iter().enumerate() {
        let model = variant
            .map(|v| vectors::load_model(&args.model, v.name(), args.encoder_config()))
            .transpose()?;
        let vectors = match &model {
            Some(m) => Some(vectors::doc_vectors(
                m,
                &data.corpus,
                &data.corpus_sha256,
                args.cache_dir().as_deref(),
            )?),
            None => None,
        };
        let t = Instant::now();
        let index = build_index(
            &data,
            args.index_config(bm25),
            vectors.as_ref().map(|e| e.vectors.as_slice()),
            model.as_ref().map(|m| &m.wordpiece),
            args.max_postings,
            args.title_repeat,
        )?;
        let build_ms = t.elapsed().as_secs_f64() * 1e3;
        let stats = index.stats();
        eprintln!(
            "index{}: {} docs, {} with a sparse vector, built in {:.0} ms",
            variant.map_or(String::new(), |v| format!(" ({})", v.name())),
            stats.documents,
            stats.sparse_documents,
            build_ms
        );
        if slot == 0 {
            if let Some(path) = &args.write_index {
                let bytes = match (&args.write_vocab, &model) {
                    (Some(vocab_path), Some(m)) => {
                        let docs: Vec<Document> = data
                            .corpus
                            .iter()
                            .enumerate()
                            .map(|(i, d)| {
                                let v = vectors.as_ref().and_then(|e| e.vectors[i].clone());
                                let doc = beir::to_document(d);
                                match v {
                                    Some(v) => doc.with_sparse(v),
                                    None => doc,
                                }
                            })
                            .collect::<Vec<_>>();
                        let mut docs = docs;
                        if let Some(max) = args.max_postings {
                            cap_sparse_postings(&mut docs, max);
                        }
                        let ranked =
                            super::index::build_index(docs, &m.wordpiece, args.index_config(bm25))?;
                        let vocab = m.wordpiece.with_rank_ids().to_vocab_bytes();
                        std::fs::write(vocab_path, &vocab)
                            .with_context(|| format!("writing {}", vocab_path.display()))?;
                        eprintln!("wrote {} ({} bytes)", vocab_path.display(), vocab.len());
                        ranked.to_bytes()
                    }
                    (Some(_), None) => bail!("--write-vocab needs a model (sparse or hybrid mode)"),
                    (None, _) => index.to_bytes(),
                };
                std::fs::write(path, &bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
            }
        }
        let mut specs: Vec<(Mode, Option<Fusion>)> = Vec::new();
        if args.mode.contains(&ModeArg::Lexical) && !lexical_done {
            specs.push((Mode::Lexical, None));
            lexical_done = true;
        }
        if model.is_some() {
            if args.mode.contains(&ModeArg::Sparse) {
                specs.push((Mode::Sparse, None));
            }
            if args.mode.contains(&ModeArg::Hybrid) {
                specs.extend(args.fusion.iter().map(|f| (Mode::Hybrid, Some(args.fusion_of(*f)))));
            }
        }
        // The query encoders of the sparse arm (built once per model variant).
        let mut encoders: Vec<(QueryArg, QueryEncoder<'_>)> = Vec::new();
        if let Some(m) = &model {
            let pseudo = pseudo_queries(args, &dir, &data)?;
            for &q in &args.query {
                let wp = &m.wordpiece;
                let enc = match q {
                    QueryArg::Model => QueryEncoder::Model(m),
                    QueryArg::Lookup => QueryEncoder::Lookup(wp),
                    QueryArg::ModelRaw => QueryEncoder::ModelRaw(m),
                    _ => {
                        let t = Instant::now();
                        let vectors = vectors.as_ref().map_or(&[][..], |e| e.vectors.as_slice());
                        let table = lookup::table(q, wp, m, vectors, &pseudo)?.unwrap_or_default();
                        eprintln!("{} table in {:.1} s", q.name(), t.elapsed().as_secs_f64());
                        QueryEncoder::Table(wp, table)
                    }
                };
                encoders.push((q, enc));
            }
        }
        let exact = match (&vectors, args.exact_sparse) {
            (Some(e), true) => Some(exact::ExactSparse::new(&data, &e.vectors)),
            _ => None,
        };
        let runs = specs.into_iter().flat_map(|(mode, fusion)| {
            let encs: Vec<Option<(QueryArg, &QueryEncoder<'_>)>> = if mode == Mode::Lexical {
                vec![None]
            } else {
                encoders.iter().map(|(q, e)| Some((*q, e))).collect()
            };
            encs.into_iter().map(move |e| (mode, fusion, e))
        });
        for (mode, fusion, encoder) in runs {
            let model = if mode == Mode::Lexical { None } else { model.as_ref() };
            let exact = exact.as_ref().filter(|_| mode != Mode::Lexical);
            let out = run_queries(
                &index,
                &data,
                encoder.map(|e| e.1),
                mode,
                fusion,
                args.candidates,
                exact,
            )?;
            let summary = metrics::evaluate(&data.qrels, &out.run);
            let mut obj = Map::new();
            let query_arg = encoder.map(|e| e.0);
            let mut run_label = run_name(mode, fusion, model, query_arg);
            if exact.is_some() {
                run_label.push_str("-exact");
            }
            obj.insert("name".into(), json!(run_label));
            obj.insert("exactSparse".into(), json!(exact.is_some()));
            obj.insert("system".into(), json!("sparrow (native)"));
            obj.insert("dataset".into(), json!(name));
            obj.insert("split".into(), json!(args.split));
            obj.insert("mode".into(), json!(mode));
            obj.insert("fusion".into(), fusion.map_or(Value::Null, fusion_json));
            obj.insert("model".into(), json!(model.map(|m| m.variant.clone())));
            // Which query encoder made the sparse arm's query: "model", "lookup", "lookup-…".
            obj.insert("queryEncoder".into(), json!(query_arg.map(QueryArg::name)));
            if let Some(m) = model {
                let c = m.encoder.config();
                obj.insert(
                    "encoder".into(),
                    json!({ "maxWindows": c.max_windows, "threshold": num32(c.threshold) }),
                );
            }
            obj.insert("bm25".into(), json!({ "k1": num32(bm25.k1), "b": num32(bm25.b) }));
            obj.insert("candidates".into(), json!(args.candidates));
            // Whether this run used the library's defaults (what `search(q)` does).
            let defaults = bm25 == Bm25Params::default()
                && args.candidates == SearchOptions::default().candidates
                && !args.no_stemming
                && !args.no_stopwords
                && args.max_windows.is_none()
                && args.threshold.is_none()
                && args.max_postings.is_none()
                && args.title_repeat.is_none()
                && exact.is_none()
                && fusion.is_none_or(|f| f == Fusion::default())
                && query_arg.is_none_or(|q| matches!(q, QueryArg::Model | QueryArg::Lookup));
            obj.insert("libraryDefaults".into(), json!(defaults));
            obj.insert("latency".into(), out.latency);
            let mut index_info = json!({ "buildMs": round3(build_ms), "documents": stats.documents, "sparseDocuments": stats.sparse_documents });
            if let (Some(m), Some(e)) = (model, &vectors) {
                index_info["modelLoadMs"] = json!(round3(m.load_ms));
                index_info["encodeMs"] = json!(e.encode_ms.map(round3));
            }
            obj.insert("index".into(), index_info);
            if let Some(dir) = &args.write_runs {
                std::fs::create_dir_all(dir)?;
                let path = dir.join(format!("{}.json", obj["name"].as_str().unwrap_or("run")));
                runfile::write_json(&path, &obj, &out.run)?;
            }
            add_metrics(&mut obj, &summary);
            obj.insert("input".into(), json!(data.report));
            results.push(obj);
        }
    }
    print_results(args, &name, &results)
}

/// Builds the index of the corpus: title + text, each document's vector when given, and its
/// WordPiece tokens when `wordpiece` is given (as `sparrow index` does).
pub(crate) fn build_index(
    data: &Dataset,
    config: IndexConfig,
    vectors: Option<&[Option<SparseVector>]>,
    wordpiece: Option<&sparrow_core::WordPiece>,
    max_postings: Option<usize>,
    title_repeat: Option<usize>,
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
            if let (Some(n), Some(t)) = (title_repeat, &doc.title) {
                doc.title = Some(vec![t.as_str(); n.max(1)].join(" "));
            }
            doc
        })
        .collect();
    if let Some(max) = max_postings {
        let r = cap_sparse_postings(&mut docs, max);
        eprintln!(
            "pruned: {} terms capped at {max} postings, {} of {} postings removed",
            r.terms_capped,
            r.postings_removed,
            r.postings_removed + r.postings_kept
        );
    }
    let mut index = Index::new(config)?;
    index.add_many(docs).context("indexing the corpus")?;
    Ok(index)
}

fn run_name(
    mode: Mode,
    fusion: Option<Fusion>,
    model: Option<&Model>,
    query: Option<QueryArg>,
) -> String {
    let mut s = format!("sparrow-native-{}", json!(mode).as_str().unwrap_or("mode"));
    match fusion {
        Some(Fusion::Rrf { .. }) => s.push_str("-rrf"),
        Some(Fusion::Weighted { .. }) => s.push_str("-weighted"),
        None => {}
    }
    if let Some(m) = model {
        s.push('-');
        s.push_str(&m.variant);
    }
    if let Some(q) = query.filter(|q| *q != QueryArg::Model) {
        s.push('-');
        s.push_str(q.name());
    }
    s
}

/// Pseudo-queries for `--query lookup-ctx`: the corpus titles, plus the train queries when the
/// evaluated split is not train (a split's own queries are never used).
fn pseudo_queries(args: &EvalArgs, dir: &Path, data: &Dataset) -> Result<Vec<String>> {
    if !args.query.contains(&QueryArg::LookupCtx) {
        return Ok(Vec::new());
    }
    let mut out: Vec<String> =
        data.corpus.iter().filter(|d| !d.title.is_empty()).map(|d| d.title.clone()).collect();
    if args.split != "train" && dir.join("qrels/train.tsv").is_file() {
        let train = beir::load(dir, "train", &args.index_config(Bm25Params::default()))?;
        out.extend(train.queries.iter().map(|(_, text)| text.clone()));
    }
    Ok(out)
}

struct QueryRun {
    run: Run,
    latency: Value,
}

/// Runs every query once (after a short warm-up), timing query encoding + search.
fn run_queries(
    index: &Index,
    data: &Dataset,
    encoder: Option<&QueryEncoder<'_>>,
    mode: Mode,
    fusion: Option<Fusion>,
    candidates: usize,
    exact: Option<&exact::ExactSparse<'_>>,
) -> Result<QueryRun> {
    let options = SearchOptions {
        limit: DEPTH,
        mode,
        fusion: fusion.unwrap_or_default(),
        candidates,
        ..SearchOptions::default()
    };
    let search = |text: &str| -> Result<(Vec<(String, f64)>, f64)> {
        if let (Some(x), Some(e)) = (exact, encoder) {
            let ranking = x.rank(index, e, text, &options)?;
            return Ok((ranking, 0.0));
        }
        let t = Instant::now();
        let query = match encoder {
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
    let mut latency = latency_json(&total);
    if encoder.is_some() {
        latency["encodeP50Ms"] = json!(round3(percentile(&encode, 0.5)));
    }
    Ok(QueryRun { run, latency })
}

/// Nearest-rank percentile (`p` in (0, 1]): the smallest sample with at least `p` of the samples
/// at or below it. The node harnesses use the same definition.
pub(crate) fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = (p * s.len() as f64).ceil().max(1.0) as usize;
    s[rank.min(s.len()) - 1]
}

/// An `f32` setting as the JSON number it was written as (`0.35`, not `0.3499999940395355`).
pub(crate) fn num32(x: f32) -> Value {
    x.to_string().parse::<f64>().map_or(Value::Null, |v| json!(v))
}

/// A fusion as the library's JSON shape, with clean numbers.
pub(crate) fn fusion_json(f: Fusion) -> Value {
    match f {
        Fusion::Rrf { k } => json!({ "kind": "rrf", "k": num32(k) }),
        Fusion::Weighted { alpha } => json!({ "kind": "weighted", "alpha": num32(alpha) }),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn latency_json(ms: &[f64]) -> Value {
    let mean = if ms.is_empty() { 0.0 } else { ms.iter().sum::<f64>() / ms.len() as f64 };
    json!({
        "p50Ms": round3(percentile(ms, 0.5)),
        "p95Ms": round3(percentile(ms, 0.95)),
        "meanMs": round3(mean),
    })
}

fn add_metrics(obj: &mut Map<String, Value>, s: &Summary) {
    obj.insert("queries".into(), json!(s.queries));
    if s.missing > 0 {
        obj.insert("missingQueries".into(), json!(s.missing));
    }
    obj.insert("ndcg@10".into(), json!(s.ndcg10));
    obj.insert("recall@100".into(), json!(s.recall100));
    obj.insert("mrr@10".into(), json!(s.mrr10));
}

/// `--run FILE...`: scores run files against the split's qrels.
fn score_run_files(args: &EvalArgs, dir: &Path, name: &str) -> Result<()> {
    let mut report = beir::InputReport::default();
    let qrels =
        beir::read_qrels(&dir.join("qrels").join(format!("{}.tsv", args.split)), &mut report)?;
    if let Some(line) = report.summary() {
        eprintln!("{name}: {line}");
    }
    let mut results = Vec::new();
    for path in &args.run {
        let file = runfile::read(path)?;
        let summary = metrics::evaluate(&qrels, &file.run);
        let mut obj = file.meta;
        obj.entry("name")
            .or_insert_with(|| json!(path.file_stem().map(|s| s.to_string_lossy().into_owned())));
        obj.insert("runFile".into(), json!(path.display().to_string()));
        obj.insert("dataset".into(), json!(name));
        obj.insert("split".into(), json!(args.split));
        add_metrics(&mut obj, &summary);
        obj.insert("input".into(), json!(report));
        results.push(obj);
    }
    print_results(args, name, &results)
}

fn print_results(args: &EvalArgs, name: &str, results: &[Map<String, Value>]) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    if args.json {
        for r in results {
            serde_json::to_writer(&mut w, r)?;
            writeln!(w)?;
        }
        return Ok(());
    }
    let queries = results.first().and_then(|r| r["queries"].as_u64()).unwrap_or(0);
    writeln!(w, "{name} {} ({queries} queries)", args.split)?;
    if args.run.is_empty() {
        writeln!(
            w,
            "BM25 k1 {} b {}; candidates {}; top {DEPTH} per query",
            args.k1, args.b, args.candidates
        )?;
    }
    writeln!(
        w,
        "| run | mode | fusion | model | nDCG@10 | Recall@100 | MRR@10 | p50 ms | p95 ms |"
    )?;
    writeln!(w, "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")?;
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Number(n) if n.as_f64().is_some_and(|x| x.fract() == 0.0 && x.abs() < 1e15) => {
            format!("{}", n.as_f64().unwrap_or_default() as i64)
        }
        other => other.to_string(),
    };
    for r in results {
        let fusion = match r.get("fusion") {
            Some(Value::Object(f)) => {
                let kind = f.get("kind").map(text).unwrap_or_default();
                let param = f
                    .iter()
                    .filter(|(k, _)| *k != "kind")
                    .map(|(k, v)| format!(" {k}={}", text(v)))
                    .collect::<String>();
                format!("{kind}{param}")
            }
            Some(v) => text(v),
            None => "-".into(),
        };
        let num =
            |k: &str| r.get(k).and_then(Value::as_f64).map_or("-".into(), |x| format!("{x:.4}"));
        let lat = |k: &str| {
            r.get("latency")
                .and_then(|l| l.get(k))
                .and_then(Value::as_f64)
                .map_or("-".into(), |x| format!("{x:.2}"))
        };
        writeln!(
            w,
            "| {} | {} | {fusion} | {} | {} | {} | {} | {} | {} |",
            r.get("name").map(text).unwrap_or_default(),
            r.get("mode").map_or("-".into(), text),
            r.get("model").map_or("-".into(), text),
            num("ndcg@10"),
            num("recall@100"),
            num("mrr@10"),
            lat("p50Ms"),
            lat("p95Ms"),
        )?;
    }
    Ok(())
}
