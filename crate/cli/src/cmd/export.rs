//! `sparrow export` and `sparrow query-vector`: a collection that outgrows the browser moves to
//! Elasticsearch, OpenSearch or Anserini (Lucene) with the same vectors and the same ranking.
//!
//! Both commands load an input (a Sparrow index file, a site index directory, or a BEIR dataset
//! the model encodes) into a `sparrow-core` [`Index`], name its vocabulary ids with the model's
//! (or the site's) WordPiece vocabulary, and leave every engine rule and JSON shape to
//! [`sparrow_core::export`]; this module only reads and writes files.
//!
//! The weights exported are the ones Sparrow scores (the index's dequantized 8-bit impacts), so
//! a Lucene run over the export is Sparrow's sparse arm up to the engine's own rounding
//! (`tests/lucene/anserini.test.mjs` holds it to that).

#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is these commands' job

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde_json::{json, Map, Value};
use sparrow_core::export::{self, Engine, EngineQuery, DEFAULT_IMPACT_SCALE};
use sparrow_core::format::{SiteManifest, SiteMode};
use sparrow_core::{
    Bm25Params, Fusion, Index, IndexConfig, Mode, Query, QueryEncoder, SearchOptions, SparseVector,
    WordPiece, DEFAULT_ALPHA, DEFAULT_RRF_K,
};
use sparrow_encoder::EncoderConfig;

use sparrow_eval::{beir, vectors, IndexWhatIf};

use super::eval::{load_model, FusionArg, ModeArg, Stderr, Variant};

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    Elasticsearch,
    Opensearch,
    Anserini,
}

impl FormatArg {
    fn engine(self) -> Engine {
        match self {
            FormatArg::Elasticsearch => Engine::Elasticsearch,
            FormatArg::Opensearch => Engine::Opensearch,
            FormatArg::Anserini => Engine::Anserini,
        }
    }
}

/// `--query`: which query encoder makes the query vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum QuerySide {
    /// The model expands the query.
    Model,
    /// The query's WordPiece tokens weighted by the index's IDF (no model).
    Lookup,
}

/// Where the documents come from (one of the three).
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// A Sparrow index: a whole index file (`toBytes`, `sparrow eval --write-index`) or a site
    /// index's `manifest.json` (its base, every shard and fragment are read).
    #[arg(long, value_name = "FILE", conflicts_with = "beir")]
    index: Option<PathBuf>,
    /// A BEIR dataset directory: its corpus is indexed as `sparrow eval` does (title + text,
    /// encoded by the model; the eval's vector cache is used).
    #[arg(long, value_name = "DIR")]
    beir: Option<PathBuf>,
    /// The vocabulary file of an index built for one (`vocab-*.spv`; a site manifest names its
    /// own). Default: the model's tokenizer.json.
    #[arg(long, value_name = "FILE")]
    vocab: Option<PathBuf>,
    /// Directory with splade-tiny.{int8,f32}.onnx and tokenizer.json (made by model/build.sh).
    #[arg(long, value_name = "DIR", default_value = "model/build")]
    model: PathBuf,
    /// Model variant (BEIR encoding, and model query vectors).
    #[arg(long, value_enum, default_value = "int8")]
    variant: Variant,
    /// Query encoder of the query vectors: `model`, or `lookup` (needs an index with token
    /// counts: no model runs).
    #[arg(long = "query", value_enum, default_value = "model")]
    query: QuerySide,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Target engine.
    #[arg(long, value_enum)]
    format: FormatArg,
    /// Output directory (created; files in it with the same names are replaced).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Index name in the engine (Elasticsearch, OpenSearch).
    #[arg(long, default_value = "sparrow")]
    index_name: String,
    /// Largest bulk / collection file, in bytes (Elasticsearch and OpenSearch refuse requests
    /// above `http.max_content_length`, 100 MB by default, and advise 5-15 MB bulks).
    #[arg(long, value_name = "BYTES", default_value_t = 10 << 20)]
    chunk_bytes: usize,
    /// Anserini: integer impact = round(weight x SCALE).
    #[arg(long, value_name = "SCALE", default_value_t = DEFAULT_IMPACT_SCALE)]
    scale: f32,
    /// BEIR input: also write the split's queries (Anserini topics; Elasticsearch/OpenSearch
    /// `_msearch` bodies) encoded with `--query`.
    #[arg(long, value_name = "SPLIT")]
    split: Option<String>,
    /// The example query of `queries.md` and `search/*.json`.
    #[arg(long, value_name = "TEXT", default_value = "how do volcanoes form")]
    example: String,
}

