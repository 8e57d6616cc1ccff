//! Shared by the integration tests: where the built model is, and loading it.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use sparrow_encoder::{EncoderConfig, SparseEncoder};

/// `SPARROW_MODEL_DIR`, or `<repo>/model/build`. Panics (the test fails) when the model is not
/// there: a test that needs the model must never pass without it.
pub fn model_dir() -> PathBuf {
    let dir = std::env::var_os("SPARROW_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../model/build"));
    for f in ["splade-tiny.f32.onnx", "splade-tiny.int8.onnx", "tokenizer.json"] {
        assert!(
            dir.join(f).is_file(),
            "{} not found: run model/build.sh first (or set SPARROW_MODEL_DIR)",
            dir.join(f).display()
        );
    }
    dir
}

pub fn read(name: &str) -> Vec<u8> {
    let path = model_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn model_bytes(variant: &str) -> Vec<u8> {
    read(&format!("splade-tiny.{variant}.onnx"))
}

pub fn tokenizer_bytes() -> Vec<u8> {
    read("tokenizer.json")
}

pub fn encoder(variant: &str, config: EncoderConfig) -> SparseEncoder {
    SparseEncoder::from_bytes(&model_bytes(variant), &tokenizer_bytes(), config)
        .unwrap_or_else(|e| panic!("loading the {variant} model: {e}"))
}

/// One line of tests/fixtures/splade/reference-vectors.jsonl.
#[derive(Debug, serde::Deserialize)]
pub struct Reference {
    pub text: String,
    pub max_tokens: usize,
    pub input_ids: Vec<u32>,
    pub weights: std::collections::BTreeMap<u32, f64>,
}

pub fn references() -> Vec<Reference> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/splade/reference-vectors.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).expect("reference line")).collect()
}

/// Cosine of a sparse vector (sorted pairs) against a reference map.
pub fn cosine(
    v: &sparrow_encoder::SparseVector,
    reference: &std::collections::BTreeMap<u32, f64>,
) -> f64 {
    let dot: f64 =
        v.iter().map(|(id, w)| f64::from(w) * reference.get(&id).copied().unwrap_or(0.0)).sum();
    let na: f64 = v.weights().iter().map(|&w| f64::from(w) * f64::from(w)).sum::<f64>().sqrt();
    let nb: f64 = reference.values().map(|w| w * w).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    dot / (na * nb)
}
