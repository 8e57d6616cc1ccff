//! `sparrow index --site DIR --out DIR`: a static site's HTML → a prebuilt search index.
//!
//! A pipeline of named steps ([`run`], one function each): **pages** (every `.html` under the site) → **sections**
//! (each page parsed by [`html`] and cut at headings; one document per section, id `page#anchor`,
//! title `page title › heading`, url `page#anchor`, fields `page`, `pageTitle`, `heading`,
//! `level`) → **encode** (the SPLADE model on every core, rayon; the encoder is `Sync`) →
//! **index** (`sparrow-core`, with the vectors re-keyed to the ranks of the vocabulary file, the
//! id space a page tokenizes lookup queries into) → **write** (content-addressed files) →
//! **manifest** (`manifest.json`, the core's [`SiteManifest`], written last).
//!
//! What a page needs to search without the model: the vocabulary file (the WordPiece vocabulary,
//! sorted and front-coded), and the index. Loading rule (recorded in the manifest's `rule`, and
//! in `docs/BENCHMARKS.md`, "Static-site search"): an index of at most `wholeIndexThreshold`
//! bytes is written whole (`mode: "whole"`, one file the browser fetches before the first query).
//! A larger one is written sharded (`mode: "sharded"`, `Index::to_sharded_bytes`): a base
//! (statistics, lengths, filters) that the browser fetches at start-up, `N = ceil(postings bytes
//! / shardBytes)` postings shards keyed by a hash of the term, and document fragments of about
//! `fragmentBytes` of stored text; before each query the browser fetches only the shards its
//! terms hash to and the fragments holding the hits it shows, each once.
//!
//! Files are written next to the old ones (content-addressed names never collide), the manifest
//! last (renamed into place), and only then are files the new manifest does not name removed:
//! a build that fails leaves the previous index serving.

#![allow(clippy::print_stdout, clippy::print_stderr)] // reporting is this command's job

mod html;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sparrow_core::format::{
    ManifestCounts, ManifestFile, ManifestModel, ManifestVocabPart, SiteManifest, SiteMode,
    FORMAT_VERSION, MANIFEST_VERSION,
};
use sparrow_core::{
    Document, Index, IndexConfig, ShardingOptions, SparseVector, WordPiece, MAX_ID_BYTES,
};
use sparrow_encoder::{EncoderConfig, SparseEncoder};

/// Sections per `encode_documents` call (one rayon task): enough for short sections to share
/// model runs, few enough that both cores stay busy to the end.
const ENCODE_CHUNK: usize = 16;
/// Whole indexes up to this size are one file loaded at start-up; larger ones are sharded.
pub(crate) const WHOLE_INDEX_THRESHOLD: u64 = 256 << 10;
/// Target size of one postings shard of a sharded index. Small, because a query fetches whole
/// shards for the few terms it needs: on the Node.js docs, 2 KiB shards cost its first query a
/// third of the bytes 8 KiB ones do (docs/BENCHMARKS.md, "Static-site search").
pub(crate) const SHARD_BYTES: u64 = 2 << 10;
/// Target bytes of stored documents per fragment of a sharded index (likewise: a query fetches
/// one fragment per hit it shows).
pub(crate) const FRAGMENT_BYTES: u64 = 2 << 10;
/// Fewest index files (shards + fragments) a build may write: hosts limit files per site (20,000
/// on some), so a large site gets larger parts rather than ever more of them. A site of more
/// pages may add as many files again as it has pages, plus this many (see `--max-files`): the
/// site already hosts that many, and Pagefind adds one fragment per page and its index chunks.
pub(crate) const MIN_FILE_BUDGET: u64 = 16 << 10;
/// Postings kept per learned-sparse term by default (static pruning, `--max-postings`): bounds what
/// one query term costs a sharded site (docs/BENCHMARKS.md, "Static pruning").
pub(crate) const MAX_POSTINGS: usize = 8 << 10;