#[derive(Debug, Args)]
pub(crate) struct QueryVectorArgs {
    /// The query text.
    text: String,
    #[command(flatten)]
    input: InputArgs,
    /// Target engine.
    #[arg(long, value_enum)]
    format: FormatArg,
    /// lexical, sparse or hybrid.
    #[arg(long, value_enum, default_value = "sparse")]
    mode: ModeArg,
    /// Hybrid fusion (Sparrow's defaults: weighted alpha 0.35, RRF k 3).
    #[arg(long, value_enum, default_value = "weighted")]
    fusion: FusionArg,
    /// Weighted fusion: the sparse arm's weight.
    #[arg(long, default_value_t = DEFAULT_ALPHA)]
    alpha: f32,
    /// RRF k.
    #[arg(long, default_value_t = DEFAULT_RRF_K)]
    rrf_k: f32,
    /// Hits to return.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Anserini: integer weight = round(weight x SCALE).
    #[arg(long, value_name = "SCALE", default_value_t = DEFAULT_IMPACT_SCALE)]
    scale: f32,
}

/// A loaded input: the index, the vocabulary naming its ids, and what else came with it.
struct Loaded {
    index: Index,
    vocab: WordPiece,
    /// The model, when one was loaded (BEIR input, or model query vectors).
    model: Option<vectors::Model>,
    /// BEIR input: the dataset (its queries for `--split`).
    dataset: Option<beir::Dataset>,
    source: String,
}

impl InputArgs {
    fn load(&self, split: Option<&str>, need_model: bool) -> Result<Loaded> {
        let need_model = need_model || self.beir.is_some();
        let model = if need_model {
            Some(load_model(&self.model, self.variant, EncoderConfig::default())?)
        } else {
            None
        };
        let model_vocab = || -> Result<WordPiece> {
            match &model {
                Some(m) => Ok(m.wordpiece.clone()),
                None => {
                    let path = self.model.join("tokenizer.json");
                    let bytes = std::fs::read(&path).with_context(|| {
                        format!("reading {} (build the model with model/build.sh, or pass --vocab FILE)", path.display())
                    })?;
                    Ok(WordPiece::from_tokenizer_json(&bytes)?)
                }
            }
        };
        let vocab_file = |path: &Path| -> Result<WordPiece> {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            WordPiece::from_vocab_bytes(&bytes)
                .with_context(|| format!("{} is not a Sparrow vocabulary file", path.display()))
        };
        let (index, vocab, dataset, source) = match (&self.index, &self.beir) {
            (Some(path), None) => {
                let is_manifest = path.file_name().is_some_and(|n| n == "manifest.json");
                let (index, site_vocab) = if is_manifest {
                    load_site(path)?
                } else {
                    let bytes =
                        std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                    let index = Index::from_bytes(&bytes)
                        .with_context(|| format!("{} is not a Sparrow index", path.display()))?;
                    (index, None)
                };
                let vocab = match (&self.vocab, site_vocab) {
                    (Some(p), _) => vocab_file(p)?,
                    (None, Some(v)) => v,
                    (None, None) => model_vocab()?,
                };
                (index, vocab, None, path.display().to_string())
            }
            (None, Some(dir)) => {
                let config = IndexConfig { store_text: true, ..IndexConfig::default() };
                let data = beir::load(dir, split.unwrap_or("test"), &config)?;
                if let Some(line) = data.report.summary() {
                    eprintln!("{}: {line}", dir.display());
                }
                let Some(m) = &model else { bail!("internal: BEIR input without a model") };
                let cache = std::env::var_os("SPARROW_EVAL_CACHE")
                    .map_or_else(|| PathBuf::from("/var/tmp/sparrow-eval-cache"), PathBuf::from);
                let encoded =
                    vectors::doc_vectors(m, &data.corpus, &data.corpus_sha256, Some(&cache), &Stderr::default())?;
                let index = sparrow_eval::build_index(&data, config, Some(&encoded.vectors), Some(&m.wordpiece), IndexWhatIf::default(), &Stderr::default())?;
                (index, m.wordpiece.clone(), Some(data), dir.display().to_string())
            }
            _ => bail!("pass the documents as --index FILE (a Sparrow index or a site manifest.json) or --beir DIR"),
        };
        index.check_term_space(vocab.term_space()).context(
            "the vocabulary does not match the index (a site index needs its vocab-*.spv file: pass --vocab, or the manifest.json)",
        )?;
        Ok(Loaded { index, vocab, model, dataset, source })
    }
}

