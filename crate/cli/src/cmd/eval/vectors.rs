//! Loading a model variant and encoding a corpus with it, in parallel, with an on-disk cache.
//!
//! Encoding SciFact's 5,183 abstracts takes minutes; tuning runs evaluate many configurations
//! over the same vectors, so they are cached under `--cache` (default
//! `/var/tmp/sparrow-eval-cache`, outside the repository: the vectors are derived from the
//! dataset, whose license may forbid redistribution). The cache key covers the model bytes
//! (sha256), the tokenizer, the encoder config and the corpus file, so a stale entry is never
//! read.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sparrow_core::WordPiece;
use sparrow_encoder::{EncoderConfig, SparseEncoder, SparseVector};

use super::beir::{hex, CorpusDoc};

/// A loaded model variant.
#[derive(Debug)]
pub(crate) struct Model {
    /// `int8` or `f32`.
    pub(crate) variant: String,
    pub(crate) encoder: SparseEncoder,
    /// The model's WordPiece vocabulary (core's, from the same tokenizer.json): documents'
    /// tokens, which the index counts, and lookup queries.
    pub(crate) wordpiece: WordPiece,
    /// sha256 of the model file.
    pub(crate) sha256: String,
    tokenizer_sha256: String,
    pub(crate) load_ms: f64,
}

pub(crate) fn load_model(dir: &Path, variant: &str, config: EncoderConfig) -> Result<Model> {
    let (model_path, model, tokenizer) = crate::cmd::read_model_files(dir, variant)?;
    let t = Instant::now();
    let encoder = SparseEncoder::from_bytes(&model, &tokenizer, config)
        .with_context(|| format!("loading {}", model_path.display()))?;
    let wordpiece = WordPiece::from_tokenizer_json(&tokenizer)
        .with_context(|| format!("reading the vocabulary of {}", dir.display()))?;
    Ok(Model {
        variant: variant.to_owned(),
        encoder,
        wordpiece,
        sha256: hex(&Sha256::digest(&model)),
        tokenizer_sha256: hex(&Sha256::digest(&tokenizer)),
        load_ms: t.elapsed().as_secs_f64() * 1e3,
    })
}

/// The text a document is encoded (and BEIR-indexed) as: `title + " " + text`.
pub(crate) fn doc_text(d: &CorpusDoc) -> String {
    match (d.title.is_empty(), d.text.is_empty()) {
        (true, _) => d.text.clone(),
        (false, true) => d.title.clone(),
        (false, false) => format!("{} {}", d.title, d.text),
    }
}

/// How the vectors were obtained.
#[derive(Debug)]
pub(crate) struct Encoded {
    pub(crate) vectors: Vec<Option<SparseVector>>,
    /// Wall time of the encoding, or `None` when read from the cache.
    pub(crate) encode_ms: Option<f64>,
}

/// Document vectors for `corpus`, from the cache when possible.
pub(crate) fn doc_vectors(
    model: &Model,
    corpus: &[CorpusDoc],
    corpus_sha256: &str,
    cache: Option<&Path>,
) -> Result<Encoded> {
    let path = cache.map(|dir| cache_path(dir, model, corpus_sha256));
    if let Some(path) = path.as_deref().filter(|p| p.is_file()) {
        match read_cache(path, corpus) {
            Ok(vectors) => {
                eprintln!("{} document vectors: cache {}", model.variant, path.display());
                return Ok(Encoded { vectors, encode_ms: None });
            }
            Err(e) => eprintln!("ignoring cache {}: {e:#}", path.display()),
        }
    }
    let t = Instant::now();
    let bar = ProgressBar::new(corpus.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix} {bar:40} {pos}/{len} docs, {elapsed} (eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_prefix(format!("encoding ({})", model.variant));
    let chunks: Vec<Vec<Option<SparseVector>>> = corpus
        .par_chunks(8)
        .map(|chunk| {
            let texts: Vec<String> = chunk.iter().map(doc_text).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let out = model.encoder.encode_documents(&refs)?;
            bar.inc(chunk.len() as u64);
            Ok(out.into_iter().map(|e| e.vector).collect())
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    let vectors: Vec<Option<SparseVector>> = chunks.into_iter().flatten().collect();
    let encode_ms = t.elapsed().as_secs_f64() * 1e3;
    eprintln!(
        "{} document vectors: encoded {} docs in {:.1} s ({} threads)",
        model.variant,
        corpus.len(),
        encode_ms / 1e3,
        rayon::current_num_threads()
    );
    if let Some(path) = &path {
        if let Err(e) = write_cache(path, corpus, &vectors) {
            eprintln!("could not write cache {}: {e:#}", path.display());
        }
    }
    Ok(Encoded { vectors, encode_ms: Some(encode_ms) })
}

fn cache_path(dir: &Path, model: &Model, corpus_sha256: &str) -> PathBuf {
    let mut h = Sha256::new();
    for part in [
        "sparrow-eval-vectors v1 title+' '+text",
        &model.sha256,
        &model.tokenizer_sha256,
        &serde_json::to_string(model.encoder.config()).unwrap_or_default(),
        corpus_sha256,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let key = hex(&h.finalize());
    dir.join(format!("{}-{}-{}.vec", model.variant, &model.sha256[..12], &key[..16]))
}

const MAGIC: &[u8; 8] = b"SPRWVEC1";

fn write_cache(path: &Path, corpus: &[CorpusDoc], vectors: &[Option<SparseVector>]) -> Result<()> {
    let mut out = Vec::with_capacity(1 << 20);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(corpus.len() as u32).to_le_bytes());
    for (d, v) in corpus.iter().zip(vectors) {
        out.extend_from_slice(&(d.id.len() as u32).to_le_bytes());
        out.extend_from_slice(d.id.as_bytes());
        match v {
            None => out.extend_from_slice(&u32::MAX.to_le_bytes()),
            Some(v) => {
                out.extend_from_slice(&(v.len() as u32).to_le_bytes());
                for (id, w) in v.iter() {
                    out.extend_from_slice(&id.to_le_bytes());
                    out.extend_from_slice(&w.to_le_bytes());
                }
            }
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, out)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let s = self.bytes.get(self.pos..self.pos + n).context("truncated")?;
        self.pos += n;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into()?))
    }
}

fn read_cache(path: &Path, corpus: &[CorpusDoc]) -> Result<Vec<Option<SparseVector>>> {
    let bytes = std::fs::read(path)?;
    let mut r = Reader { bytes: &bytes, pos: 0 };
    if r.take(8)? != MAGIC {
        bail!("bad magic");
    }
    let n = r.u32()? as usize;
    if n != corpus.len() {
        bail!("{n} documents, the corpus has {}", corpus.len());
    }
    let mut out = Vec::with_capacity(n);
    for d in corpus {
        let len = r.u32()? as usize;
        if r.take(len)? != d.id.as_bytes() {
            bail!("document ids differ from the corpus");
        }
        let terms = r.u32()?;
        if terms == u32::MAX {
            out.push(None);
            continue;
        }
        let mut pairs = Vec::with_capacity(terms as usize);
        for _ in 0..terms {
            let id = r.u32()?;
            let w = f32::from_le_bytes(r.take(4)?.try_into()?);
            pairs.push((id, w));
        }
        out.push(Some(SparseVector::from_pairs(pairs)?));
    }
    if r.pos != bytes.len() {
        bail!("trailing bytes");
    }
    Ok(out)
}
