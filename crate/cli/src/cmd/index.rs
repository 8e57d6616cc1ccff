//! `sparrow index --site DIR --out DIR`: a static site's HTML → a prebuilt search index.
//!
//! Every `.html` page is parsed ([`html`]) and cut into sections at headings; each section is one
//! document (id `page#anchor`, title `page title › heading`, url `page#anchor`, fields `page`,
//! `pageTitle`, `heading`, `level`). Documents are encoded with the SPLADE model on every core
//! (rayon; the encoder is `Sync`), indexed by `sparrow-core`, and written as content-hashed files
//! next to a small `manifest.json` that the browser reads first (see [`Manifest`]).
//!
//! Loading rule (recorded in the manifest's `rule`, and in `docs/BENCHMARKS.md`, "Static-site
//! search"): an index of at most `wholeIndexThreshold` bytes (`Index::to_bytes`) is written whole
//! (`mode: "whole"`, one file the browser fetches before the first query). A larger one is
//! written sharded (`mode: "sharded"`, `Index::to_sharded_bytes`): a base (documents, lengths,
//! statistics) that the browser fetches at start-up, plus `N = ceil(postings bytes /
//! shardBytes)` postings shards keyed by a hash of the term; before each query the browser
//! fetches only the shards its terms hash to that it does not have yet.

#![allow(clippy::print_stdout, clippy::print_stderr)] // reporting is this command's job

mod html;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sparrow_core::{Document, Index, IndexConfig};
use sparrow_encoder::{EncoderConfig, SparseEncoder};

/// Version of `manifest.json`'s shape; the TS loader refuses others (`INDEX_VERSION`).
pub(crate) const MANIFEST_VERSION: u32 = 1;
/// Sections per `encode_documents` call (one rayon task): enough for short sections to share
/// model runs, few enough that both cores stay busy to the end.
const ENCODE_CHUNK: usize = 16;
/// Whole indexes up to this size are one file loaded at start-up; larger ones are sharded.
pub(crate) const WHOLE_INDEX_THRESHOLD: u64 = 2 << 20;
/// Target size of one postings shard of a sharded index.
pub(crate) const SHARD_BYTES: u64 = 32 << 10;

#[derive(Debug, Args)]
pub(crate) struct IndexArgs {
    /// The site's root directory (every `*.html` below it is indexed).
    #[arg(long)]
    site: PathBuf,
    /// Output directory (created); gets `manifest.json` and `index-<hash>.spi` (whole) or
    /// `base-<hash>.spb` + `shard-<hash>.sps` files (sharded).
    #[arg(long)]
    out: PathBuf,
    /// Directory with splade-tiny.int8.onnx and tokenizer.json (made by model/build.sh).
    #[arg(long, default_value = "model/build")]
    model: PathBuf,
    /// CSS selector of the main content (default: `[data-sparrow-body]`, else `<main>`, else
    /// `<body>`).
    #[arg(long)]
    body: Option<String>,
    /// Skip pages whose path (relative to --site) matches one of these exact names.
    #[arg(long)]
    exclude: Vec<String>,
    /// Index at most this many pages (in path order), e.g. for quick tests.
    #[arg(long)]
    limit: Option<usize>,
    /// Indexes up to this many bytes are written whole; larger ones as a base + postings shards.
    #[arg(long, default_value_t = WHOLE_INDEX_THRESHOLD)]
    whole_index_threshold: u64,
    /// Target bytes per postings shard of a sharded index (sets the shard count).
    #[arg(long, default_value_t = SHARD_BYTES)]
    shard_bytes: u64,
    /// Worker threads for encoding (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
}