/// A site index directory, whole or sharded, read completely.
fn load_site(manifest_path: &Path) -> Result<(Index, Option<WordPiece>)> {
    let dir = manifest_path.parent().unwrap_or(Path::new("."));
    let read = |name: &str| -> Result<Vec<u8>> {
        let p = dir.join(name);
        std::fs::read(&p).with_context(|| format!("reading {}", p.display()))
    };
    let manifest = SiteManifest::from_json(&read("manifest.json")?, None)
        .with_context(|| format!("{} is not a Sparrow site manifest", manifest_path.display()))?;
    let vocab = WordPiece::from_vocab_bytes(&read(&manifest.vocab.file)?)?;
    let index = match manifest.mode {
        SiteMode::Whole => {
            let file = manifest.index.as_ref().context("the manifest names no index file")?;
            Index::from_bytes(&read(&file.file)?)?
        }
        SiteMode::Sharded => {
            let base = manifest.base.as_ref().context("the manifest names no base file")?;
            let mut index = Index::from_base_bytes(&read(&base.file)?)?;
            for i in 0..index.shard_count().unwrap_or(0) {
                let name = manifest.shard_file(i).context("shard name")?;
                index.load_shard(&read(&name)?).with_context(|| format!("loading {name}"))?;
            }
            for i in 0..index.fragment_count().unwrap_or(0) {
                let name = manifest.fragment_file(i).context("fragment name")?;
                index.load_fragment(&read(&name)?).with_context(|| format!("loading {name}"))?;
            }
            index
        }
    };
    Ok((index, Some(vocab)))
}

impl Loaded {
    /// `(token, weight)` pairs of a vector; an id the vocabulary does not name is an error (the
    /// index and the vocabulary would not belong together).
    fn named<'a>(&'a self, v: &SparseVector) -> Result<Vec<(&'a str, f32)>> {
        v.iter()
            .map(|(id, w)| {
                let token = self.vocab.token(id).with_context(|| {
                    format!("vocabulary id {id} has no token: the vocabulary does not belong to this index")
                })?;
                Ok((token, w))
            })
            .collect()
    }

    /// The sparse arm's vector for `text`, as Sparrow's search would score it.
    fn query_vector(&self, text: &str, side: QuerySide) -> Result<SparseVector> {
        let query = Query::new(text);
        query.check()?;
        let (query, encoder) = match side {
            QuerySide::Model => {
                let m = self.model.as_ref().context("model query vectors need the model")?;
                let v = m.encoder.encode_query(text)?;
                // A site index is keyed by vocabulary-file ranks; the model by its own ids.
                let v = match self.index.term_space() {
                    s if s == m.wordpiece.term_space() => v,
                    _ => self.vocab.rekey(&v, |id| m.wordpiece.token(id).map(str::to_owned)),
                };
                (query.with_expansion(v), QueryEncoder::Model)
            }
            QuerySide::Lookup => (query.with_tokens(self.vocab.ids(text)), QueryEncoder::Lookup),
        };
        Ok(self.index.query_vector(&query, Some(encoder)).unwrap_or_default())
    }

    fn engine_query_vector(
        &self,
        engine: Engine,
        text: &str,
        side: QuerySide,
        scale: f32,
    ) -> Result<Map<String, Value>> {
        let v = self.query_vector(text, side)?;
        Ok(export::query_vector(engine, self.named(&v)?, scale))
    }
}