#[derive(Debug, Args)]
pub(crate) struct IndexArgs {
    /// The site's root directory (every `*.html` below it is indexed).
    #[arg(long)]
    site: PathBuf,
    /// Output directory (created); gets `manifest.json`, `vocab-<hash>.spv`, and `index-<hash>.spi`
    /// (whole) or `base-<hash>.spb` + `shard-<hash>.sps` + `frag-<hash>.spf` files (sharded).
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
    /// Target bytes per postings shard of a sharded index (sets the shard count, within
    /// --max-files).
    #[arg(long, default_value_t = SHARD_BYTES)]
    shard_bytes: u64,
    /// Target bytes of stored documents per fragment of a sharded index (more when shards and
    /// fragments would exceed --max-files).
    #[arg(long, default_value_t = FRAGMENT_BYTES)]
    fragment_bytes: u64,
    /// Target bytes of tokens per vocabulary part (0: no parts). A page loads the part of
    /// `##…` and `[…]` before the first query and then only the parts its queries' words start
    /// with (one per letter at the default), not the whole vocabulary (~49 kB brotli).
    #[arg(long, default_value_t = 4096)]
    vocab_part_bytes: usize,
    /// Most shards + fragments to write (default: the site's pages + 16,384). When the targets
    /// above would need more, both kinds of part grow in proportion.
    #[arg(long)]
    max_files: Option<u64>,
    /// Keep each learned-sparse term's N strongest postings (static pruning; 0 keeps all): a
    /// term the model adds to most sections would otherwise cost every query using it its whole
    /// list.
    #[arg(long, default_value_t = MAX_POSTINGS)]
    max_postings: usize,
    /// A document field the page will filter on (`page`, `level`, ...; repeatable). A sharded
    /// index's base carries filter bitmaps only for these (and tags).
    #[arg(long)]
    filter_field: Vec<String>,
    /// Worker threads for encoding (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
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

/// What step 2 left out, by reason (printed as one line; never fatal).
#[derive(Debug, Default)]
struct Skipped {
    /// Pages refused before parsing, with why (the first few are named).
    pages: Vec<(String, html::PageError)>,
    /// Sections the index refuses for their content, by the core's error code.
    sections: std::collections::BTreeMap<&'static str, usize>,
}

impl Skipped {
    fn summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.pages.is_empty() {
            let named: Vec<String> =
                self.pages.iter().take(3).map(|(p, e)| format!("{p}: {e}")).collect();
            parts.push(format!("{} pages ({})", self.pages.len(), named.join("; ")));
        }
        let refused: usize = self.sections.values().sum();
        if refused > 0 {
            let by: Vec<String> = self.sections.iter().map(|(c, n)| format!("{c} {n}")).collect();
            parts.push(format!("{refused} sections the index refuses ({})", by.join(", ")));
        }
        (!parts.is_empty()).then(|| format!("skipped {}", parts.join(", ")))
    }
}

/// An id of at most [`MAX_ID_BYTES`]: longer ones (a page's own 600-byte heading `id`, a deep
/// path) keep their start and end in a hash of the whole, so they stay unique and stable.
fn bounded_id(id: String) -> String {
    if id.len() <= MAX_ID_BYTES {
        return id;
    }
    let hash = &sha256(id.as_bytes())[..16];
    let mut cut = MAX_ID_BYTES - hash.len() - 1;
    while !id.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}~{hash}", &id[..cut])
}

