//! `sparrow eval --beir DIR`: retrieval quality (nDCG@10, Recall@100, MRR@10) and per-query
//! latency of every mode on a dataset in the BEIR layout, natively; also scores run files written
//! by other systems (`--run`), writes Sparrow's runs and index for the node harnesses, and tunes
//! BM25 and fusion on a split (`--tune`).
//!
//! The evaluation itself is the `sparrow-eval` crate (BEIR loading, metrics, runs and their typed
//! reports, tuning); this module turns the command line into its calls, writes the files asked
//! for, and prints.

#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this command's job

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use sparrow_core::{
    cap_sparse_postings, AnalyzerConfig, Bm25Params, Document, Fusion, Index, IndexConfig, Mode,
    SearchOptions, DEFAULT_ALPHA, DEFAULT_B, DEFAULT_K1, DEFAULT_RRF_K,
};
use sparrow_encoder::EncoderConfig;
use sparrow_eval::beir::{self, Dataset};
use sparrow_eval::exact::{ExactSparse, Prf};
use sparrow_eval::lookup::{self, QueryArg, QueryEncoder};
use sparrow_eval::run::{fusion_json, EncoderInfo, IndexInfo, Metrics};
use sparrow_eval::significance::{self, VsBaseline};
use sparrow_eval::vectors::{self, Model};
use sparrow_eval::{metrics, render_table, runfile, tune, IndexWhatIf, RunReport, RunSpec, DEPTH};

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
    /// What-if: weigh every window after a document's first by W in (0, 1] before max-pooling
    /// (the encoder's default is used otherwise).
    #[arg(long, value_name = "W")]
    later_windows: Option<f32>,
    /// What-if: drop expansion weights below X (the encoder's default is used otherwise).
    #[arg(long, value_name = "X")]
    threshold: Option<f32>,
    /// What-if: score the sparse arm with the documents' float vectors, exhaustively, instead of
    /// the index's 8-bit impacts (hybrid runs fuse it with the index's BM25 as the core does).
    #[arg(long)]
    exact_sparse: bool,
    /// What-if: pseudo-relevance feedback (Rocchio) on the sparse vectors from the first pass's
    /// top N documents (implies --exact-sparse: the index keeps no per-document vectors).
    #[arg(long, value_name = "N")]
    prf_docs: Option<usize>,
    /// --prf-docs: the feedback vector's weight relative to the query's norm.
    #[arg(long, value_name = "B", default_value_t = 0.5)]
    prf_weight: f32,
    /// --prf-docs: terms kept from the feedback vector.
    #[arg(long, value_name = "M", default_value_t = 20)]
    prf_terms: usize,
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
    /// Compare every run's nDCG@10 with this run file's, query by query: the difference, its
    /// paired bootstrap 95% interval and a paired randomization test's p-value (`vsBaseline` in
    /// `--json`).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
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
            later_windows: self.later_windows.unwrap_or(d.later_windows),
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

    fn what_if(&self) -> IndexWhatIf {
        IndexWhatIf { max_postings: self.max_postings, title_repeat: self.title_repeat }
    }

    /// What a run of `spec` was: its name and every setting, before it is scored.
    fn report(
        &self,
        dataset: &str,
        spec: RunSpec<'_>,
        model: Option<&Model>,
        query: Option<QueryArg>,
        bm25: Bm25Params,
    ) -> RunReport {
        let mut name = run_name(spec.mode, spec.fusion, model, query);
        if spec.exact.is_some() {
            name.push_str("-exact");
        }
        if let (Some(docs), Some(_)) = (self.prf_docs, spec.exact) {
            name.push_str(&format!("-prf{docs}"));
        }
        // Whether this run used the library's defaults (what `search(q)` does).
        let defaults = bm25 == Bm25Params::default()
            && self.candidates == SearchOptions::default().candidates
            && !self.no_stemming
            && !self.no_stopwords
            && self.max_windows.is_none()
            && self.threshold.is_none()
            && self.later_windows.is_none()
            && self.max_postings.is_none()
            && self.title_repeat.is_none()
            && spec.exact.is_none()
            && spec.fusion.is_none_or(|f| f == Fusion::default())
            && query.is_none_or(|q| matches!(q, QueryArg::Model | QueryArg::Lookup));
        RunReport {
            name,
            system: Some("sparrow (native)".into()),
            dataset: dataset.to_owned(),
            split: self.split.clone(),
            mode: Some(mode_name(spec.mode).to_owned()),
            fusion: spec.fusion.map(fusion_json),
            model: model.map(|m| m.variant.clone()),
            query_encoder: query.map(|q| q.name().to_owned()),
            exact_sparse: Some(spec.exact.is_some()),
            encoder: model.map(|m| {
                let c = m.encoder.config();
                EncoderInfo {
                    max_windows: c.max_windows,
                    threshold: c.threshold,
                    later_windows: c.later_windows,
                }
            }),
            bm25: Some(bm25),
            candidates: Some(self.candidates),
            library_defaults: Some(defaults),
            ..RunReport::default()
        }
    }

    fn fusion_of(&self, f: FusionArg) -> Fusion {
        match f {
            FusionArg::Rrf => Fusion::Rrf { k: self.rrf_k },
            FusionArg::Weighted => Fusion::Weighted { alpha: self.alpha },
        }
    }
}

