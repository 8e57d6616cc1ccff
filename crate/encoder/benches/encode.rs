//! Model load time (bytes -> runnable plan) and native encoding throughput at 256 tokens,
//! one thread (tract runs single-threaded unless given an executor), f32 and int8.
//!
//!   source scripts/env.sh && cargo bench -p sparrow-encoder --bench encode
//!
//! Needs model/build (model/build.sh) or SPARROW_MODEL_DIR. Results: docs/BENCHMARKS.md.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sparrow_encoder::{EncoderConfig, LanguagePolicy, SparseEncoder};

fn model_dir() -> PathBuf {
    let dir = std::env::var_os("SPARROW_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../model/build"));
    assert!(dir.join("tokenizer.json").is_file(), "{}: run model/build.sh first", dir.display());
    dir
}

fn read(name: &str) -> Vec<u8> {
    let p = model_dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A document whose first window is a full 256 tokens (it has ~270 text tokens; with
/// `max_windows = 1` the rest is cut, so every iteration runs exactly one 256-token window).
fn doc_256(enc: &SparseEncoder) -> String {
    let text = "The seasons are caused by the tilt of Earth's rotational axis relative to its orbital plane around the Sun. ".repeat(12);
    assert_eq!(enc.token_ids(&text).expect("tokenize").len(), 256);
    text
}

fn benches(c: &mut Criterion) {
    let tokenizer = read("tokenizer.json");
    let config =
        EncoderConfig { language: LanguagePolicy::Any, max_windows: 1, ..EncoderConfig::default() };

    let mut g = c.benchmark_group("load");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for variant in ["f32", "int8"] {
        let model = read(&format!("splade-tiny.{variant}.onnx"));
        g.bench_function(variant, |b| {
            b.iter(|| {
                SparseEncoder::from_bytes(black_box(&model), &tokenizer, config.clone())
                    .expect("load")
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("encode_256_tokens");
    g.sample_size(20).measurement_time(Duration::from_secs(10)).throughput(Throughput::Elements(1));
    for variant in ["f32", "int8"] {
        let model = read(&format!("splade-tiny.{variant}.onnx"));
        let enc = SparseEncoder::from_bytes(&model, &tokenizer, config.clone()).expect("load");
        let text = doc_256(&enc);
        g.bench_function(variant, |b| {
            b.iter(|| enc.encode_document(black_box(&text)).expect("encode"))
        });
    }
    g.finish();

    // Eight such documents in one call: batch_tokens (1024) = 4 windows per model run.
    let mut g = c.benchmark_group("encode_8x256_tokens_batched");
    g.sample_size(10).measurement_time(Duration::from_secs(15)).throughput(Throughput::Elements(8));
    for variant in ["f32", "int8"] {
        let model = read(&format!("splade-tiny.{variant}.onnx"));
        let enc = SparseEncoder::from_bytes(&model, &tokenizer, config.clone()).expect("load");
        let text = doc_256(&enc);
        let texts = vec![text.as_str(); 8];
        g.bench_function(variant, |b| {
            b.iter(|| enc.encode_documents(black_box(&texts)).expect("encode"))
        });
    }
    g.finish();
}

criterion_group!(encode, benches);
criterion_main!(encode);