/// `sparrow query-vector`: prints the search body for one query (the core's
/// [`export::query_request`], as the npm package's `queryVector` returns it).
pub(crate) fn query_vector(args: &QueryVectorArgs) -> Result<()> {
    let options = export::EngineQueryOptions {
        format: args.format.engine(),
        scale: args.scale,
        search: SearchOptions {
            mode: match args.mode {
                ModeArg::Lexical => Mode::Lexical,
                ModeArg::Sparse => Mode::Sparse,
                ModeArg::Hybrid => Mode::Hybrid,
            },
            fusion: match args.fusion {
                FusionArg::Weighted => Fusion::Weighted { alpha: args.alpha },
                FusionArg::Rrf => Fusion::Rrf { k: args.rrf_k },
            },
            limit: args.limit,
            ..SearchOptions::default()
        },
    };
    options.search.validate()?;
    if !(args.scale.is_finite() && args.scale > 0.0) {
        bail!("--scale must be a positive number, got {}", args.scale);
    }
    Query::new(&args.text).check()?;
    let input = &args.input;
    let request = if options.search.mode == Mode::Lexical {
        export::query_request(&args.text, None::<Vec<(&str, f32)>>, &options)?
    } else if input.query == QuerySide::Model && input.index.is_none() && input.beir.is_none() {
        // Model queries need no index: the model alone.
        let m = load_model(&input.model, input.variant, EncoderConfig::default())?;
        let v = m.encoder.encode_query(&args.text)?;
        let named: Vec<(&str, f32)> = v
            .iter()
            .map(|(id, w)| Ok((m.wordpiece.token(id).context("model id without a token")?, w)))
            .collect::<Result<_>>()?;
        export::query_request(&args.text, Some(named), &options)?
    } else {
        let loaded = input.load(None, input.query == QuerySide::Model)?;
        let v = loaded.query_vector(&args.text, input.query)?;
        export::query_request(&args.text, Some(loaded.named(&v)?), &options)?
    };
    println!("{}", serde_json::to_string_pretty(&request["body"])?);
    if let Some(pipeline) = request.get("pipeline") {
        eprintln!(
            "OpenSearch fuses a hybrid query in a search pipeline: create it with\n  PUT /_search/pipeline/sparrow-hybrid {pipeline}\nand search with ?search_pipeline=sparrow-hybrid"
        );
    }
    Ok(())
}

/// Files written, for the summary and `export.json`.
#[derive(Default)]
struct Written {
    files: Vec<(String, usize)>,
}

impl Written {
    fn write(&mut self, dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        self.files.push((name.to_owned(), bytes.len()));
        Ok(())
    }

    fn json(&mut self, dir: &Path, name: &str, value: &Value) -> Result<()> {
        let mut s = serde_json::to_string_pretty(value)?;
        s.push('\n');
        self.write(dir, name, s.as_bytes())
    }

    /// Writes `records` (each one or more lines, newline-terminated) into numbered files
    /// `{prefix}-NNNNN.{ext}` of at most `limit` bytes; a record is never split (a record above
    /// the limit gets a file of its own, and a warning).
    fn chunked(
        &mut self,
        dir: &Path,
        prefix: &str,
        ext: &str,
        limit: usize,
        records: impl IntoIterator<Item = String>,
    ) -> Result<usize> {
        let mut buf = String::new();
        let mut part = 0usize;
        let mut flush = |buf: &mut String, w: &mut Written| -> Result<()> {
            if !buf.is_empty() {
                w.write(dir, &format!("{prefix}-{part:05}.{ext}"), buf.as_bytes())?;
                part += 1;
                buf.clear();
            }
            Ok(())
        };
        for r in records {
            if !buf.is_empty() && buf.len() + r.len() > limit {
                flush(&mut buf, self)?;
            }
            if r.len() > limit {
                eprintln!(
                    "warning: one record is {} bytes, above --chunk-bytes {limit}: written alone",
                    r.len()
                );
            }
            buf.push_str(&r);
        }
        flush(&mut buf, self)?;
        Ok(part)
    }
}