/// Pages → documents (one per section). Pages and sections that cannot be indexed are left out
/// and counted in the returned [`Skipped`].
fn documents(
    site: &Path,
    pages: &[String],
    body: Option<&scraper::Selector>,
) -> Result<(Vec<Document>, Skipped)> {
    let config = IndexConfig::default();
    let max = config.max_text_bytes;
    let mut skipped = Skipped::default();
    let mut docs = Vec::new();
    for rel in pages {
        let path = site.join(rel);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let page = match html::parse_page(&String::from_utf8_lossy(&bytes), body) {
            Ok(page) => page,
            Err(e) => {
                skipped.pages.push((rel.clone(), e));
                continue;
            }
        };
        let page_title = if page.title.is_empty() { rel.clone() } else { page.title.clone() };
        for s in page.sections {
            // The URL keeps the page's own anchor whole (the link must reach it); the id is
            // bounded.
            let url = if s.anchor.is_empty() { rel.clone() } else { format!("{rel}#{}", s.anchor) };
            let id = bounded_id(url.clone());
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
            let doc = Document::new(id, text)
                .with_title(title)
                .with_url(url)
                .with_field("page", rel.as_str())
                .with_field("pageTitle", page_title.as_str())
                .with_field("heading", s.heading)
                .with_field("level", s.level);
            match doc.validate(&config) {
                Ok(()) => docs.push(doc),
                Err(e) => *skipped.sections.entry(e.code()).or_default() += 1,
            }
        }
    }
    // Two headings with the same anchor on one page: keep the first id, suffix the rest.
    let mut seen = std::collections::HashSet::new();
    for d in &mut docs {
        let mut n = 1;
        let base = d.id.clone();
        while !seen.insert(d.id.clone()) {
            n += 1;
            d.id = bounded_id(format!("{base}~{n}"));
        }
    }
    Ok((docs, skipped))
}

/// Every file this command writes (and so may remove when a new build replaces it).
fn is_index_file(name: &str) -> bool {
    [
        ("index-", ".spi"),
        ("base-", ".spb"),
        ("shard-", ".sps"),
        ("frag-", ".spf"),
        ("vocab-", ".spv"),
    ]
    .iter()
    .any(|(p, e)| name.starts_with(p) && name.ends_with(e))
}

/// Step 3, encode: every section's learned-sparse vector, on every core; returns the encoding
/// seconds.
fn encode(
    encoder: &SparseEncoder,
    docs: &mut [Document],
    threads: Option<usize>,
    quiet: bool,
) -> Result<(f64, usize)> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads.unwrap_or(0)).build()?;
    let cores = pool.current_num_threads();
    let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(docs.len() as u64) };
    bar.set_style(
        ProgressStyle::with_template(
            "encoding {bar:40} {pos}/{len} sections ({per_sec}, eta {eta})",
        )
        .expect("static template"),
    );
    let start = Instant::now();
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
    for (&i, enc) in order.iter().zip(vectors.into_iter().flatten()) {
        docs[i].sparse = enc.vector;
    }
    Ok((start.elapsed().as_secs_f64(), cores))
}

/// Step 4, index: the documents with their vectors re-keyed from the model's ids to the ranks of
/// `vocab` (what a page's lookup queries tokenize into), declared as such, and their texts'
/// tokens in the same ids (the index counts them: the weights of lookup queries). `sparrow eval
/// --write-vocab` writes its index the same way.
pub(crate) fn build_index(
    docs: Vec<Document>,
    vocab: &WordPiece,
    config: IndexConfig,
) -> Result<Index> {
    let ranks = vocab.with_rank_ids();
    let docs = docs
        .into_iter()
        .map(|mut d| {
            if let Some(v) = d.sparse.take() {
                let pairs = v.iter().filter_map(|(id, w)| Some((vocab.rank(id)?, w)));
                d.sparse = Some(SparseVector::from_pairs(pairs.collect::<Vec<_>>())?);
            }
            d.tokens = Some(ranks.ids(&d.semantic_text()));
            Ok(d)
        })
        .collect::<std::result::Result<Vec<_>, sparrow_core::Error>>()?;
    let mut index = Index::new(config)?;
    index.set_term_space(ranks.term_space())?;
    index.add_many(docs)?;
    Ok(index)
}

/// Shard count and fragment bytes: the targets (`--shard-bytes`, `--fragment-bytes`), unless shards and fragments together
/// would exceed `max_files`; then both counts shrink in proportion (each at least 1). `whole` is
/// the whole index's size: minus the postings, an upper bound of the stored documents.
fn part_sizes(
    postings: u64,
    whole: u64,
    (shard_bytes, fragment_bytes): (u64, u64),
    max_files: u64,
) -> (u32, u64) {
    let stored = whole.saturating_sub(postings).max(1);
    let shards = postings.div_ceil(shard_bytes.max(1)).max(1);
    let fragments = stored.div_ceil(fragment_bytes.max(1)).max(1);
    let max_files = max_files.max(2);
    if shards + fragments <= max_files {
        return (shards.min(u64::from(u32::MAX)) as u32, fragment_bytes.max(1));
    }
    let shards = (u128::from(shards) * u128::from(max_files) / u128::from(shards + fragments))
        .clamp(1, u128::from(max_files - 1)) as u64;
    let fragments = max_files - shards;
    (shards.min(u64::from(u32::MAX)) as u32, stored.div_ceil(fragments).max(1))
}