/// `sparrow-eval`'s progress on stderr: notes as lines, counted steps as a progress bar.
#[derive(Debug, Default)]
pub(crate) struct Stderr {
    bar: Mutex<Option<ProgressBar>>,
}

impl sparrow_eval::Progress for Stderr {
    fn note(&self, line: &str) {
        eprintln!("{line}");
    }
    fn start(&self, label: &str, total: u64) {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} {bar:40} {pos}/{len} docs, {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(label.to_owned());
        *self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(bar);
    }
    fn advance(&self, n: u64) {
        if let Some(bar) = &*self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
            bar.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
        {
            bar.finish_and_clear();
        }
    }
}

/// Loads a model variant from `dir` (what model/build.sh writes).
pub(crate) fn load_model(dir: &Path, variant: Variant, config: EncoderConfig) -> Result<Model> {
    let (path, model, tokenizer) = super::read_model_files(dir, variant.name())?;
    vectors::load_model(variant.name(), &model, &tokenizer, config)
        .with_context(|| format!("loading {}", path.display()))
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
        return run_tune(args, &data);
    }
    let bm25 = Bm25Params { k1: args.k1, b: args.b };
    bm25.validate()?;
    let needs_model = args.mode.iter().any(|m| *m != ModeArg::Lexical);
    let variants: Vec<Variant> = if needs_model { args.variant.clone() } else { Vec::new() };
    if needs_model && variants.is_empty() {
        bail!("sparse and hybrid mode need at least one --variant");
    }
    let progress = Stderr::default();
    let baseline = Baseline::read(args.baseline.as_deref())?;
    let mut results = Vec::new();
    // One index per variant (same lexical part, that variant's vectors); lexical-only without one.
    let slots: Vec<Option<Variant>> =
        if variants.is_empty() { vec![None] } else { variants.iter().copied().map(Some).collect() };
    for (slot, variant) in slots.into_iter().enumerate() {
        let ctx = Ctx {
            args,
            dir: &dir,
            name: &name,
            data: &data,
            bm25,
            progress: &progress,
            baseline: baseline.as_ref(),
        };
        results.extend(run_variant(&ctx, slot, variant)?);
    }
    print_results(args, &name, &results)
}

/// What every run of an evaluation shares.
struct Ctx<'a> {
    args: &'a EvalArgs,
    dir: &'a Path,
    name: &'a str,
    data: &'a Dataset,
    bm25: Bm25Params,
    progress: &'a Stderr,
    baseline: Option<&'a Baseline>,
}

/// `--baseline`: a run file's name and rankings.
struct Baseline {
    name: String,
    run: metrics::Run,
}

impl Baseline {
    fn read(path: Option<&Path>) -> Result<Option<Baseline>> {
        let Some(path) = path else { return Ok(None) };
        let file = runfile::read(path).with_context(|| format!("--baseline {}", path.display()))?;
        let name = run_file_name(file.meta.get("name").and_then(|v| v.as_str()), path);
        Ok(Some(Baseline { name, run: file.run }))
    }

    fn compare(&self, qrels: &metrics::Qrels, run: &metrics::Run) -> VsBaseline {
        significance::compare(qrels, run, &self.run, &self.name)
    }
}

/// A run file's name: its `name` metadata when it has one, else the file's stem.
fn run_file_name(name: Option<&str>, path: &Path) -> String {
    match name.filter(|n| !n.is_empty()) {
        Some(n) => n.to_owned(),
        None => path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
    }
}