/// `manifest.json`: what the browser reads first.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Manifest {
    /// Shape of this file ([`MANIFEST_VERSION`]).
    version: u32,
    /// `sparrow_core::format::FORMAT_VERSION` of the shards.
    index_format: u16,
    model: ModelId,
    counts: Counts,
    /// `"whole"`: `shards` holds one file, the whole index. `"sharded"`: `base` is the base and
    /// `shards[i]` is postings shard `i`.
    mode: &'static str,
    /// The loading rule, in words (what the browser fetches when).
    rule: String,
    whole_index_threshold: u64,
    /// Target bytes per postings shard (sharded mode).
    shard_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<Shard>,
    shards: Vec<Shard>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelId {
    /// `name/variant`, e.g. `splade-tiny/int8`.
    id: String,
    /// SHA-256 of the model file.
    sha256: String,
    tokenizer_sha256: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Counts {
    pages: usize,
    sections: usize,
    semantic_sections: usize,
    bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Shard {
    file: String,
    bytes: u64,
    sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Every `*.html` under `site`, relative paths with `/`, sorted.
fn html_files(site: &Path, exclude: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(site).follow_links(true) {
        let entry = entry.with_context(|| format!("walking {}", site.display()))?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let rel = path
            .strip_prefix(site)?
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if !exclude.contains(&rel) {
            out.push(rel);
        }
    }
    out.sort();
    Ok(out)
}

/// Pages → documents (one per section).
fn documents(
    site: &Path,
    pages: &[String],
    body: Option<&scraper::Selector>,
) -> Result<Vec<Document>> {
    let max = IndexConfig::default().max_text_bytes;
    let mut docs = Vec::new();
    for rel in pages {
        let path = site.join(rel);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let page = html::parse_page(&String::from_utf8_lossy(&bytes), body);
        let page_title = if page.title.is_empty() { rel.clone() } else { page.title.clone() };
        for s in page.sections {
            let (id, url) = if s.anchor.is_empty() {
                (rel.clone(), rel.clone())
            } else {
                (format!("{rel}#{}", s.anchor), format!("{rel}#{}", s.anchor))
            };
            let title = if s.heading.is_empty() || s.heading == page_title {
                page_title.clone()
            } else {
                format!("{page_title} › {}", s.heading)
            };
            let mut text = s.text;
            if title.len() + text.len() > max {
                let mut cut = max.saturating_sub(title.len());
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            docs.push(
                Document::new(id, text)
                    .with_title(title)
                    .with_url(url)
                    .with_field("page", rel.as_str())
                    .with_field("pageTitle", page_title.as_str())
                    .with_field("heading", s.heading)
                    .with_field("level", s.level),
            );
        }
    }
    // Two headings with the same anchor on one page: keep the first id, suffix the rest.
    let mut seen = std::collections::HashSet::new();
    for d in &mut docs {
        let mut n = 1;
        let base = d.id.clone();
        while !seen.insert(d.id.clone()) {
            n += 1;
            d.id = format!("{base}~{n}");
        }
    }
    Ok(docs)
}

pub(crate) fn run(args: &IndexArgs) -> Result<()> {
    let started = Instant::now();
    if !args.site.is_dir() {
        bail!("--site {} is not a directory", args.site.display());
    }
    let body = args
        .body
        .as_deref()
        .map(|s| {
            scraper::Selector::parse(s)
                .map_err(|e| anyhow::anyhow!("--body {s:?} is not a CSS selector: {e}"))
        })
        .transpose()?;
    let mut pages = html_files(&args.site, &args.exclude)?;
    if let Some(n) = args.limit {
        pages.truncate(n);
    }
    if pages.is_empty() {
        bail!("no .html files under {}", args.site.display());
    }
    let mut docs = documents(&args.site, &pages, body.as_ref())?;

    let (model_path, model, tokenizer) = super::read_model_files(&args.model, "int8")?;
    let encoder = SparseEncoder::from_bytes(&model, &tokenizer, EncoderConfig::default())
        .with_context(|| format!("loading {}", model_path.display()))?;

    let pool = rayon::ThreadPoolBuilder::new().num_threads(args.threads.unwrap_or(0)).build()?;
    let cores = pool.current_num_threads();
    let bar = if args.quiet { ProgressBar::hidden() } else { ProgressBar::new(docs.len() as u64) };
    bar.set_style(
        ProgressStyle::with_template(
            "encoding {bar:40} {pos}/{len} sections ({per_sec}, eta {eta})",
        )
        .expect("static template"),
    );
    let encode_start = Instant::now();
    let texts: Vec<String> = docs.iter().map(Document::semantic_text).collect();
    // Longest first, so each chunk holds texts of similar length: the encoder pads a batch to its
    // longest window, and short sections batch many to a model run (mixing a 250-token section
    // with three 20-token ones would cost four 250-token rows). Results go back by position.
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(texts[i].len()));
    let vectors = pool.install(|| {
        order
            .par_chunks(ENCODE_CHUNK)
            .map(|chunk| {
                let refs: Vec<&str> = chunk.iter().map(|&i| texts[i].as_str()).collect();
                let out = encoder.encode_documents(&refs);
                bar.inc(chunk.len() as u64);
                out
            })
            .collect::<std::result::Result<Vec<_>, _>>()
    })?;
    bar.finish_and_clear();
    let encode_secs = encode_start.elapsed().as_secs_f64();
    for (&i, enc) in order.iter().zip(vectors.into_iter().flatten()) {
        docs[i].sparse = enc.vector;
    }
    let sections = docs.len();
    let semantic = docs.iter().filter(|d| d.sparse.is_some()).count();

    let mut index = Index::new(IndexConfig::default())?;
    index.add_many(docs)?;
    let whole = index.to_bytes();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    // Old index files of this directory are replaced (content-hashed names never collide).
    for entry in std::fs::read_dir(&args.out)? {
        let p = entry?.path();
        if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            (n.starts_with("index-") && n.ends_with(".spi"))
                || (n.starts_with("base-") && n.ends_with(".spb"))
                || (n.starts_with("shard-") && n.ends_with(".sps"))
        }) {
            std::fs::remove_file(&p)?;
        }
    }
    let write = |prefix: &str, ext: &str, bytes: &[u8]| -> Result<Shard> {
        let digest = sha256(bytes);
        let file = format!("{prefix}-{}.{ext}", &digest[..16]);
        std::fs::write(args.out.join(&file), bytes)?;
        Ok(Shard { file, bytes: bytes.len() as u64, sha256: digest })
    };
    let rule = format!(
        "an index of at most wholeIndexThreshold ({}) bytes is one file fetched before the first query (mode whole); a larger one is a base fetched at start-up plus ceil(postings bytes / shardBytes ({})) postings shards keyed by a hash of the term, of which each query fetches only those its terms need (mode sharded)",
        args.whole_index_threshold, args.shard_bytes
    );
    let (mode, base, shards) = if whole.len() as u64 <= args.whole_index_threshold {
        ("whole", None, vec![write("index", "spi", &whole)?])
    } else {
        let postings = index.to_sharded_bytes(1)?.shards[0].len() as u64;
        let count = postings.div_ceil(args.shard_bytes.max(1)).clamp(1, 1 << 16) as u32;
        let parts = index.to_sharded_bytes(count)?;
        let base = write("base", "spb", &parts.base)?;
        let shards =
            parts.shards.iter().map(|s| write("shard", "sps", s)).collect::<Result<Vec<_>>>()?;
        ("sharded", Some(base), shards)
    };
    let on_disk: u64 = base.iter().chain(&shards).map(|s| s.bytes).sum();
    let info = encoder.model_info();
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        index_format: sparrow_core::format::FORMAT_VERSION,
        model: ModelId {
            id: format!("{}/{}", info.name, info.variant),
            sha256: sha256(&model),
            tokenizer_sha256: sha256(&tokenizer),
        },
        counts: Counts {
            pages: pages.len(),
            sections,
            semantic_sections: semantic,
            bytes: on_disk,
        },
        mode,
        rule,
        whole_index_threshold: args.whole_index_threshold,
        shard_bytes: args.shard_bytes,
        base: base.clone(),
        shards: shards.clone(),
    };
    std::fs::write(
        args.out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    let files = match &base {
        None => format!("{} = {} bytes", args.out.join(&shards[0].file).display(), on_disk),
        Some(b) => format!(
            "{}: base {} bytes + {} shards = {} bytes (whole: {} bytes)",
            args.out.display(),
            b.bytes,
            shards.len(),
            on_disk,
            whole.len()
        ),
    };
    println!(
        "indexed {} pages, {sections} sections ({semantic} with a learned-sparse vector) in {:.1} s; encoding {:.1} s = {:.1} sections/s on {cores} threads; {mode}: {files}",
        pages.len(),
        started.elapsed().as_secs_f64(),
        encode_secs,
        sections as f64 / encode_secs.max(1e-9),
    );
    Ok(())
}