/// What step 5 wrote.
struct Written {
    mode: SiteMode,
    vocab: ManifestFile,
    vocab_parts: Vec<ManifestVocabPart>,
    index: Option<ManifestFile>,
    base: Option<ManifestFile>,
    build: String,
    shards: u32,
    fragments: u32,
    /// Postings bytes per shard and stored bytes per fragment aimed at (the arguments', or
    /// larger when the file budget made parts grow).
    shard_bytes: u64,
    fragment_bytes: u64,
    bytes: u64,
    names: Vec<String>,
}

impl Written {
    /// The files, in a line: `whole: ...` or `sharded: base ... + N shards + M fragments ...`.
    fn describe(&self) -> String {
        match self.mode {
            SiteMode::Whole => format!("whole: 1 index file + vocabulary = {} bytes", self.bytes),
            SiteMode::Sharded => format!(
                "sharded: base {} bytes + {} shards + {} fragments + vocabulary {} bytes = {} bytes",
                self.base.as_ref().map_or(0, |b| b.bytes),
                self.shards,
                self.fragments,
                self.vocab.bytes,
                self.bytes
            ),
        }
    }
}

/// Step 5, write: the vocabulary, and the whole index or a base, shards and fragments, under
/// content-addressed names (shards and fragments: `<kind>-<build>-<i>`, where `build` is the
/// first 16 hex digits of the SHA-256 of all of them).
fn write_files(
    args: &IndexArgs,
    index: &Index,
    vocab: &WordPiece,
    pages: usize,
) -> Result<Written> {
    let mut names = Vec::new();
    let mut bytes_total = 0u64;
    let mut write = |name: String, bytes: &[u8]| -> Result<ManifestFile> {
        let path = args.out.join(&name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        bytes_total += bytes.len() as u64;
        names.push(name.clone());
        Ok(ManifestFile { file: name, bytes: bytes.len() as u64, sha256: sha256(bytes) })
    };
    let ranked = vocab.with_rank_ids();
    let vocab_bytes = ranked.to_vocab_bytes();
    let vocab = write(format!("vocab-{}.spv", &sha256(&vocab_bytes)[..16]), &vocab_bytes)?;
    let mut vocab_parts = Vec::new();
    if args.vocab_part_bytes > 0 {
        for part in ranked.to_vocab_parts(args.vocab_part_bytes) {
            let bytes = part.to_bytes();
            let f = write(format!("vocab-{}.spv", &sha256(&bytes)[..16]), &bytes)?;
            let (first, last) = (*part.leads().start(), *part.leads().end());
            vocab_parts.push(ManifestVocabPart { file: f.file, first, last });
        }
    }
    let whole = index.to_bytes();
    if whole.len() as u64 <= args.whole_index_threshold {
        let file = write(format!("index-{}.spi", &sha256(&whole)[..16]), &whole)?;
        return Ok(Written {
            mode: SiteMode::Whole,
            vocab,
            vocab_parts,
            index: Some(file),
            base: None,
            build: String::new(),
            shards: 0,
            fragments: 0,
            shard_bytes: args.shard_bytes,
            fragment_bytes: args.fragment_bytes,
            bytes: bytes_total,
            names,
        });
    }
    let (count, fragment_bytes) = part_sizes(
        index.postings_bytes() as u64,
        whole.len() as u64,
        (args.shard_bytes, args.fragment_bytes),
        args.max_files.unwrap_or(pages as u64 + MIN_FILE_BUDGET),
    );
    let parts = index.to_sharded_bytes(&ShardingOptions {
        shards: count,
        fragment_bytes: usize::try_from(fragment_bytes).unwrap_or(usize::MAX),
        filter_fields: Some(args.filter_field.clone()),
    })?;
    let base = write(format!("base-{}.spb", &sha256(&parts.base)[..16]), &parts.base)?;
    let mut hasher = Sha256::new();
    for part in parts.shards.iter().chain(&parts.fragments) {
        hasher.update(part);
    }
    let build = hex(&hasher.finalize())[..16].to_owned();
    for (i, s) in parts.shards.iter().enumerate() {
        write(format!("shard-{build}-{i}.sps"), s)?;
    }
    for (i, f) in parts.fragments.iter().enumerate() {
        write(format!("frag-{build}-{i}.spf"), f)?;
    }
    Ok(Written {
        mode: SiteMode::Sharded,
        vocab,
        vocab_parts,
        index: None,
        base: Some(base),
        build,
        shards: parts.shards.len() as u32,
        fragments: parts.fragments.len() as u32,
        shard_bytes: (index.postings_bytes() as u64).div_ceil(u64::from(count)),
        fragment_bytes,
        bytes: bytes_total,
        names,
    })
}

/// The model the sections are encoded with, its vocabulary (the index's term ids and the lookup
/// queries' tokens), and the bytes the manifest names it by.
struct Model {
    encoder: SparseEncoder,
    vocab: WordPiece,
    model_sha256: String,
    tokenizer_sha256: String,
}

impl Model {
    fn load(dir: &Path) -> Result<Self> {
        let (model_path, model, tokenizer) = super::read_model_files(dir, "int8")?;
        let encoder = SparseEncoder::from_bytes(&model, &tokenizer, EncoderConfig::default())
            .with_context(|| format!("loading {}", model_path.display()))?;
        let vocab = WordPiece::from_tokenizer_json(&tokenizer)
            .with_context(|| format!("reading the vocabulary of {}", dir.display()))?;
        Ok(Model {
            encoder,
            vocab,
            model_sha256: sha256(&model),
            tokenizer_sha256: sha256(&tokenizer),
        })
    }
}

/// What steps 2 and 3 made of the pages: the sections, encoded and pruned, and their counts.
struct Sections {
    docs: Vec<Document>,
    semantic: usize,
    encode_secs: f64,
    cores: usize,
    pruned: sparrow_core::PruneReport,
}

/// Runs the pipeline: pages → sections → encode → index → write → manifest.
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
    let model = Model::load(&args.model)?;
    let pages = step_pages(args)?;
    let sections = step_sections(args, &pages, body.as_ref(), &model.encoder)?;
    let count = sections.docs.len();
    let (semantic, pruned) = (sections.semantic, sections.pruned);
    let (encode_secs, cores) = (sections.encode_secs, sections.cores);
    let index = build_index(sections.docs, &model.vocab, IndexConfig::default())?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let written = write_files(args, &index, &model.vocab, pages.len())?;
    let counts = ManifestCounts {
        pages: pages.len() as u64,
        sections: count as u64,
        semantic_sections: semantic as u64,
        bytes: written.bytes,
    };
    step_manifest(args, &model, counts, &written)?;

    if pruned.terms_capped > 0 {
        println!(
            "static pruning: {} learned-sparse terms kept to their {} strongest postings ({} of {} postings removed; --max-postings)",
            pruned.terms_capped,
            args.max_postings,
            pruned.postings_removed,
            pruned.postings_removed + pruned.postings_kept
        );
    }
    println!(
        "indexed {} pages, {count} sections ({semantic} with a learned-sparse vector) in {:.1} s; encoding {:.1} s = {:.1} sections/s on {cores} threads; {}: {}",
        pages.len(),
        started.elapsed().as_secs_f64(),
        encode_secs,
        count as f64 / encode_secs.max(1e-9),
        args.out.display(),
        written.describe(),
    );
    Ok(())
}