/// The runs of one model variant (or of none: lexical only): its index, then every mode, fusion
/// and query encoder asked for, each scored.
fn run_variant(ctx: &Ctx<'_>, slot: usize, variant: Option<Variant>) -> Result<Vec<RunReport>> {
    let Ctx { args, dir, name, data, bm25, progress, baseline } = *ctx;
    let mut results = Vec::new();
    let model = variant.map(|v| load_model(&args.model, v, args.encoder_config())).transpose()?;
    let vectors = match &model {
        Some(m) => Some(vectors::doc_vectors(
            m,
            &data.corpus,
            &data.corpus_sha256,
            args.cache_dir().as_deref(),
            progress,
        )?),
        None => None,
    };
    let doc_vectors = vectors.as_ref().map(|e| e.vectors.as_slice());
    let t = Instant::now();
    let index = sparrow_eval::build_index(
        data,
        args.index_config(bm25),
        doc_vectors,
        model.as_ref().map(|m| &m.wordpiece),
        args.what_if(),
        progress,
    )
    .context("indexing the corpus")?;
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
            write_index(args, path, data, &index, model.as_ref(), doc_vectors, bm25)?;
        }
    }
    let encoders = query_encoders(args, dir, data, model.as_ref(), &index, doc_vectors)?;
    let prf =
        args.prf_docs.map(|docs| Prf { docs, weight: args.prf_weight, terms: args.prf_terms });
    let exact = match (doc_vectors, args.exact_sparse || prf.is_some()) {
        (Some(v), true) => Some(ExactSparse::new(data, v, prf)),
        _ => None,
    };
    let mut index_info = IndexInfo {
        build_ms: sparrow_eval::run::round3(build_ms),
        documents: stats.documents,
        sparse_documents: stats.sparse_documents,
        ..IndexInfo::default()
    };
    if let (Some(m), Some(e)) = (&model, &vectors) {
        index_info.model_load_ms = Some(sparrow_eval::run::round3(m.load_ms));
        index_info.encode_ms = Some(e.encode_ms.map(sparrow_eval::run::round3));
    }
    for (mode, fusion) in run_modes(args, slot == 0, model.is_some()) {
        let encs: Vec<Option<&(QueryArg, QueryEncoder<'_>)>> =
            if mode == Mode::Lexical { vec![None] } else { encoders.iter().map(Some).collect() };
        for encoder in encs {
            let model = if mode == Mode::Lexical { None } else { model.as_ref() };
            let exact = exact.as_ref().filter(|_| mode != Mode::Lexical);
            let spec = RunSpec {
                mode,
                fusion,
                candidates: args.candidates,
                encoder: encoder.map(|e| &e.1),
                exact,
            };
            let out = sparrow_eval::run_queries(&index, data, spec)?;
            let mut report = args.report(name, spec, model, encoder.map(|e| e.0), bm25);
            report.latency = Some(out.latency);
            report.index = Some(index_info.clone());
            if let Some(dir) = &args.write_runs {
                std::fs::create_dir_all(dir)?;
                let path = dir.join(format!("{}.json", report.name));
                runfile::write_json(&path, &report.to_json(), &out.run)?;
            }
            report.metrics = Some(metrics::evaluate(&data.qrels, &out.run).into());
            report.vs_baseline = baseline.map(|b| b.compare(&data.qrels, &out.run));
            report.input = Some(data.report.clone());
            results.push(report);
        }
    }
    Ok(results)
}

/// The modes and fusions of a variant's runs (lexical once, with the first index).
fn run_modes(args: &EvalArgs, first: bool, model: bool) -> Vec<(Mode, Option<Fusion>)> {
    let mut specs: Vec<(Mode, Option<Fusion>)> = Vec::new();
    if args.mode.contains(&ModeArg::Lexical) && first {
        specs.push((Mode::Lexical, None));
    }
    if model {
        if args.mode.contains(&ModeArg::Sparse) {
            specs.push((Mode::Sparse, None));
        }
        if args.mode.contains(&ModeArg::Hybrid) {
            specs.extend(args.fusion.iter().map(|f| (Mode::Hybrid, Some(args.fusion_of(*f)))));
        }
    }
    specs
}

/// The query encoders of the sparse arm asked for (built once per model variant).
fn query_encoders<'a>(
    args: &EvalArgs,
    dir: &Path,
    data: &Dataset,
    model: Option<&'a Model>,
    index: &'a Index,
    vectors: Option<&[Option<sparrow_core::SparseVector>]>,
) -> Result<Vec<(QueryArg, QueryEncoder<'a>)>> {
    let Some(m) = model else { return Ok(Vec::new()) };
    let pseudo = pseudo_queries(args, dir, data)?;
    let mut encoders = Vec::new();
    for &q in &args.query {
        let wp = &m.wordpiece;
        let enc = match q {
            QueryArg::Model => QueryEncoder::Model(m),
            QueryArg::Lookup => QueryEncoder::Lookup(wp),
            QueryArg::ModelRaw => QueryEncoder::ModelRaw(m),
            QueryArg::ModelLookup => QueryEncoder::ModelLookup(m, index),
            _ => {
                let t = Instant::now();
                let table = lookup::table(q, wp, m, vectors.unwrap_or_default(), &pseudo)?
                    .unwrap_or_default();
                eprintln!("{} table in {:.1} s", q.name(), t.elapsed().as_secs_f64());
                QueryEncoder::Table(wp, table)
            }
        };
        encoders.push((q, enc));
    }
    Ok(encoders)
}