fn line(v: &Value) -> String {
    let mut s = v.to_string();
    s.push('\n');
    s
}

/// `sparrow export`.
pub(crate) fn run(args: &ExportArgs) -> Result<()> {
    let engine = args.format.engine();
    if args.chunk_bytes < 1024 {
        bail!("--chunk-bytes {} is too small (at least 1024)", args.chunk_bytes);
    }
    if !(args.scale.is_finite() && args.scale > 0.0) {
        bail!("--scale must be a positive number, got {}", args.scale);
    }
    if args.split.is_some() && args.input.beir.is_none() {
        bail!("--split needs --beir DIR (the queries come from the dataset)");
    }
    let loaded = args.input.load(args.split.as_deref(), args.input.query == QuerySide::Model)?;
    let index = &loaded.index;
    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut w = Written::default();
    let docs = write_documents(args, engine, &loaded, &mut w)?;
    let examples = write_examples(args, engine, &loaded, &mut w)?;
    let topics = write_topics(args, engine, &loaded, &mut w)?;
    let meta = json!({
        "format": engine.name(),
        "source": loaded.source,
        "documents": docs.documents,
        "documentsWithVectors": docs.with_vectors,
        "weightsDropped": docs.dropped,
        "bm25": { "k1": export::num32(index.config().bm25.k1), "b": export::num32(index.config().bm25.b) },
        "scale": (engine == Engine::Anserini).then_some(export::num32(args.scale)),
        "queryEncoder": match args.input.query { QuerySide::Model => "model", QuerySide::Lookup => "lookup" },
        "split": args.split,
        "topics": topics,
        "indexName": (engine != Engine::Anserini).then_some(&args.index_name),
        "dotReplacement": (engine != Engine::Anserini).then_some(export::DOT.to_string()),
    });
    w.json(out, "export.json", &meta)?;
    let readme = queries_md(args, engine, index.config().bm25, docs.parts, &examples);
    w.write(out, "queries.md", readme.as_bytes())?;
    let total: usize = w.files.iter().map(|f| f.1).sum();
    eprintln!(
        "{}: {} documents ({} with vectors, {} weights the engine would refuse or round to 0 left out), {topics} queries -> {} ({} files, {total} bytes)",
        engine.name(),
        docs.documents,
        docs.with_vectors,
        docs.dropped,
        out.display(),
        w.files.len()
    );
    Ok(())
}

/// What [`write_documents`] wrote.
struct DocumentsWritten {
    documents: usize,
    with_vectors: usize,
    /// Weights the engine would refuse or round to 0, left out.
    dropped: usize,
    /// Files of the bulk (or vector) parts.
    parts: usize,
}