/// Step 1, pages: the site's `.html` files (at most `--limit`).
fn step_pages(args: &IndexArgs) -> Result<Vec<String>> {
    let mut pages = html_files(&args.site, &args.exclude)?;
    if let Some(n) = args.limit {
        pages.truncate(n);
    }
    if pages.is_empty() {
        bail!("no .html files under {}", args.site.display());
    }
    Ok(pages)
}

/// Steps 2 and 3, sections and encode: the pages cut into sections (refused ones counted on
/// stderr), each section's learned-sparse vector on every core, then static pruning.
fn step_sections(
    args: &IndexArgs,
    pages: &[String],
    body: Option<&scraper::Selector>,
    encoder: &SparseEncoder,
) -> Result<Sections> {
    let (mut docs, skipped) = documents(&args.site, pages, body)?;
    if let Some(line) = skipped.summary() {
        eprintln!("{line}");
    }
    if docs.is_empty() {
        bail!("no section of the {} pages can be indexed", pages.len());
    }
    let (encode_secs, cores) = encode(encoder, &mut docs, args.threads, args.quiet)?;
    let semantic = docs.iter().filter(|d| d.sparse.is_some()).count();
    let pruned = sparrow_core::cap_sparse_postings(&mut docs, args.max_postings);
    Ok(Sections { docs, semantic, encode_secs, cores, pruned })
}

