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

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sparrow_core::WordPiece;
use sparrow_encoder::{EncoderConfig, SparseEncoder, SparseVector};

use crate::beir::{hex, CorpusDoc};
use crate::error::{EvalError, Result};
use crate::{bail, Progress};

/// A loaded model variant.
#[derive(Debug)]
pub struct Model {
    /// `int8` or `f32`.
    pub variant: String,
    pub encoder: SparseEncoder,
    /// The model's WordPiece vocabulary (core's, from the same tokenizer.json): documents'
    /// tokens, which the index counts, and lookup queries.
    pub wordpiece: WordPiece,
    /// sha256 of the model file.
    pub sha256: String,
    tokenizer_sha256: String,
    pub load_ms: f64,
}

/// Loads a model variant from its ONNX and `tokenizer.json` bytes (the caller reads the files).
pub fn load_model(
    variant: &str,
    model: &[u8],
    tokenizer: &[u8],
    config: EncoderConfig,
) -> Result<Model> {
    let t = Instant::now();
    let encoder = SparseEncoder::from_bytes(model, tokenizer, config)?;
    let wordpiece = WordPiece::from_tokenizer_json(tokenizer)?;
    Ok(Model {
        variant: variant.to_owned(),
        encoder,
        wordpiece,
        sha256: hex(&Sha256::digest(model)),
        tokenizer_sha256: hex(&Sha256::digest(tokenizer)),
        load_ms: t.elapsed().as_secs_f64() * 1e3,
    })
}

/// The text a document is encoded (and BEIR-indexed) as: `title + " " + text`.
pub fn doc_text(d: &CorpusDoc) -> String {
    match (d.title.is_empty(), d.text.is_empty()) {
        (true, _) => d.text.clone(),
        (false, true) => d.title.clone(),
        (false, false) => format!("{} {}", d.title, d.text),
    }
}

/// How the vectors were obtained.
#[derive(Debug)]
pub struct Encoded {
    pub vectors: Vec<Option<SparseVector>>,
    /// Wall time of the encoding, or `None` when read from the cache.
    pub encode_ms: Option<f64>,
}

/// Document vectors for `corpus`, from the cache when possible.
pub fn doc_vectors(
    model: &Model,
    corpus: &[CorpusDoc],
    corpus_sha256: &str,
    cache: Option<&Path>,
    progress: &dyn Progress,
) -> Result<Encoded> {
    let path = cache.map(|dir| cache_path(dir, model, corpus_sha256));
    if let Some(path) = path.as_deref().filter(|p| p.is_file()) {
        match read_cache(path, corpus) {
            Ok(vectors) => {
                progress.note(&format!(
                    "{} document vectors: cache {}",
                    model.variant,
                    path.display()
                ));
                return Ok(Encoded { vectors, encode_ms: None });
            }
            Err(e) => progress.note(&format!("ignoring cache {}: {e}", path.display())),
        }
    }
    let t = Instant::now();
    progress.start(&format!("encoding ({})", model.variant), corpus.len() as u64);
    let chunks: Vec<Vec<Option<SparseVector>>> = corpus
        .par_chunks(8)
        .map(|chunk| {
            let texts: Vec<String> = chunk.iter().map(doc_text).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let out = model.encoder.encode_documents(&refs)?;
            progress.advance(chunk.len() as u64);
            Ok(out.into_iter().map(|e| e.vector).collect())
        })
        .collect::<Result<_>>()?;
    progress.finish();
    let vectors: Vec<Option<SparseVector>> = chunks.into_iter().flatten().collect();
    let encode_ms = t.elapsed().as_secs_f64() * 1e3;
    progress.note(&format!(
        "{} document vectors: encoded {} docs in {:.1} s ({} threads)",
        model.variant,
        corpus.len(),
        encode_ms / 1e3,
        rayon::current_num_threads()
    ));
    if let Some(path) = &path {
        if let Err(e) = write_cache(path, corpus, &vectors) {
            progress.note(&format!("could not write cache {}: {e}", path.display()));
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
    let io = |e| EvalError::io("writing", path, e);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, out).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let s =
            self.bytes.get(self.pos..self.pos + n).ok_or_else(|| EvalError::input("truncated"))?;
        self.pos += n;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn read_cache(path: &Path, corpus: &[CorpusDoc]) -> Result<Vec<Option<SparseVector>>> {
    let bytes = std::fs::read(path).map_err(|e| EvalError::io("reading", path, e))?;
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
            let w = f32::from_bits(r.u32()?);
            pairs.push((id, w));
        }
        out.push(Some(SparseVector::from_pairs(pairs)?));
    }
    if r.pos != bytes.len() {
        bail!("trailing bytes");
    }
    Ok(out)
}