/// The index settings (Elasticsearch, OpenSearch) and every document, in size-bounded parts.
fn write_documents(
    args: &ExportArgs,
    engine: Engine,
    loaded: &Loaded,
    w: &mut Written,
) -> Result<DocumentsWritten> {
    let (index, out) = (&loaded.index, &args.out);
    let vectors: std::collections::HashMap<&str, SparseVector> =
        index.stored_vectors().into_iter().collect();
    let mut dropped = 0usize;
    let mut doc_vector = |id: &str| -> Result<Option<Map<String, Value>>> {
        let Some(v) = vectors.get(id) else { return Ok(None) };
        let named = loaded.named(v)?;
        let m = export::document_vector(engine, named.iter().copied(), args.scale);
        dropped += named.len().saturating_sub(m.len());
        Ok(Some(m))
    };
    let ids: Vec<String> = index.ids().map(str::to_owned).collect();
    let mut without_text = 0usize;
    let (documents, parts) = match engine {
        Engine::Elasticsearch | Engine::Opensearch => {
            w.json(out, "index.json", &export::index_body(engine, index.config().bm25)?)?;
            let mut records = Vec::with_capacity(ids.len());
            for id in &ids {
                let Some(doc) = index.get(id) else { continue };
                without_text += usize::from(doc.text.is_none());
                let source = export::document_source(&doc, doc_vector(id)?);
                records.push(line(&export::bulk_action(&args.index_name, id)) + &line(&source));
            }
            let n = records.len();
            (n, w.chunked(out, "bulk/part", "ndjson", args.chunk_bytes, records)?)
        }
        Engine::Anserini => {
            let (mut vec_lines, mut text_lines) = (Vec::new(), Vec::new());
            for id in &ids {
                let Some(doc) = index.get(id) else { continue };
                without_text += usize::from(doc.text.is_none());
                text_lines.push(line(&export::anserini_document(&doc, None)));
                if let Some(v) = doc_vector(id)? {
                    vec_lines.push(line(&export::anserini_document(&doc, Some(v))));
                }
            }
            let n = text_lines.len();
            let parts = w.chunked(out, "vectors/part", "jsonl", args.chunk_bytes, vec_lines)?;
            w.chunked(out, "text/part", "jsonl", args.chunk_bytes, text_lines)?;
            (n, parts)
        }
    };
    if without_text > 0 {
        eprintln!(
            "warning: {without_text} documents have no stored text (the index was built without it): their BM25 field is the title alone"
        );
    }

    Ok(DocumentsWritten { documents, with_vectors: vectors.len(), dropped, parts })
}

/// Example searches of `--example` in every mode, and the pipelines OpenSearch fuses with.
fn write_examples(
    args: &ExportArgs,
    engine: Engine,
    loaded: &Loaded,
    w: &mut Written,
) -> Result<Vec<&'static str>> {
    let out = &args.out;
    let fusion = Fusion::default();
    let candidates = SearchOptions::default().candidates;
    let example_vector =
        loaded.engine_query_vector(engine, &args.example, args.input.query, args.scale)?;
    let mut examples = Vec::new();
    for (name, mode, fusion) in [
        ("lexical", Mode::Lexical, fusion),
        ("sparse", Mode::Sparse, fusion),
        ("hybrid", Mode::Hybrid, fusion),
        ("hybrid-rrf", Mode::Hybrid, Fusion::Rrf { k: DEFAULT_RRF_K }),
    ] {
        let q = EngineQuery {
            text: &args.example,
            vector: (mode != Mode::Lexical).then_some(&example_vector),
            mode,
            fusion,
            candidates,
            limit: 10,
        };
        match export::search_body(engine, &q) {
            Ok(body) if !(engine == Engine::Opensearch && name == "hybrid-rrf") => {
                w.json(out, &format!("search/{name}.json"), &body)?;
                examples.push(name);
            }
            _ => {}
        }
    }
    if engine == Engine::Opensearch {
        w.json(out, "pipeline.json", &export::opensearch_pipeline(fusion))?;
        w.json(
            out,
            "pipeline-rrf.json",
            &export::opensearch_pipeline(Fusion::Rrf { k: DEFAULT_RRF_K }),
        )?;
    }

    Ok(examples)
}