/// Step 6, manifest: written last (renamed into place), then the previous build's files go.
fn step_manifest(
    args: &IndexArgs,
    model: &Model,
    counts: ManifestCounts,
    w: &Written,
) -> Result<()> {
    let info = model.encoder.model_info();
    let sharded = w.mode == SiteMode::Sharded;
    let manifest = SiteManifest {
        version: MANIFEST_VERSION,
        index_format: FORMAT_VERSION,
        model: ManifestModel {
            id: format!("{}/{}", info.name, info.variant),
            sha256: model.model_sha256.clone(),
            tokenizer_sha256: model.tokenizer_sha256.clone(),
        },
        counts,
        mode: w.mode,
        rule: format!(
            "manifest, {} and (whole index, up to {} bytes | base) before the first query; per query, {}only the postings shards its terms hash to (about {} bytes each) and the fragments holding the hits shown (about {} bytes of documents each)",
            if w.vocab_parts.is_empty() { "vocabulary" } else { "the first vocabulary part" },
            args.whole_index_threshold,
            if w.vocab_parts.is_empty() { "" } else { "the vocabulary parts its words start with, then " },
            w.shard_bytes,
            w.fragment_bytes
        ),
        whole_index_threshold: args.whole_index_threshold,
        shard_bytes: sharded.then_some(w.shard_bytes),
        fragment_bytes: sharded.then_some(w.fragment_bytes),
        vocab: w.vocab.clone(),
        vocab_parts: w.vocab_parts.clone(),
        index: w.index.clone(),
        base: w.base.clone(),
        build: w.build.clone(),
        shards: w.shards,
        fragments: w.fragments,
    };
    manifest.validate()?;
    let tmp = args.out.join(format!(".manifest.json.{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_string_pretty(&manifest)? + "\n")?;
    std::fs::rename(&tmp, args.out.join("manifest.json"))?;
    for entry in std::fs::read_dir(&args.out)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_index_file(&name) && !w.names.contains(&name) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::part_sizes;

    #[test]
    fn parts_keep_their_targets_within_the_file_budget() {
        // 10 shards of 2 KiB and 5 fragments of 2 KiB fit in 100 files.
        assert_eq!(part_sizes(20 << 10, 30 << 10, (2 << 10, 2 << 10), 100), (10, 2 << 10));
    }

    #[test]
    fn parts_grow_in_proportion_beyond_the_file_budget() {
        // Wanted: 40,000 shards + 20,000 fragments; allowed 6,000 files: 4,000 + 2,000.
        let postings = 40_000 * 2048;
        let whole = postings + 20_000 * 2048;
        let (shards, fragment_bytes) = part_sizes(postings, whole, (2048, 2048), 6_000);
        assert_eq!(shards, 4_000);
        assert_eq!(fragment_bytes, 20_000 * 2048 / 2_000);
        // Never zero parts of either kind, whatever the budget.
        assert_eq!(part_sizes(postings, whole, (2048, 2048), 0).0, 1);
        assert_eq!(part_sizes(1 << 30, (1 << 30) + 1, (1, 1 << 30), 2), (1, 1));
    }
}