/// `--write-index` (and `--write-vocab`): the first variant's index, as `Sparrow.load` reads it.
fn write_index(
    args: &EvalArgs,
    path: &Path,
    data: &Dataset,
    index: &Index,
    model: Option<&Model>,
    vectors: Option<&[Option<sparrow_core::SparseVector>]>,
    bm25: Bm25Params,
) -> Result<()> {
    let bytes = match (&args.write_vocab, model) {
        (Some(vocab_path), Some(m)) => {
            let mut docs: Vec<Document> = data
                .corpus
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let doc = beir::to_document(d);
                    match vectors.and_then(|v| v[i].clone()) {
                        Some(v) => doc.with_sparse(v),
                        None => doc,
                    }
                })
                .collect();
            if let Some(max) = args.max_postings {
                cap_sparse_postings(&mut docs, max);
            }
            let ranked = super::index::build_index(docs, &m.wordpiece, args.index_config(bm25))?;
            let vocab = m.wordpiece.with_rank_ids().to_vocab_bytes();
            std::fs::write(vocab_path, &vocab)
                .with_context(|| format!("writing {}", vocab_path.display()))?;
            eprintln!("wrote {} ({} bytes)", vocab_path.display(), vocab.len());
            ranked.to_bytes()
        }
        (Some(_), None) => bail!("--write-vocab needs a model (sparse or hybrid mode)"),
        (None, _) => index.to_bytes(),
    };
    std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    Ok(())
}

/// `--tune`: the grid on this split with the first variant, printed (and written to `--tune-out`).
fn run_tune(args: &EvalArgs, data: &Dataset) -> Result<()> {
    if args.split == "test" {
        eprintln!("WARNING: tuning on the test split. Tune on train, then report test once.");
    }
    let Some(&variant) = args.variant.first() else { bail!("--tune needs a --variant") };
    let progress = Stderr::default();
    let model = load_model(&args.model, variant, args.encoder_config())?;
    let encoded = vectors::doc_vectors(
        &model,
        &data.corpus,
        &data.corpus_sha256,
        args.cache_dir().as_deref(),
        &progress,
    )?;
    let index_config = |bm25| args.index_config(bm25);
    let setup = tune::TuneSetup {
        split: &args.split,
        model: &model,
        vectors: &encoded.vectors,
        index_config: &index_config,
    };
    let report = tune::run(&setup, data, &progress)?;
    print!("{}", report.render());
    if let Some(path) = &args.tune_out {
        std::fs::write(path, serde_json::to_vec_pretty(&report.to_json())?)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn run_name(
    mode: Mode,
    fusion: Option<Fusion>,
    model: Option<&Model>,
    query: Option<QueryArg>,
) -> String {
    let mut s = format!("sparrow-native-{}", mode_name(mode));
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

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Lexical => "lexical",
        Mode::Sparse => "sparse",
        Mode::Hybrid => "hybrid",
    }
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

/// `--run FILE...`: scores run files against the split's qrels.
fn score_run_files(args: &EvalArgs, dir: &Path, name: &str) -> Result<()> {
    let mut input = beir::InputReport::default();
    let qrels =
        beir::read_qrels(&dir.join("qrels").join(format!("{}.tsv", args.split)), &mut input)?;
    if let Some(line) = input.summary() {
        eprintln!("{name}: {line}");
    }
    let baseline = Baseline::read(args.baseline.as_deref())?;
    let mut results = Vec::new();
    for path in &args.run {
        let file = runfile::read(path)?;
        let mut report = RunReport::from_meta(file.meta);
        report.name = run_file_name(Some(report.name.as_str()), path);
        report.run_file = Some(path.display().to_string());
        report.dataset = name.to_owned();
        report.split = args.split.clone();
        report.metrics = Some(Metrics::from(metrics::evaluate(&qrels, &file.run)));
        report.vs_baseline = baseline.as_ref().map(|b| b.compare(&qrels, &file.run));
        report.input = Some(input.clone());
        results.push(report);
    }
    print_results(args, name, &results)
}

fn print_results(args: &EvalArgs, name: &str, results: &[RunReport]) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    if args.json {
        for r in results {
            serde_json::to_writer(&mut w, r)?;
            writeln!(w)?;
        }
        return Ok(());
    }
    let queries = results.first().and_then(|r| r.metrics).map_or(0, |m| m.queries);
    writeln!(w, "{name} {} ({queries} queries)", args.split)?;
    if args.run.is_empty() {
        writeln!(
            w,
            "BM25 k1 {} b {}; candidates {}; top {DEPTH} per query",
            args.k1, args.b, args.candidates
        )?;
    }
    write!(w, "{}", render_table(results))?;
    Ok(())
}