/// The split's queries (`--split`) as topics: sparse and lexical searches, and their ids.
fn write_topics(
    args: &ExportArgs,
    engine: Engine,
    loaded: &Loaded,
    w: &mut Written,
) -> Result<usize> {
    let (out, fusion, candidates) =
        (&args.out, Fusion::default(), SearchOptions::default().candidates);
    let mut topics = 0usize;
    if let (Some(split), Some(data)) = (&args.split, &loaded.dataset) {
        let (mut vec_lines, mut text_lines, mut ids) =
            (String::new(), String::new(), String::new());
        for (qid, text) in &data.queries {
            ids.push_str(qid);
            ids.push('\n');
            let v = loaded.engine_query_vector(engine, text, args.input.query, args.scale)?;
            match engine {
                Engine::Anserini => {
                    let sparse = json!({ "id": qid, "title": export::anserini_query_string(&v) });
                    vec_lines.push_str(&line(&sparse));
                    text_lines.push_str(&line(&json!({ "id": qid, "title": text })));
                }
                _ => {
                    for (mode, buf) in
                        [(Mode::Sparse, &mut vec_lines), (Mode::Lexical, &mut text_lines)]
                    {
                        let q = EngineQuery {
                            text,
                            vector: Some(&v),
                            mode,
                            fusion,
                            candidates,
                            limit: 100,
                        };
                        buf.push_str(&line(&json!({ "index": args.index_name })));
                        buf.push_str(&line(&export::search_body(engine, &q)?));
                    }
                }
            }
            topics += 1;
        }
        let ext = if engine == Engine::Anserini { "jsonl" } else { "ndjson" };
        w.write(out, &format!("topics-{split}.sparse.{ext}"), vec_lines.as_bytes())?;
        w.write(out, &format!("topics-{split}.lexical.{ext}"), text_lines.as_bytes())?;
        if engine != Engine::Anserini {
            // `_msearch` answers in request order; this is the query id of each search.
            w.write(out, &format!("topics-{split}.ids.txt"), ids.as_bytes())?;
        }
    }

    Ok(topics)
}

