//! `sparrow encode "text"`: what the SPLADE model makes of a text.

#![allow(clippy::print_stdout)] // printing is this command's job

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;
use sparrow_encoder::{DocumentEncoding, EncoderConfig, LanguagePolicy, ModelInfo, SparseEncoder};

#[derive(Debug, Args)]
pub(crate) struct EncodeArgs {
    /// The text to encode.
    text: String,
    /// Directory with splade-tiny.{f32,int8}.onnx and tokenizer.json (made by model/build.sh).
    #[arg(long, default_value = "model/build")]
    model: PathBuf,
    /// Use the int8 model (the default; 4x smaller, cosine ~0.997 against f32).
    #[arg(long, conflicts_with = "f32")]
    int8: bool,
    /// Use the f32 model (exact).
    #[arg(long)]
    f32: bool,
    /// How many expansion terms to print (0 = all).
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Encode as a query (one window of `--max-query-tokens`, no language guard) instead of a
    /// document (windows, language guard).
    #[arg(long)]
    query: bool,
    /// Drop weights below this.
    #[arg(long, default_value_t = EncoderConfig::default().threshold)]
    threshold: f32,
    /// Windows per document before truncation.
    #[arg(long, default_value_t = EncoderConfig::default().max_windows)]
    max_windows: usize,
    /// Weight of every window after the first before max-pooling, in (0, 1].
    #[arg(long, default_value_t = EncoderConfig::default().later_windows)]
    later_windows: f32,
    /// Encode documents in any language (default: non-English documents are skipped).
    #[arg(long)]
    any_language: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Term {
    id: u32,
    token: Option<String>,
    weight: f32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Output<'a> {
    model: &'a ModelInfo,
    mode: &'static str,
    /// Text tokens (special tokens excluded) and windows; for a query, one window.
    tokens: usize,
    windows: usize,
    truncated: bool,
    language: Option<String>,
    skipped: Option<String>,
    non_zero: usize,
    terms: Vec<Term>,
    load_ms: f64,
    encode_ms: f64,
}

pub(crate) fn run(args: &EncodeArgs) -> Result<()> {
    let variant = if args.f32 { "f32" } else { "int8" };
    let (model_path, model, tokenizer) = super::read_model_files(&args.model, variant)?;
    let config = EncoderConfig {
        threshold: args.threshold,
        max_windows: args.max_windows,
        later_windows: args.later_windows,
        language: if args.any_language { LanguagePolicy::Any } else { LanguagePolicy::EnglishOnly },
        ..EncoderConfig::default()
    };
    let t = Instant::now();
    let encoder = SparseEncoder::from_bytes(&model, &tokenizer, config)
        .with_context(|| format!("loading {}", model_path.display()))?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;

    let t = Instant::now();
    let enc = if args.query {
        // token_ids cuts at max_tokens (> max_query_tokens), enough to tell whether the query
        // was cut.
        let text_tokens = encoder.token_ids(&args.text)?.len().saturating_sub(2);
        let cap = encoder.config().max_query_tokens.saturating_sub(2);
        let vector = encoder.encode_query(&args.text)?;
        DocumentEncoding {
            skipped: None,
            language: None,
            tokens: text_tokens.min(cap),
            windows: usize::from(text_tokens > 0),
            truncated: text_tokens > cap,
            vector: Some(vector),
        }
    } else {
        encoder.encode_document(&args.text)?
    };
    let encode_ms = t.elapsed().as_secs_f64() * 1e3;

    let mut terms: Vec<Term> = enc
        .vector
        .iter()
        .flat_map(|v| v.iter())
        .map(|(id, weight)| Term { id, token: encoder.token(id), weight })
        .collect();
    terms.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.id.cmp(&b.id)));
    let non_zero = terms.len();
    if args.top > 0 {
        terms.truncate(args.top);
    }
    let out = Output {
        model: encoder.model_info(),
        mode: if args.query { "query" } else { "document" },
        tokens: enc.tokens,
        windows: enc.windows,
        truncated: enc.truncated,
        language: enc.language,
        skipped: enc.skipped.map(|s| s.to_string()),
        non_zero,
        terms,
        load_ms,
        encode_ms,
    };
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    let written = if args.json {
        serde_json::to_writer_pretty(&mut w, &out)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(w))
    } else {
        print_table(&mut w, &out)
    };
    match written {
        // `sparrow encode ... | head`: the reader has what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn print_table(w: &mut impl Write, out: &Output<'_>) -> std::io::Result<()> {
    writeln!(
        w,
        "{} ({}) {}: {} tokens, {} window{}{}, language {}, {} non-zero terms (load {:.0} ms, encode {:.0} ms)",
        out.model.name,
        out.model.variant,
        out.mode,
        out.tokens,
        out.windows,
        if out.windows == 1 { "" } else { "s" },
        if out.truncated { " (truncated)" } else { "" },
        out.language.as_deref().unwrap_or("-"),
        out.non_zero,
        out.load_ms,
        out.encode_ms,
    )?;
    if let Some(why) = &out.skipped {
        writeln!(w, "no learned-sparse vector: {why}")?;
    }
    let width = out
        .terms
        .iter()
        .map(|t| t.token.as_deref().unwrap_or("?").chars().count())
        .max()
        .unwrap_or(0);
    for t in &out.terms {
        writeln!(
            w,
            "  {:<width$}  {:>7.4}  (id {})",
            t.token.as_deref().unwrap_or("?"),
            t.weight,
            t.id
        )?;
    }
    Ok(())
}