/// `queries.md`: how to load the export and query it, in each mode, with the files written.
fn queries_md(
    args: &ExportArgs,
    engine: Engine,
    bm25: Bm25Params,
    parts: usize,
    examples: &[&str],
) -> String {
    let name = &args.index_name;
    let mut s = String::new();
    let _ = writeln!(s, "# Sparrow export for {}\n", engine.name());
    let _ = writeln!(
        s,
        "Written by `sparrow export --format {}`. Sparse weights are the ones Sparrow scores; tokens are the model's vocabulary strings.\n",
        engine.name()
    );
    match engine {
        Engine::Elasticsearch | Engine::Opensearch => {
            let _ = writeln!(s, "## Load\n\n```sh\nURL=http://localhost:9200\ncurl -XPUT \"$URL/{name}\" -H 'content-type: application/json' --data-binary @index.json\nfor f in bulk/part-*.ndjson; do\n  curl -XPOST \"$URL/_bulk\" -H 'content-type: application/x-ndjson' --data-binary \"@$f\"\ndone\n```\n");
            let _ = writeln!(s, "{parts} bulk files of at most {} bytes each (`--chunk-bytes`). BM25 runs on `content` (title + text, `english` analyzer) with the similarity `{}`: k1 {} and b {}, the index's own.\n", args.chunk_bytes, export::SIMILARITY, bm25.k1, bm25.b);
            if engine == Engine::Elasticsearch {
                let _ = writeln!(s, "Feature names: every `.` in a token is written as `{}` (U+2024): Elasticsearch refuses dots in `sparse_vector` feature names. `sparrow query-vector` and `queryVector()` write query tokens the same way. Elasticsearch keeps 9 significant bits of each weight; the file holds exactly those.\n", export::DOT);
            } else {
                let _ = writeln!(s, "Feature names: every `.` in a token is written as `{}` (U+2024): `rank_features` refuses dots in feature names. Weights keep the 9 significant bits Lucene stores.\n\nHybrid search runs through a search pipeline:\n\n```sh\ncurl -XPUT \"$URL/_search/pipeline/sparrow-hybrid\" -H 'content-type: application/json' --data-binary @pipeline.json\n```\n\n`pipeline.json` is min-max normalization + weighted arithmetic mean (Sparrow's weighted fusion, alpha {}); `pipeline-rrf.json` is RRF (OpenSearch 2.19+). One difference: OpenSearch divides by the weights of the sub-queries that matched a document, so a document only one arm found is not down-weighted as in Sparrow.\n", export::DOT, DEFAULT_ALPHA);
            }
            let _ = writeln!(s, "## Query\n");
            for ex in examples {
                let path = format!("search/{ex}.json");
                let target = if engine == Engine::Opensearch && ex.starts_with("hybrid") {
                    format!("\"$URL/{name}/_search?search_pipeline=sparrow-hybrid\"")
                } else {
                    format!("\"$URL/{name}/_search\"")
                };
                let what = match *ex {
                    "lexical" => "BM25 (`match` on `content`)",
                    "sparse" if engine == Engine::Elasticsearch => "learned sparse (`sparse_vector` query with `query_vector`)",
                    "sparse" => "learned sparse (`neural_sparse` with `query_tokens`)",
                    "hybrid" if engine == Engine::Elasticsearch => "hybrid, Sparrow's default weighted fusion (`linear` retriever, `minmax` normalizer, weights 1 - alpha and alpha)",
                    "hybrid" => "hybrid (`hybrid` query; fused by the pipeline)",
                    _ => "hybrid, RRF (`rrf` retriever; `rank_constant` is an integer >= 1 there)",
                };
                let _ = writeln!(s, "- {what}: `curl -XPOST {target} -H 'content-type: application/json' --data-binary @{path}`");
            }
            let _ = writeln!(s, "\nThe example query is {:?}. Any other: `sparrow query-vector \"TEXT\" --format {} --mode sparse|hybrid` prints its body (from the npm package: `queryVector(text, {{ format }})`).", args.example, engine.name());
            if let Some(split) = &args.split {
                let _ = writeln!(s, "\n`topics-{split}.sparse.ndjson` and `topics-{split}.lexical.ndjson` are `_msearch` bodies for the split's queries (top 100 each; responses come in request order, and `topics-{split}.ids.txt` lists the query ids in that order):\n`curl -XPOST \"$URL/_msearch\" -H 'content-type: application/x-ndjson' --data-binary @topics-{split}.sparse.ndjson`.");
            }
        }
        Engine::Anserini => {
            let _ = writeln!(s, "`vectors/` is a `JsonVectorCollection` (integer impacts: round(weight x {})), `text/` a `JsonCollection` of the same documents for BM25.\n", args.scale);
            let _ = writeln!(s, "```sh\nJAR=anserini-1.7.1-fatjar.jar   # from the PyPI sdist pyserini==1.6.0; Java 21+\njava -cp $JAR io.anserini.index.IndexCollection -collection JsonVectorCollection -input vectors -index idx-impact -generator DefaultLuceneDocumentGenerator -impact -pretokenized\njava -cp $JAR io.anserini.index.IndexCollection -collection JsonCollection -input text -index idx-bm25 -generator DefaultLuceneDocumentGenerator\n```\n");
            if let Some(split) = &args.split {
                let _ = writeln!(s, "Search (the topics are `JsonString`: `title` holds the query; a sparse query repeats each token by its integer weight):\n\n```sh\njava -cp $JAR io.anserini.search.SearchCollection -index idx-impact -topics topics-{split}.sparse.jsonl -topicReader JsonString -output run.sparse.txt -impact -pretokenized -hits 100\njava -cp $JAR io.anserini.search.SearchCollection -index idx-bm25 -topics topics-{split}.lexical.jsonl -topicReader JsonString -output run.bm25.txt -bm25 -bm25.k1 {} -bm25.b {} -hits 100\nsparrow eval --beir DATASET --split {split} --run run.sparse.txt --run run.bm25.txt\n```\n", bm25.k1, bm25.b);
            }
            let _ = writeln!(s, "Hybrid: Anserini fuses runs afterwards (`io.anserini.fusion.FuseRuns`, RRF or interpolation); it has no single hybrid query.\n\nThe example query {:?} as a sparse topic: `search/sparse.json`; any other: `sparrow query-vector \"TEXT\" --format anserini`.", args.example);
        }
    }
    s
}
